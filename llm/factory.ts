/**
 * @module
 * Builds the configured provider (and the high-level {@link CgpLlm} with its embedding cache)
 * from the environment: `LLM_TYPE_OVERRIDE` / `LLM_TYPE` pick the preset, `offline` picks the
 * {@link OfflineProvider}.
 */
import { logger } from "../config/logging.ts";
import { CgpLlm } from "./cgp_llm.ts";
import { type LlmConfig, loadLlmConfig } from "./config.ts";
import { EmbeddingCache } from "./embedding_cache.ts";
import { OfflineProvider } from "./offline/offline_provider.ts";
import { OpenAIProvider } from "./openai_provider.ts";
import type { LlmProvider } from "./provider.ts";

const log = logger("llm");

/** Test and embedding hooks for {@link createProvider}. */
export interface CreateProviderHooks {
  /** Custom fetch for the OpenAI SDK. */
  fetch?: typeof fetch;
  /** Randomness for retry jitter. */
  random?: () => number;
}

/** The provider for a resolved configuration. */
export function createProvider(config: LlmConfig, hooks: CreateProviderHooks = {}): LlmProvider {
  if (config.preset === "offline") return new OfflineProvider({ cacheDir: config.offlineCacheDir });
  return new OpenAIProvider({ ...config, name: config.preset, ...hooks });
}

/**
 * The provider the environment asks for.
 *
 * @throws LlmError code `config`, naming the variable, when the environment is wrong.
 * @example
 * ```ts ignore
 * import { createProviderFromEnv } from "./factory.ts";
 * const provider = createProviderFromEnv({ LLM_TYPE: "offline" });
 * ```
 */
export function createProviderFromEnv(
  env?: Record<string, string | undefined>,
  hooks: CreateProviderHooks = {},
): LlmProvider {
  return createProvider(loadLlmConfig(env), hooks);
}

/**
 * {@link CgpLlm} over the configured provider, with the embedding cache opened at
 * `LLM_EMBEDDING_CACHE` (default `~/.cache/cgp-node/embeddings.sqlite`; "off" disables it).
 * When the cache file cannot be opened the node runs without it (logged as a warning).
 */
export function createCgpLlmFromEnv(
  env?: Record<string, string | undefined>,
  hooks: CreateProviderHooks = {},
): { llm: CgpLlm; provider: LlmProvider; config: LlmConfig } {
  const config = loadLlmConfig(env);
  const provider = createProvider(config, hooks);
  let cache: EmbeddingCache | null = null;
  if (config.embeddingCachePath) {
    try {
      cache = EmbeddingCache.open(config.embeddingCachePath);
    } catch (e) {
      log.warn("embedding cache {path} unusable ({reason}); running without it", {
        path: config.embeddingCachePath,
        reason: (e as Error).message,
      });
    }
  }
  const llm = new CgpLlm(provider, {
    cache,
    qualityModel: config.qualityModel,
    failOpenValidation: config.failOpenValidation,
  });
  return { llm, provider, config };
}
