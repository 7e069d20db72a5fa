/**
 * @module
 * Turns a stored item into what `reserve` answers: today's task bundle (upstream's local-API
 * shape, API version 1.4, participants anonymised to `SPEAKER_<idx>`, a one-step prompt chain
 * and an example output), or the first version's plain conversation. Pure.
 */
import type { LegacyConversation, TaskBundle, TaskType } from "../tasks/mod.ts";
import type { ItemRow } from "./repository.ts";

/** Reserve-reply `api_version` as upstream's local API sends it. */
export const BUNDLE_API_VERSION = 1.4;

/** The tagging prompt template carried in the conversation bundle's prompt chain. */
export const TAGGING_PROMPT_TEMPLATE =
  "You are reading a chat between several people. Describe what it is about as a list of " +
  "short topic tags: subjects, activities, places, interests and the mood of the talk. " +
  "Use plain lowercase English words or short phrases, no names of the speakers, no " +
  "numbering. Answer with the tags separated by commas and nothing else.\n\n{{ convo }}";

const INPUT_TYPE: Record<TaskType, string> = {
  conversation_tagging: "conversation",
  webpage_metadata_generation: "webpage_markdown",
  survey_tagging: "survey",
  named_entities_extraction: "document",
};

const SCORING: Record<TaskType, string> = {
  conversation_tagging: "ground_truth_tag_similarity_scoring",
  webpage_metadata_generation: "ground_truth_tag_similarity_scoring",
  survey_tagging: "ground_truth_tag_similarity_scoring",
  named_entities_extraction: "no_penalty_ground_truth_tag_similarity_scoring",
};

const STEP_TITLE: Record<TaskType, string> = {
  conversation_tagging: "Infer tags from a conversation",
  webpage_metadata_generation: "Infer tags from a web page",
  survey_tagging: "Infer tags from a survey answer",
  named_entities_extraction: "Extract named entities from a document",
};

const EXAMPLE_TAGS: Record<TaskType, string[]> = {
  conversation_tagging: ["weekend plans", "hiking", "weather", "friendship"],
  webpage_metadata_generation: ["open source", "documentation", "web development"],
  survey_tagging: ["price", "customer service"],
  named_entities_extraction: ["paris", "european space agency", "ada lovelace"],
};

/** Anonymised participant labels for the speaker indexes an item uses. */
export function speakerLabels(item: Pick<ItemRow, "lines" | "participants">): string[] {
  let n = item.participants.length;
  for (const [idx] of item.lines) n = Math.max(n, idx + 1);
  return Array.from({ length: Math.max(n, 1) }, (_, i) => `SPEAKER_${i}`);
}

/** CRC-32 of a string (the prompt-chain step's `crc`, so a changed template is visible). */
export function crc32(text: string): number {
  let c = ~0;
  for (const b of new TextEncoder().encode(text)) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (~c) >>> 0;
}

/** The task bundle for an item. */
export function buildTaskBundle(item: ItemRow, mode = "local"): TaskBundle {
  const isConversation = item.type === "conversation_tagging";
  const minWindows = isConversation ? 1 : 0;
  const template = isConversation ? TAGGING_PROMPT_TEMPLATE : null;
  const inputCategories = Array.isArray(item.metadata?.input_categories)
    ? (item.metadata!.input_categories as unknown[]).map(String)
    : [];
  return {
    mode,
    api_version: BUNDLE_API_VERSION,
    type: item.type,
    guid: item.guid,
    scoring_mechanism: SCORING[item.type],
    input: {
      input_type: INPUT_TYPE[item.type],
      guid: item.guid,
      data: {
        lines: item.lines.map(([i, t]) => [i, t] as [number, string]),
        participants: speakerLabels(item),
        total: item.lines.length,
        min_convo_windows: minWindows,
      },
      input_categories: inputCategories,
      metadata: { source: item.source ?? null },
    },
    prompt_chain: [{
      step: 0,
      id: `cgp-${item.type}`,
      crc: crc32(template ?? item.type),
      title: STEP_TITLE[item.type],
      name: `infer_${item.type}`,
      description: STEP_TITLE[item.type],
      type: "inference",
      input_path: INPUT_TYPE[item.type],
      prompt_template: template,
      output_variable: "final_output",
      output_type: "List[str]",
    }],
    example_output: { tags: EXAMPLE_TAGS[item.type], type: "List[str]" },
    errors: [],
    warnings: [],
    data_type: 1,
    min_convo_windows: minWindows,
  } as TaskBundle;
}

/** The first version's reserve reply: `{guid, lines, participants, total}`. */
export function buildLegacyConversation(item: ItemRow): LegacyConversation {
  return {
    guid: item.guid,
    lines: item.lines.map(([i, t]) => [i, t] as [number, string]),
    participants: speakerLabels(item),
    total: item.lines.length,
  };
}
