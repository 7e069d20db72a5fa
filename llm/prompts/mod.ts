/**
 * @module
 * The prompts subnet 33 uses, as typed template functions, and the parsers of their replies.
 */
export {
  type ConversationLine,
  ConversationLineSchema,
  conversationXml,
  detectPromptId,
  PROMPT_IDS,
  type PromptId,
  PromptInputError,
  promptMarker,
  type RenderedPrompt,
} from "./common.ts";
export {
  type ConversationTaggingOptions,
  conversationTaggingPrompt,
  enrichmentTaggingPrompt,
  MAX_PAGE_CHARS,
  surveyTaggingPrompt,
  webpageTaggingPrompt,
} from "./tagging.ts";
export {
  enrichmentEntitiesPrompt,
  transcriptEntitiesPrompt,
  webpageEntitiesPrompt,
} from "./named_entities.ts";
export { combineTagsPrompt } from "./combine.ts";
export { tagValidationPrompt } from "./validate_tags.ts";
export {
  conversationQualityPrompt,
  parseQualityReply,
  QUALITY_REASONS,
  type QualityResult,
  QualityResultSchema,
  stripCodeFence,
} from "./quality.ts";
export { parseCommaList } from "./parse.ts";
