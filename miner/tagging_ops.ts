/**
 * @module
 * The miner's tagging operations over `llm/`'s {@link CgpLlm}.
 */
import type { CgpLlm } from "../llm/cgp_llm.ts";
import type { TaggingOps } from "./mine_task.ts";

/** Adapts a {@link CgpLlm} to the miner's {@link TaggingOps}. */
export function taggingOpsOf(llm: CgpLlm): TaggingOps {
  return {
    conversationTags: (lines, o) =>
      llm.conversationToMetadata(lines, { coding: o.coding, promptOverride: o.prompt }),
    websiteTags: (md, o) => llm.websiteToMetadata(md, o),
    enrichmentTags: (t, o) => llm.enrichmentToMetadata(t, o),
    combineTags: (ls) => llm.combineMetadataTags(ls),
    surveyTags: (q, c) => llm.surveyToMetadata(q, c),
    transcriptEntities: (t) => llm.rawTranscriptToNamedEntities(t),
    webpageEntities: (t) => llm.rawWebpageToNamedEntities(t),
    combineEntities: (ls) => llm.combineNamedEntities(ls),
  };
}
