/**
 * @module
 * The provider interface every LLM backend implements: chat completion (text or JSON mode) and
 * batched embeddings, each call tagged with a {@link CallKind} so tokens and cost can be
 * accounted per purpose ({@link LlmProvider.usage}).
 */
import type { UsageSnapshot } from "./usage.ts";

/** Purposes of calls, used as accounting buckets. Other strings are allowed too. */
export type KnownCallKind =
  | "tagging"
  | "named_entities"
  | "combine"
  | "survey"
  | "validation"
  | "quality"
  | "embedding"
  | "other";

/** A call kind: one of {@link KnownCallKind} or any other short label. */
export type CallKind = KnownCallKind | (string & Record<never, never>);

/** One chat completion request: a single user prompt, optionally a system message. */
export interface ChatRequest {
  /** The user message (our rendered prompt). */
  prompt: string;
  /** Accounting bucket. */
  kind: CallKind;
  /** Ask for a JSON object (`response_format: {type: "json_object"}`). */
  json?: boolean;
  /** Override the provider's chat model for this call (e.g. the quality check's model). */
  model?: string;
  /** Optional system message. */
  system?: string;
  /** Optional cap on completion tokens. */
  maxTokens?: number;
  /** Optional sampling temperature (omitted when undefined; some models reject it). */
  temperature?: number;
  /** Aborts the call (and its retries). */
  signal?: AbortSignal;
}

/** The reply of a chat completion. */
export interface ChatResult {
  /** The assistant message text ("" when the model returned no content). */
  text: string;
  /** The model that answered (as reported by the server, else the requested one). */
  model: string;
  /** Tokens used by this call (0 when the server did not say). */
  promptTokens: number;
  completionTokens: number;
}

/** Options of one embeddings call. */
export interface EmbedOptions {
  /** Accounting bucket (default "embedding"). */
  kind?: CallKind;
  /** Aborts the call (and its retries). */
  signal?: AbortSignal;
}

/**
 * An LLM backend. Implementations: {@link OpenAIProvider} (any OpenAI-compatible HTTP API) and
 * `OfflineProvider` (no key, no network).
 */
export interface LlmProvider {
  /** Preset or implementation name ("openai", "openrouter", "offline", ...). */
  readonly name: string;
  /** Default chat model. */
  readonly chatModel: string;
  /** Embedding model; the embedding cache is keyed by it. */
  readonly embeddingModel: string;
  /** Embedding dimensions when known up front (verified on every reply). */
  readonly embeddingDimensions?: number;
  /** One chat completion. Throws {@link LlmError} on failure. */
  chat(req: ChatRequest): Promise<ChatResult>;
  /**
   * Embeddings for `texts`, in order, one vector each. Batched internally. Throws
   * {@link LlmError} on failure.
   */
  embed(texts: string[], opts?: EmbedOptions): Promise<Float32Array[]>;
  /** A snapshot of tokens, calls and cost so far, per call kind. */
  usage(): UsageSnapshot;
  /** Releases resources (HTTP keep-alive, workers). Safe to call twice. */
  close(): Promise<void>;
}

export type { UsageSnapshot };
