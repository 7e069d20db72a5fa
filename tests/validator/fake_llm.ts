/** A deterministic ValidatorLlm for pipeline tests: tags are the text's long words, vectors hash letters. */
import type { ValidatorLlm } from "../../validator/llm_ops.ts";
import type { Line } from "../../tasks/mod.ts";

export function vectorOf(tag: string): Float32Array {
  const v = new Float32Array(8);
  for (const ch of tag) v[ch.charCodeAt(0) % 8] += 1;
  return v;
}

const words = (text: string) =>
  [...new Set(text.toLowerCase().split(/[^a-z]+/).filter((w) => w.length > 4))].slice(0, 8);

export function fakeLlm(opts: { quality?: number | null; failValidation?: boolean } = {}) {
  const calls: string[] = [];
  const llm: ValidatorLlm = {
    model: "fake-chat",
    llmType: "fake",
    embeddingsModel: "fake-embed",
    qualityScore: (
      lines: Line[],
    ) => (calls.push(`quality:${lines.length}`),
      Promise.resolve(opts.quality === undefined ? 8 : opts.quality)),
    conversationTags: (
      lines,
    ) => (calls.push("conv"), Promise.resolve(words(lines.map((l) => l[1]).join(" ")))),
    websiteTags: (md) => (calls.push("web"), Promise.resolve(words(md))),
    enrichmentTags: (t) => (calls.push("enrich"), Promise.resolve(words(t))),
    combineTags: (ls) => (calls.push("combine"), Promise.resolve([...new Set(ls.flat())])),
    transcriptEntities: (t) => (calls.push("ner"), Promise.resolve(words(t))),
    enrichmentEntities: (t) => (calls.push("ner-enrich"), Promise.resolve(words(t))),
    combineEntities: (ls) => (calls.push("ner-combine"), Promise.resolve([...new Set(ls.flat())])),
    validateTags: (
      tags,
    ) => (calls.push("validate"),
      Promise.resolve(opts.failValidation ? null : tags.map((t) => t.toLowerCase()))),
    embed: (
      tags,
    ) => (calls.push(`embed:${tags.length}`),
      Promise.resolve(new Map(tags.map((t) => [t, vectorOf(t)])))),
  };
  return { llm, calls };
}
