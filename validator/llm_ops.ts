/**
 * @module
 * The LLM operations a validator needs, as one interface: the ground truth of a bundle (the same
 * tagging prompts miners use), the conversation quality gate, tag validation and embeddings.
 * `llm/` provides the implementation; tests give fakes.
 */
import type { Line } from "../tasks/mod.ts";

/** Validator-side LLM operations. */
export interface ValidatorLlm {
  /** Conversation quality 1–10, or null when the LLM gave no usable answer. */
  qualityScore(lines: Line[]): Promise<number | null>;
  conversationTags(lines: Line[], opts: { coding: boolean }): Promise<string[]>;
  websiteTags(markdown: string, opts: { coding: boolean }): Promise<string[]>;
  enrichmentTags(text: string, opts: { coding: boolean }): Promise<string[]>;
  combineTags(lists: string[][]): Promise<string[]>;
  transcriptEntities(text: string): Promise<string[]>;
  enrichmentEntities(text: string): Promise<string[]>;
  combineEntities(lists: string[][]): Promise<string[]>;
  /**
   * Cleans and LLM-validates a miner's tags (upstream `validate_tag_set`); null when the LLM
   * failed and the policy is fail-closed.
   */
  validateTags(tags: string[], random: () => number): Promise<string[] | null>;
  /** Embeddings of tags, computed by the validator (batched and cached). */
  embed(tags: string[]): Promise<Map<string, Float32Array>>;
  /** The embedding model's name, reported in store records. */
  readonly embeddingsModel: string;
  /** The chat model's name and provider type, reported in store records. */
  readonly model: string;
  readonly llmType: string;
}
