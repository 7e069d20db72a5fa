/**
 * @module
 * {@link CgpLlm}: the high-level LLM operations the miner and validator call (the equivalent of
 * upstream's `LlmLib`): tagging of conversations, webpages, enrichment and surveys, named
 * entities, combining, tag validation, the conversation-quality gate, and cached, batched
 * embeddings. Failures are typed: a provider failure is an {@link LlmError}; an unusable or empty
 * reply is an empty result; nothing here throws anything else.
 */
import { logger } from "../config/logging.ts";
import { getCleanTagSet } from "../scoring/clean_tags.ts";
import {
  parseTagValidationReply,
  selectTagsForValidation,
  validateNamedEntitiesTagSet,
} from "../scoring/validate_tags.ts";
import type { EmbeddingCache } from "./embedding_cache.ts";
import { isLlmError, LlmError } from "./errors.ts";
import {
  combineTagsPrompt,
  type ConversationLine,
  conversationQualityPrompt,
  conversationTaggingPrompt,
  enrichmentEntitiesPrompt,
  enrichmentTaggingPrompt,
  parseCommaList,
  parseQualityReply,
  PromptInputError,
  type QualityResult,
  type RenderedPrompt,
  surveyTaggingPrompt,
  tagValidationPrompt,
  transcriptEntitiesPrompt,
  webpageEntitiesPrompt,
  webpageTaggingPrompt,
} from "./prompts/mod.ts";
import type { LlmProvider } from "./provider.ts";
import type { UsageSnapshot } from "./usage.ts";

const log = logger("llm", "cgp");

/** Options of {@link CgpLlm}. */
export interface CgpLlmOptions {
  /** Persistent embedding cache (`null`/absent: no cache). Closed by {@link CgpLlm.close}. */
  cache?: EmbeddingCache | null;
  /** Model for the quality gate (upstream: gpt-5-mini on OpenAI). Default: the chat model. */
  qualityModel?: string;
  /** When tag validation's LLM call fails, return the cleaned tags (default true). */
  failOpenValidation?: boolean;
  /**
   * Tag validation keeps a validated tag also when it equals the *cleaned* form of a miner tag
   * (upstream: verbatim only). Default false (upstream behaviour, see scoring/validate_tags.ts).
   */
  keepCleanedVariants?: boolean;
}

/** Options of {@link CgpLlm.conversationToMetadata}. */
export interface ConversationToMetadataOptions {
  /** The task's input categories include "coding". */
  coding?: boolean;
  /** The API's prompt template, used instead of our instructions. */
  promptOverride?: string;
  /** Id rendered in `<conversation id='...'>`. */
  conversationId?: string;
}

/**
 * The CGP LLM operations over one provider.
 *
 * @example
 * ```ts ignore
 * import { CgpLlm, OfflineProvider } from "./mod.ts";
 * const llm = new CgpLlm(new OfflineProvider());
 * const tags = await llm.conversationToMetadata([[0, "Do you surf?"], [1, "Every summer in Bali."]]);
 * const vectors = await llm.getVectorEmbeddingsSet(tags);
 * ```
 */
export class CgpLlm {
  readonly provider: LlmProvider;
  readonly #opts: CgpLlmOptions;
  readonly #cache: EmbeddingCache | null;

  constructor(provider: LlmProvider, opts: CgpLlmOptions = {}) {
    this.provider = provider;
    this.#opts = opts;
    this.#cache = opts.cache ?? null;
  }

  /** The key the embedding cache uses for this provider's embedding model. */
  get embeddingCacheModel(): string {
    const p = this.provider;
    return `${p.name}/${p.embeddingModel}` +
      (p.embeddingDimensions !== undefined ? `@${p.embeddingDimensions}` : "");
  }

  /** Renders with `render`; empty input gives `null` (logged), never an exception. */
  #render(what: string, render: () => RenderedPrompt): RenderedPrompt | null {
    try {
      return render();
    } catch (e) {
      if (e instanceof PromptInputError) {
        log.debug("{what}: nothing to send ({reason})", { what, reason: e.message });
        return null;
      }
      throw e;
    }
  }

  async #list(what: string, render: () => RenderedPrompt, model?: string): Promise<string[]> {
    const p = this.#render(what, render);
    if (!p) return [];
    const r = await this.provider.chat({ prompt: p.text, kind: p.kind, json: p.json, model });
    const tags = parseCommaList(r.text);
    if (tags.length === 0) log.debug("{what}: empty or unusable reply", { what });
    return tags;
  }

  /** Tags of a conversation window or whole conversation (the miner's and ground truth's). */
  conversationToMetadata(
    lines: readonly ConversationLine[],
    opts: ConversationToMetadataOptions = {},
  ): Promise<string[]> {
    return this.#list("conversationToMetadata", () => conversationTaggingPrompt(lines, opts));
  }

  /** Tags of a webpage's markdown (first 1000 characters). */
  websiteToMetadata(markdown: string, opts: { coding?: boolean } = {}): Promise<string[]> {
    return this.#list("websiteToMetadata", () => webpageTaggingPrompt(markdown, opts));
  }

  /** Tags of one enrichment item ("title\nsnippet"). */
  enrichmentToMetadata(text: string, opts: { coding?: boolean } = {}): Promise<string[]> {
    return this.#list("enrichmentToMetadata", () => enrichmentTaggingPrompt(text, opts));
  }

  /** Merges tag lists into at most 20 (upstream uses the combine-named-entities prompt). */
  combineMetadataTags(lists: readonly (readonly string[])[]): Promise<string[]> {
    return this.#list("combineMetadataTags", () => combineTagsPrompt(lists));
  }

  /** Tags of a survey comment for its question. */
  surveyToMetadata(question: string, comment: string): Promise<string[]> {
    return this.#list("surveyToMetadata", () => surveyTaggingPrompt(question, comment));
  }

  /** Named entities of a raw transcript (first 1000 characters). */
  rawTranscriptToNamedEntities(text: string): Promise<string[]> {
    return this.#list("rawTranscriptToNamedEntities", () => transcriptEntitiesPrompt(text));
  }

  /** Named entities of a raw webpage text. */
  rawWebpageToNamedEntities(text: string): Promise<string[]> {
    return this.#list("rawWebpageToNamedEntities", () => webpageEntitiesPrompt(text));
  }

  /** Named entities of one enrichment item. */
  enrichmentToNamedEntities(text: string): Promise<string[]> {
    return this.#list("enrichmentToNamedEntities", () => enrichmentEntitiesPrompt(text));
  }

  /** Merges entity lists into at most 20. */
  combineNamedEntities(lists: readonly (readonly string[])[]): Promise<string[]> {
    return this.#list("combineNamedEntities", () => combineTagsPrompt(lists));
  }

  /**
   * The validator's check of a miner's tags (upstream `validate_tag_set`): clean tag set, a
   * random 20, each cut to 50 characters, the "good vs malformed" prompt, then
   * `parseTagValidationReply` against the miner's original tags.
   *
   * @returns the validated tags; `[]` when no tag survives cleaning (no LLM call); `null` when
   *   the LLM answered with nothing. When the LLM call fails: the selected clean tags if
   *   fail-open (default), else the {@link LlmError} is thrown.
   */
  async validateTagSet(
    tags: unknown,
    random: () => number = Math.random,
    opts: { failOpen?: boolean } = {},
  ): Promise<string[] | null> {
    const clean = getCleanTagSet(tags);
    if (clean.length === 0) return [];
    const selected = selectTagsForValidation(clean, random);
    const p = tagValidationPrompt(selected);
    let reply: string;
    try {
      reply = (await this.provider.chat({ prompt: p.text, kind: p.kind })).text;
    } catch (e) {
      const failOpen = opts.failOpen ?? this.#opts.failOpenValidation ?? true;
      if (failOpen && isLlmError(e)) {
        log.warn("tag validation LLM call failed ({code}); failing open with {n} cleaned tags", {
          code: e.code,
          n: selected.length,
        });
        return selected;
      }
      throw e;
    }
    const originals = Array.isArray(tags) ? tags.filter((t) => typeof t === "string") : [];
    return parseTagValidationReply(reply, originals, {
      keepCleanedVariants: this.#opts.keepCleanedVariants,
    });
  }

  /** Named entities get no LLM check: the clean tag set, a random 20 (upstream). */
  validateNamedEntitiesTagSet(tags: unknown, random: () => number = Math.random): string[] {
    return validateNamedEntitiesTagSet(tags, random);
  }

  /**
   * The validator's quality gate. `null` when the reply is unusable or the LLM failed (logged);
   * the caller treats `null` as "not passed".
   */
  async validateConversationQuality(
    lines: readonly ConversationLine[],
  ): Promise<QualityResult | null> {
    const p = this.#render("validateConversationQuality", () => conversationQualityPrompt(lines));
    if (!p) return null;
    const model = this.#opts.qualityModel && this.#opts.qualityModel !== this.provider.chatModel
      ? this.#opts.qualityModel
      : undefined;
    try {
      const r = await this.provider.chat({ prompt: p.text, kind: p.kind, json: true, model });
      return parseQualityReply(r.text);
    } catch (e) {
      if (!isLlmError(e)) throw e;
      log.warn("conversation quality check failed: {reason}", { reason: e.message });
      return null;
    }
  }

  /**
   * Embeddings of `tags` (trimmed, empty ones skipped), from the cache where possible and in
   * batched requests otherwise; new vectors are cached. Keys are the trimmed tags.
   *
   * @throws LlmError when the provider fails (nothing partial is returned).
   */
  async getVectorEmbeddingsSet(tags: readonly string[]): Promise<Map<string, Float32Array>> {
    const wanted = [
      ...new Set(
        tags.filter((t) => typeof t === "string").map((t) => t.trim()).filter((t) => t !== ""),
      ),
    ];
    const out = new Map<string, Float32Array>();
    if (wanted.length === 0) return out;
    const model = this.embeddingCacheModel;
    const dims = this.provider.embeddingDimensions;
    if (this.#cache) {
      try {
        for (const [k, v] of this.#cache.getMany(model, wanted, dims)) out.set(k, v);
      } catch (e) {
        log.warn("embedding cache read failed: {reason}", { reason: (e as Error).message });
      }
    }
    const missing = wanted.filter((t) => !out.has(t));
    if (missing.length === 0) return out;
    const vecs = await this.provider.embed(missing, { kind: "embedding" });
    if (vecs.length !== missing.length) {
      throw new LlmError(
        "malformed",
        `provider returned ${vecs.length} embeddings for ${missing.length} texts`,
        { kind: "embedding" },
      );
    }
    const fresh: [string, Float32Array][] = missing.map((t, i) => [t, vecs[i]]);
    for (const [t, v] of fresh) out.set(t, v);
    if (this.#cache) {
      try {
        this.#cache.putMany(model, fresh);
      } catch (e) {
        log.warn("embedding cache write failed: {reason}", { reason: (e as Error).message });
      }
    }
    return out;
  }

  /** The provider's usage snapshot. */
  usage(): UsageSnapshot {
    return this.provider.usage();
  }

  /** Closes the provider and the cache. */
  async close(): Promise<void> {
    await this.provider.close();
    this.#cache?.close();
  }
}
