/**
 * @module
 * {@link OfflineProvider}: an {@link LlmProvider} that needs no key and no network, for the demo
 * and the tests. It recognises our prompts by their id marker and answers them from the data
 * they carry: tags from wink-nlp keyword and noun-phrase extraction, entities from proper-noun
 * runs, tag validation from the GloVe vocabulary, a quality score from text statistics, and
 * embeddings from real GloVe word vectors. Any other prompt is an `unsupported` LlmError.
 */
import { LlmError } from "../errors.ts";
import { detectPromptId, type PromptId } from "../prompts/common.ts";
import type { ChatRequest, ChatResult, EmbedOptions, LlmProvider } from "../provider.ts";
import { UsageMeter, type UsageSnapshot } from "../usage.ts";
import { GLOVE_MODEL, type GloveEmbedder, loadGloveEmbedder } from "./glove.ts";
import { tokenizeForEmbedding } from "./glove_format.ts";
import { extractEntities, extractKeywords } from "./keywords.ts";
import { qualityFromStats, type Turn } from "./quality_stats.ts";

/** The chat model name the offline provider reports. */
export const OFFLINE_CHAT_MODEL = "offline-keywords";

/** Options of {@link OfflineProvider}. */
export interface OfflineProviderOptions {
  /** Directory of the converted GloVe cache (default: the user cache dir). */
  cacheDir?: string;
}

/**
 * The data block of one of our prompts: from the first blank line followed by a tag (the
 * instructions never contain a blank line) to the marker line.
 */
function dataBlock(prompt: string): string {
  const m = /\n\n(?=<[a-z_]+[\s>])/.exec(prompt);
  if (!m) return "";
  const end = prompt.lastIndexOf("\n\n[cgp-prompt:");
  return prompt.slice(m.index + 2, end > m.index ? end : prompt.length);
}

/** The text between the first `<tag ...>` and the last `</tag>` of the data block, or `null`. */
function between(prompt: string, tag: string): string | null {
  const text = dataBlock(prompt);
  const open = new RegExp(`<${tag}(\\s[^>]*)?>`).exec(text);
  if (!open) return null;
  const start = open.index + open[0].length;
  const end = text.lastIndexOf(`</${tag}>`);
  if (end < start) return null;
  return text.slice(start, end).replace(/^\n/, "").replace(/\n$/, "");
}

function turnsOf(prompt: string): Turn[] {
  const xml = between(prompt, "conversation") ?? "";
  const out: Turn[] = [];
  for (const m of xml.matchAll(/<p(\d+)>([\s\S]*?)<\/p\1>/g)) out.push([Number(m[1]), m[2]]);
  return out;
}

function sentenceJoin(parts: string[]): string {
  return parts.map((p) => p.trim()).filter((p) => p !== "")
    .map((p) => (/[.!?]$/.test(p) ? p : `${p}.`)).join(" ");
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The offline provider.
 *
 * @example
 * ```ts ignore
 * import { OfflineProvider } from "./offline_provider.ts";
 * import { conversationTaggingPrompt } from "../prompts/mod.ts";
 * const p = new OfflineProvider();
 * const r = await p.chat({ ...conversationTaggingPrompt([[0, "I love jazz piano"]]), prompt: "" });
 * ```
 */
export class OfflineProvider implements LlmProvider {
  readonly name = "offline";
  readonly chatModel = OFFLINE_CHAT_MODEL;
  readonly embeddingModel = GLOVE_MODEL;
  readonly embeddingDimensions = 100;
  readonly #opts: OfflineProviderOptions;
  readonly #meter = new UsageMeter();
  #glove?: Promise<GloveEmbedder>;

  constructor(opts: OfflineProviderOptions = {}) {
    this.#opts = opts;
  }

  /** Loads the GloVe vectors (converting them on first use). Called lazily by every call. */
  glove(): Promise<GloveEmbedder> {
    this.#glove ??= loadGloveEmbedder({ cacheDir: this.#opts.cacheDir });
    this.#glove.catch(() => (this.#glove = undefined));
    return this.#glove;
  }

  /** Answers one of our prompts; see the module doc. */
  async chat(req: ChatRequest): Promise<ChatResult> {
    const id = detectPromptId(req.prompt ?? "");
    if (!id) {
      this.#meter.recordFailure(req.kind, 0);
      throw new LlmError(
        "unsupported",
        "offline provider: unrecognised prompt (it answers only the prompts of llm/prompts, " +
          "which end with a [cgp-prompt: ...] marker)",
        { kind: req.kind },
      );
    }
    let text: string;
    try {
      text = await this.#answer(id, req.prompt);
    } catch (e) {
      this.#meter.recordFailure(req.kind, 0);
      throw e instanceof LlmError
        ? e
        : new LlmError("unsupported", `offline provider failed on ${id}: ${(e as Error).message}`, {
          kind: req.kind,
          cause: e,
        });
    }
    const promptTokens = estimateTokens(req.prompt);
    const completionTokens = estimateTokens(text);
    this.#meter.recordSuccess(req.kind, this.chatModel, promptTokens, completionTokens, 0);
    return { text, model: this.chatModel, promptTokens, completionTokens };
  }

  async #answer(id: PromptId, prompt: string): Promise<string> {
    switch (id) {
      case "conversation_tagging":
      case "conversation_tagging_coding": {
        const text = sentenceJoin(turnsOf(prompt).map(([, t]) => t));
        return extractKeywords(text, { max: id === "conversation_tagging" ? 12 : 10 }).join(", ");
      }
      case "webpage_tagging":
      case "webpage_tagging_coding":
        return extractKeywords(between(prompt, "webpage") ?? "", { max: 15 }).join(", ");
      case "enrichment_tagging":
      case "enrichment_tagging_coding":
        return extractKeywords(between(prompt, "search_result") ?? "", { max: 10 }).join(", ");
      case "survey_tagging": {
        const comment = between(prompt, "comment") ?? "";
        const multi = extractKeywords(comment, { max: 5, minWords: 2, maxWords: 5 });
        return (multi.length > 0 ? multi : extractKeywords(comment, { max: 3 })).join(", ");
      }
      case "transcript_entities":
        return extractEntities(between(prompt, "transcript") ?? "", 20).join(", ");
      case "webpage_entities":
        return extractEntities(between(prompt, "webpage") ?? "", 20).join(", ");
      case "enrichment_entities":
        return extractEntities(between(prompt, "search_result") ?? "", 20).join(", ");
      case "combine_tags":
        return combineLists(prompt).join(", ");
      case "tag_validation":
        return await this.#validate(prompt);
      case "conversation_quality": {
        const glove = await this.glove();
        return JSON.stringify(qualityFromStats(turnsOf(prompt), (w) => glove.knownWords(w) > 0));
      }
    }
  }

  async #validate(prompt: string): Promise<string> {
    const glove = await this.glove();
    const tags = (between(prompt, "keywords") ?? "").split(",").map((t) => t.trim())
      .filter((t) => t !== "");
    const good: string[] = [];
    const bad: string[] = [];
    for (const tag of tags) {
      const words = tokenizeForEmbedding(tag);
      const ok = /^[\p{L}\p{N}' \-]+$/u.test(tag) && words.length > 0 && words.length <= 6 &&
        words.every((w) => w.length >= 2 && glove.knownWords(w) > 0);
      (ok ? good : bad).push(tag);
    }
    return `good english keywords: ${good.join(", ")}\nmalformed keywords: ${bad.join(", ")}`;
  }

  /** GloVe embeddings (mean of word vectors); see {@link LlmProvider.embed}. */
  async embed(texts: string[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
    const glove = await this.glove();
    const vecs = glove.embed(texts);
    const tokens = texts.reduce((s, t) => s + tokenizeForEmbedding(t).length, 0);
    this.#meter.recordSuccess(opts.kind ?? "embedding", this.embeddingModel, tokens, 0, 0);
    return vecs;
  }

  usage(): UsageSnapshot {
    return this.#meter.snapshot();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Merges `<list>` blocks: items by how many lists name them, then first appearance; max 20. */
function combineLists(prompt: string): string[] {
  const body = between(prompt, "lists") ?? "";
  const count = new Map<string, { n: number; first: number; form: string }>();
  let order = 0;
  for (const m of body.matchAll(/<list[^>]*>([\s\S]*?)<\/list>/g)) {
    const seenHere = new Set<string>();
    for (const raw of m[1].split(",")) {
      const form = raw.trim();
      const key = form.toLowerCase().replace(/\s+/g, " ");
      if (key === "" || seenHere.has(key)) continue;
      seenHere.add(key);
      const c = count.get(key);
      if (c) c.n++;
      else count.set(key, { n: 1, first: order++, form: key });
    }
  }
  return [...count.values()].sort((a, b) => b.n - a.n || a.first - b.first).slice(0, 20)
    .map((c) => c.form);
}
