/**
 * @module
 * The LLM layer of the node: one provider interface over every OpenAI-compatible backend and an
 * offline one, the subnet-33 prompts, the high-level operations the miner and validator call
 * ({@link CgpLlm}), a persistent embedding cache, and a fake OpenAI server for tests and demos.
 */
export {
  type CallKind,
  type ChatRequest,
  type ChatResult,
  type EmbedOptions,
  type KnownCallKind,
  type LlmProvider,
} from "./provider.ts";
export { isLlmError, LlmError, type LlmErrorCode } from "./errors.ts";
export {
  defaultCacheDir,
  type EmbeddingEndpoint,
  type LlmConfig,
  type LlmEnv,
  LlmEnvSchema,
  loadLlmConfig,
} from "./config.ts";
export { type Preset, PRESET_NAMES, type PresetName, PRESETS } from "./presets.ts";
export { callCost, DEFAULT_PRICES, type ModelPrice } from "./prices.ts";
export { type UsageCounters, UsageMeter, type UsageSnapshot } from "./usage.ts";
export { Semaphore } from "./semaphore.ts";
export { backoffDelay, type BackoffOptions } from "./retry.ts";
export { OpenAIProvider, type OpenAIProviderOptions } from "./openai_provider.ts";
export {
  OFFLINE_CHAT_MODEL,
  OfflineProvider,
  type OfflineProviderOptions,
} from "./offline/offline_provider.ts";
export {
  GLOVE_MODEL,
  gloveCachePath,
  type GloveEmbedder,
  loadGloveEmbedder,
  type LoadGloveOptions,
} from "./offline/glove.ts";
export { EmbeddingCache, type EmbeddingCacheStats } from "./embedding_cache.ts";
export { CgpLlm, type CgpLlmOptions, type ConversationToMetadataOptions } from "./cgp_llm.ts";
export {
  createCgpLlmFromEnv,
  createProvider,
  createProviderFromEnv,
  type CreateProviderHooks,
} from "./factory.ts";
export * from "./prompts/mod.ts";
export {
  type FakeOpenAIServer,
  type FakeOpenAIServerOptions,
  type FakeReplyScript,
  FakeReplyScriptSchema,
  type FakeRequestRecord,
  type FakeServerStats,
  startFakeOpenAIServer,
} from "./fake_openai_server.ts";
