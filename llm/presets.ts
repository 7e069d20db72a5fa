/**
 * @module
 * Provider presets: where each supported backend lives and its upstream default models
 * (subnet 33 HEAD `conversationgenome/llm/llm_*.py`, see cgp-reference §3.3). Every backend is
 * reached through the OpenAI-compatible API, so one implementation serves them all.
 */

/** Names accepted by `LLM_TYPE` / `LLM_TYPE_OVERRIDE`. */
export const PRESET_NAMES = [
  "openai",
  "openrouter",
  "chutes",
  "groq",
  "anthropic",
  "vllm",
  "ollama",
  "llamacpp",
  "local",
  "offline",
] as const;

/** One of {@link PRESET_NAMES}. */
export type PresetName = typeof PRESET_NAMES[number];

/** Static facts about one backend. */
export interface Preset {
  /** Chat base URL (`undefined` = the SDK default, api.openai.com). */
  baseURL?: string;
  /** Env var holding the API key (`undefined` = no key needed). */
  apiKeyVar?: string;
  /** Env var holding the chat model. */
  modelVar?: string;
  /** Default chat model (`undefined` = the operator must set one). */
  defaultModel?: string;
  /** Model for the conversation-quality check (upstream forces gpt-5-mini on OpenAI). */
  defaultQualityModel?: string;
  /**
   * Where embeddings come from: `"self"` = same endpoint and key, `"openai"` = OpenAI with
   * `OPENAI_API_KEY` (upstream's fallback for Groq and Anthropic).
   */
  embeddingsVia: "self" | "openai";
  /** Env var naming the embedding model. */
  embeddingModelVar?: string;
  /** Default embedding model. */
  defaultEmbeddingModel?: string;
  /** Default embedding dimensions sent as `dimensions` (OpenAI 3-* models only). */
  defaultEmbeddingDimensions?: number;
  /** Env var with a full embeddings URL (…/embeddings) that overrides the endpoint. */
  embeddingUrlVar?: string;
  /** Default full embeddings URL. */
  defaultEmbeddingUrl?: string;
  /** Whether the endpoint honours `response_format: json_object`. */
  jsonMode: boolean;
}

const OPENAI_EMBEDDINGS = {
  embeddingModelVar: "OPENAI_EMBEDDINGS_MODEL",
  defaultEmbeddingModel: "text-embedding-3-small",
  defaultEmbeddingDimensions: 1536,
} as const;

/** The preset table. */
export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  openai: {
    apiKeyVar: "OPENAI_API_KEY",
    modelVar: "OPENAI_MODEL",
    defaultModel: "gpt-5.2",
    defaultQualityModel: "gpt-5-mini",
    embeddingsVia: "self",
    ...OPENAI_EMBEDDINGS,
    jsonMode: true,
  },
  openrouter: {
    baseURL: "https://openrouter.ai/api/v1",
    apiKeyVar: "OPENROUTER_API_KEY",
    modelVar: "OPENROUTER_MODEL",
    defaultModel: "deepseek/deepseek-chat",
    embeddingsVia: "self",
    embeddingModelVar: "OPENROUTER_EMBEDDING_MODEL",
    defaultEmbeddingModel: "text-embedding-3-small",
    jsonMode: true,
  },
  chutes: {
    baseURL: "https://llm.chutes.ai/v1",
    apiKeyVar: "CHUTES_API_KEY",
    modelVar: "CHUTES_MODEL",
    defaultModel: "deepseek-ai/DeepSeek-V3",
    embeddingsVia: "self",
    embeddingModelVar: "CHUTES_EMBEDDING_MODEL",
    defaultEmbeddingModel: "Qwen/Qwen3-Embedding-8B",
    embeddingUrlVar: "CHUTES_EMBEDDING_URL",
    defaultEmbeddingUrl: "https://chutes-qwen-qwen3-embedding-8b.chutes.ai/v1/embeddings",
    jsonMode: true,
  },
  groq: {
    baseURL: "https://api.groq.com/openai/v1",
    apiKeyVar: "GROQ_API_KEY",
    modelVar: "GROQ_MODEL",
    defaultModel: "llama3-8b-8192",
    embeddingsVia: "openai",
    ...OPENAI_EMBEDDINGS,
    jsonMode: true,
  },
  anthropic: {
    baseURL: "https://api.anthropic.com/v1/",
    apiKeyVar: "ANTHROPIC_API_KEY",
    modelVar: "ANTHROPIC_MODEL",
    defaultModel: "claude-3-sonnet-20240229",
    embeddingsVia: "openai",
    ...OPENAI_EMBEDDINGS,
    jsonMode: false,
  },
  vllm: {
    baseURL: "http://127.0.0.1:8000/v1",
    modelVar: "LLM_MODEL",
    embeddingsVia: "self",
    embeddingModelVar: "LLM_EMBEDDINGS_MODEL",
    jsonMode: true,
  },
  ollama: {
    baseURL: "http://127.0.0.1:11434/v1",
    modelVar: "LLM_MODEL",
    defaultModel: "llama3.1",
    embeddingsVia: "self",
    embeddingModelVar: "LLM_EMBEDDINGS_MODEL",
    defaultEmbeddingModel: "nomic-embed-text",
    jsonMode: true,
  },
  llamacpp: {
    baseURL: "http://127.0.0.1:8080/v1",
    modelVar: "LLM_MODEL",
    defaultModel: "default",
    embeddingsVia: "self",
    embeddingModelVar: "LLM_EMBEDDINGS_MODEL",
    defaultEmbeddingModel: "default",
    jsonMode: true,
  },
  local: {
    modelVar: "LLM_MODEL",
    embeddingsVia: "self",
    embeddingModelVar: "LLM_EMBEDDINGS_MODEL",
    jsonMode: true,
  },
  offline: {
    defaultModel: "offline-keywords",
    embeddingsVia: "self",
    defaultEmbeddingModel: "glove-sg-100d",
    defaultEmbeddingDimensions: 100,
    jsonMode: true,
  },
};
