/**
 * @module
 * The validator's LLM operations over `llm/`'s {@link CgpLlm}: one instance per isolate, built
 * from the environment (`LLM_TYPE`, keys, models; `LLM_TYPE=offline` needs none).
 */
import { createCgpLlmFromEnv } from "../llm/factory.ts";
import type { CgpLlm } from "../llm/cgp_llm.ts";
import type { ValidatorLlm } from "./llm_ops.ts";

/** Adapts a {@link CgpLlm} to {@link ValidatorLlm}. */
export function validatorLlmOf(llm: CgpLlm, llmType: string): ValidatorLlm {
  const p = llm.provider;
  return {
    model: p.chatModel,
    embeddingsModel: p.embeddingModel,
    llmType,
    qualityScore: async (lines) =>
      (await llm.validateConversationQuality(lines))?.quality_score ?? null,
    conversationTags: (lines, o) => llm.conversationToMetadata(lines, { coding: o.coding }),
    websiteTags: (md, o) => llm.websiteToMetadata(md, o),
    enrichmentTags: (t, o) => llm.enrichmentToMetadata(t, o),
    combineTags: (ls) => llm.combineMetadataTags(ls),
    transcriptEntities: (t) => llm.rawTranscriptToNamedEntities(t),
    enrichmentEntities: (t) => llm.enrichmentToNamedEntities(t),
    combineEntities: (ls) => llm.combineNamedEntities(ls),
    validateTags: (tags, random) => llm.validateTagSet(tags, random),
    embed: (tags) => llm.getVectorEmbeddingsSet(tags),
  };
}

let shared: ValidatorLlm | undefined;

/** The isolate's validator LLM, created from the environment on first use. */
export function validatorLlmFromEnv(): ValidatorLlm {
  if (!shared) {
    const { llm, config } = createCgpLlmFromEnv();
    shared = validatorLlmOf(llm, config.llmType);
  }
  return shared;
}
