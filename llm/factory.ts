/**
 * @module
 * Builds the configured provider (and the high-level {@link CgpLlm} with its embedding cache)
 * from the environment: `LLM_TYPE_OVERRIDE` / `LLM_TYPE` pick the preset, `offline` picks the
 * {@link OfflineProvider}.
 */
import { CgpLlm } from "./cgp_llm.ts";
import { type LlmConfig, loadLlmConfig } from "./config.ts";
import { EmbeddingCache } from "./embedding_cache.ts";
import { OfflineProvider } from "./offline/offline_provider.ts";
import { OpenAIProvider } from "./openai_provider.ts";
import type { LlmProvider } from "./provider.ts";

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
 * When the cache file cannot be opened the node runs without it (logged by the caller's choice).
 */
export function createCgpLlmFromEnv(
  env?: Record<string, string | undefined>,
  hooks: CreateProviderHooks = {},
): { llm: CgpLlm; provider: LlmProvider; config: LlmConfig } {
  const config = loadLlmConfig(env);
  const provider = createProvider(config, hooks);
  const cache = config.embeddingCachePath ? EmbeddingCache.open(config.embeddingCachePath) : null;
  const llm = new CgpLlm(provider, {
    cache,
    qualityModel: config.qualityModel,
    failOpenValidation: config.failOpenValidation,
  });
  return { llm, provider, config };
}
