/**
 * @module
 * Tag-generation prompts: a conversation (window or whole), a webpage, an enrichment search
 * result, with "coding" variants, and survey comments. All ask for one comma-separated list and
 * nothing else, as subnet 33's miners and validators expect (cgp-reference §2.2).
 */
import {
  assemble,
  type ConversationLine,
  conversationXml,
  type PromptId,
  type RenderedPrompt,
  requireText,
} from "./common.ts";

const LIST_ONLY =
  "Answer with a single line of comma-separated tags and nothing else: no numbering, no " +
  "quotes, no explanations, no English commentary before or after the list.";

/** Options of {@link conversationTaggingPrompt}. */
export interface ConversationTaggingOptions {
  /** Use the technical ("coding") variant. */
  coding?: boolean;
  /**
   * Instruction text to use instead of ours (the task's `prompt_chain[0].prompt_template` from
   * the API). The conversation XML and the marker are still appended.
   */
  promptOverride?: string;
  /** The id in `<conversation id='...'>` (default "1"). */
  conversationId?: string;
}

/**
 * The topic-interest tagging prompt over a conversation window or a whole conversation:
 * `<p0>` holds the questions, `<p1>` the answers.
 *
 * @example
 * ```ts
 * import { conversationTaggingPrompt } from "./tagging.ts";
 * const p = conversationTaggingPrompt([[0, "Do you like jazz?"], [1, "I love Miles Davis."]]);
 * console.log(p.text.includes("<p1>I love Miles Davis.</p1>")); // true
 * ```
 */
export function conversationTaggingPrompt(
  lines: readonly ConversationLine[],
  opts: ConversationTaggingOptions = {},
): RenderedPrompt {
  const id: PromptId = opts.coding ? "conversation_tagging_coding" : "conversation_tagging";
  const xml = conversationXml(id, lines, opts.conversationId);
  let instructions: string[];
  if (opts.promptOverride !== undefined) {
    instructions = [requireText(id, "promptOverride", opts.promptOverride)];
  } else if (opts.coding) {
    instructions = [
      "You read a technical conversation given below in XML: each <pN> element is one message " +
      "of participant N, <p0> asking and <p1> answering.",
      "List at most 10 tags naming the technical subjects discussed: programming languages, " +
      "frameworks, libraries, tools, algorithms, error types and engineering concepts.",
      "Write every tag in lowercase, one to four words, using the usual names of the technologies.",
      LIST_ONLY,
    ];
  } else {
    instructions = [
      "You read a conversation given below in XML: each <pN> element is one message of " +
      "participant N; <p0> mostly asks the questions and <p1> gives the answers.",
      "Work out the topic interests of the participants: the subjects, activities, places, " +
      "hobbies and ideas they care about in this conversation.",
      "Return them as short tags of one to three words.",
      LIST_ONLY,
    ];
  }
  return assemble(id, "tagging", false, instructions, xml);
}

/** Longest webpage or enrichment text put into a prompt (upstream cuts at 1000 characters). */
export const MAX_PAGE_CHARS = 1000;

/**
 * Tags for a webpage given as markdown (at most 15, lowercase, ignoring navigation and other
 * boilerplate). The markdown is cut to {@link MAX_PAGE_CHARS} characters.
 */
export function webpageTaggingPrompt(
  markdown: string,
  opts: { coding?: boolean } = {},
): RenderedPrompt {
  const id: PromptId = opts.coding ? "webpage_tagging_coding" : "webpage_tagging";
  const page = requireText(id, "markdown", markdown).slice(0, MAX_PAGE_CHARS);
  const instructions = opts.coding
    ? [
      "Below is the markdown of a technical webpage between <webpage> tags.",
      "List at most 15 lowercase tags for the technologies, programming languages, APIs, tools " +
      "and engineering concepts the page is about.",
      "Ignore navigation menus, cookie banners, footers, sign-up prompts and other boilerplate.",
      LIST_ONLY,
    ]
    : [
      "Below is the markdown of a webpage between <webpage> tags.",
      "List at most 15 lowercase tags that describe what the page is about: its main subjects, " +
      "products, places, people and themes.",
      "Ignore navigation menus, cookie banners, footers, sign-up prompts and other boilerplate.",
      LIST_ONLY,
    ];
  return assemble(id, "tagging", false, instructions, `<webpage>\n${page}\n</webpage>`);
}

/**
 * Tags for one enrichment item (a search result's title and snippet, at most 10 tags).
 */
export function enrichmentTaggingPrompt(
  text: string,
  opts: { coding?: boolean } = {},
): RenderedPrompt {
  const id: PromptId = opts.coding ? "enrichment_tagging_coding" : "enrichment_tagging";
  const body = requireText(id, "text", text).slice(0, MAX_PAGE_CHARS);
  const instructions = [
    "Below, between <search_result> tags, is the title and snippet of a web search result " +
    "related to a webpage.",
    opts.coding
      ? "List at most 10 lowercase tags for the technologies and technical concepts it mentions."
      : "List at most 10 lowercase tags for the subjects it is about.",
    LIST_ONLY,
  ];
  return assemble(id, "tagging", false, instructions, `<search_result>\n${body}\n</search_result>`);
}

/**
 * Tags for a survey answer: 2–5-word conceptual tags backed by the comment, in the comment's
 * language; an empty answer when the comment says nothing specific.
 */
export function surveyTaggingPrompt(question: string, comment: string): RenderedPrompt {
  const id: PromptId = "survey_tagging";
  const q = requireText(id, "question", question);
  const c = requireText(id, "comment", comment);
  const instructions = [
    "A person answered a survey question. The question and their free-text comment are below.",
    "Write tags of two to five words naming the concepts, reasons and opinions the comment " +
    "expresses about the question. Every tag must be supported by something the comment says.",
    "Write the tags in the same language as the comment.",
    "If the comment is too vague to support any tag, answer with an empty line.",
    LIST_ONLY,
  ];
  const data = `<survey_question>\n${q}\n</survey_question>\n<comment>\n${c}\n</comment>`;
  return assemble(id, "survey", false, instructions, data);
}
