/**
 * @module
 * Named-entity prompts (subnet 33's `named_entities_extraction` task): entities from a raw
 * transcript, a raw webpage, or an enrichment snippet; at most 20, normalised.
 */
import { assemble, type PromptId, type RenderedPrompt, requireText } from "./common.ts";
import { MAX_PAGE_CHARS } from "./tagging.ts";

const ENTITY_RULES = [
  "Extract at most 20 named entities of these kinds: people, organisations, locations, " +
  "laws and statutes, budgets and monetary amounts, and named projects or programmes.",
  "Normalise each entity: its full usual name, no titles (Mr, Dr), no articles, no duplicates " +
  "(one entry for an entity named in several ways).",
  "Answer with a single line of comma-separated entities and nothing else: no categories, no " +
  "numbering, no explanations.",
];

function entities(id: PromptId, what: string, tag: string, text: string): RenderedPrompt {
  const body = requireText(id, "text", text).slice(0, MAX_PAGE_CHARS);
  return assemble(
    id,
    "named_entities",
    false,
    [`Below, between <${tag}> tags, is ${what}.`, ...ENTITY_RULES],
    `<${tag}>\n${body}\n</${tag}>`,
  );
}

/** Entities of a raw transcript (speech-to-text of a meeting, hearing, podcast...). */
export function transcriptEntitiesPrompt(text: string): RenderedPrompt {
  return entities("transcript_entities", "a raw transcript", "transcript", text);
}

/** Entities of a raw webpage's text. */
export function webpageEntitiesPrompt(text: string): RenderedPrompt {
  return entities("webpage_entities", "the text of a webpage", "webpage", text);
}

/** Entities of one enrichment item (a search result's title and snippet). */
export function enrichmentEntitiesPrompt(text: string): RenderedPrompt {
  return entities(
    "enrichment_entities",
    "the title and snippet of a web search result",
    "search_result",
    text,
  );
}
