/**
 * @module
 * {@link OpenAIProvider}: the one HTTP implementation of {@link LlmProvider}, over the `openai`
 * npm SDK, for every OpenAI-compatible backend (OpenAI, OpenRouter, Chutes, Groq, Anthropic's
 * compatibility endpoint, vLLM, Ollama, llama.cpp). Adds what the SDK leaves to us: a concurrency
 * limit, retries with exponential backoff and jitter on 429/5xx/timeouts/network errors only,
 * a typed {@link LlmError} for every failure, and token/cost accounting per call kind.
 */
import OpenAI from "openai";
import { logger } from "../config/logging.ts";
import type { LlmConfig } from "./config.ts";
import { LlmError, type LlmErrorCode } from "./errors.ts";
import type { CallKind, ChatRequest, ChatResult, EmbedOptions, LlmProvider } from "./provider.ts";
import { backoffDelay, sleep } from "./retry.ts";
import { Semaphore } from "./semaphore.ts";
import { UsageMeter, type UsageSnapshot } from "./usage.ts";

const log = logger("llm");

/** Settings of an {@link OpenAIProvider}: an {@link LlmConfig} minus the parts it ignores. */
export type OpenAIProviderOptions =
  & Pick<
    LlmConfig,
    | "baseURL"
    | "apiKey"
    | "chatModel"
    | "embeddings"
    | "timeoutMs"
    | "maxRetries"
    | "retryBaseMs"
    | "retryMaxMs"
    | "concurrency"
    | "embeddingBatchSize"
  >
  & Partial<Pick<LlmConfig, "jsonMode" | "extraBody" | "prices">>
  & {
    /** Preset name for logs and `provider.name` (default "openai"). */
    name?: string;
    /** Randomness for backoff jitter (tests). */
    random?: () => number;
    /** Custom fetch (tests, proxies). */
    fetch?: typeof fetch;
  };

interface Classified {
  code: LlmErrorCode;
  status?: number;
  retryAfterMs?: number;
  message: string;
}

function classify(err: unknown): Classified {
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return { code: "timeout", message: "request timed out" };
  }
  if (err instanceof OpenAI.APIConnectionError) {
    return { code: "network", message: `connection failed: ${err.message}` };
  }
  if (err instanceof OpenAI.APIError && typeof err.status === "number") {
    const s = err.status;
    let retryAfterMs: number | undefined;
    const ra = err.headers?.get?.("retry-after");
    if (ra && /^\d+(\.\d+)?$/.test(ra)) retryAfterMs = Number(ra) * 1000;
    const code: LlmErrorCode = s === 429
      ? "rate_limited"
      : s >= 500
      ? "server"
      : s === 408
      ? "timeout"
      : "client";
    return { code, status: s, retryAfterMs, message: `HTTP ${s}: ${err.message}` };
  }
  if (err instanceof LlmError) return { code: err.code, status: err.status, message: err.message };
  return {
    code: "malformed",
    message: `unusable reply: ${err instanceof Error ? err.message : String(err)}`,
  };
}

function isRetryable(code: LlmErrorCode): boolean {
  return code === "rate_limited" || code === "server" || code === "timeout" || code === "network";
}

/**
 * An OpenAI-compatible provider.
 *
 * @example
 * ```ts ignore
 * import { loadLlmConfig } from "./config.ts";
 * import { OpenAIProvider } from "./openai_provider.ts";
 * const p = new OpenAIProvider(loadLlmConfig());
 * const r = await p.chat({ prompt: "Say hi", kind: "other" });
 * console.log(r.text, p.usage().total.totalTokens);
 * ```
 */
export class OpenAIProvider implements LlmProvider {
  readonly name: string;
  readonly chatModel: string;
  readonly embeddingModel: string;
  readonly embeddingDimensions?: number;
  readonly #chat: OpenAI;
  readonly #emb: OpenAI;
  readonly #opts: OpenAIProviderOptions;
  readonly #sem: Semaphore;
  readonly #meter: UsageMeter;

  constructor(opts: OpenAIProviderOptions) {
    this.#opts = opts;
    this.name = opts.name ?? "openai";
    this.chatModel = opts.chatModel;
    this.embeddingModel = opts.embeddings.model;
    this.embeddingDimensions = opts.embeddings.dimensions;
    this.#sem = new Semaphore(opts.concurrency);
    this.#meter = new UsageMeter(opts.prices);
    const common = { maxRetries: 0, timeout: opts.timeoutMs, fetch: opts.fetch };
    this.#chat = new OpenAI({ ...common, apiKey: opts.apiKey, baseURL: opts.baseURL });
    this.#emb = opts.embeddings.baseURL === opts.baseURL && opts.embeddings.apiKey === opts.apiKey
      ? this.#chat
      : new OpenAI({ ...common, apiKey: opts.embeddings.apiKey, baseURL: opts.embeddings.baseURL });
  }

  /** Runs `attempt` under the semaphore with retries; returns its value and the retry count. */
  async #withRetry<T>(
    kind: CallKind,
    what: string,
    signal: AbortSignal | undefined,
    attempt: () => Promise<T>,
  ): Promise<{ value: T; retries: number }> {
    const backoff = {
      retries: this.#opts.maxRetries,
      baseDelayMs: this.#opts.retryBaseMs,
      maxDelayMs: this.#opts.retryMaxMs,
      random: this.#opts.random,
    };
    for (let retry = 0;; retry++) {
      if (signal?.aborted) throw signal.reason;
      let c: Classified;
      try {
        const value = await this.#sem.run(attempt);
        return { value, retries: retry };
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (err instanceof OpenAI.APIUserAbortError) throw err;
        c = classify(err);
        if (!isRetryable(c.code) || retry >= backoff.retries) {
          this.#meter.recordFailure(kind, retry);
          throw new LlmError(
            c.code,
            `${this.name} ${what} failed after ${retry + 1} attempt(s): ${c.message}`,
            { status: c.status, attempts: retry + 1, kind, cause: err },
          );
        }
      }
      const delay = backoffDelay(retry + 1, backoff, c.retryAfterMs);
      log.debug("{provider} {what} {code}; retry {n} in {delay} ms", {
        provider: this.name,
        what,
        code: c.code,
        n: retry + 1,
        delay: Math.round(delay),
      });
      await sleep(delay, signal);
    }
  }

  /** One chat completion; see {@link LlmProvider.chat}. */
  async chat(req: ChatRequest): Promise<ChatResult> {
    const model = req.model ?? this.chatModel;
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [];
    if (req.system) messages.push({ role: "system", content: req.system });
    messages.push({ role: "user", content: req.prompt });
    const body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming & Record<string, unknown> = {
      ...(this.#opts.extraBody ?? {}),
      model,
      messages,
    };
    if (req.json && this.#opts.jsonMode !== false) body.response_format = { type: "json_object" };
    if (req.maxTokens !== undefined) body.max_completion_tokens = req.maxTokens;
    if (req.temperature !== undefined) body.temperature = req.temperature;

    const { value, retries } = await this.#withRetry(req.kind, "chat", req.signal, async () => {
      const res = await this.#chat.chat.completions.create(body, { signal: req.signal });
      if (!res || !Array.isArray(res.choices) || res.choices.length === 0) {
        throw new LlmError("malformed", "reply has no choices");
      }
      const content = res.choices[0]?.message?.content;
      if (content !== null && content !== undefined && typeof content !== "string") {
        throw new LlmError("malformed", "reply content is not a string");
      }
      return res;
    });
    const promptTokens = value.usage?.prompt_tokens ?? 0;
    const completionTokens = value.usage?.completion_tokens ?? 0;
    // Price by the requested model: servers often answer with a dated variant name.
    this.#meter.recordSuccess(req.kind, model, promptTokens, completionTokens, retries);
    return {
      text: value.choices[0].message?.content ?? "",
      model: value.model || model,
      promptTokens,
      completionTokens,
    };
  }

  /** Embeddings in batches of `embeddingBatchSize`; see {@link LlmProvider.embed}. */
  async embed(texts: string[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
    const kind = opts.kind ?? "embedding";
    const out: Float32Array[] = [];
    const size = this.#opts.embeddingBatchSize;
    for (let i = 0; i < texts.length; i += size) {
      // Newlines degrade some embedding models (upstream replaces them too).
      const batch = texts.slice(i, i + size).map((t) => t.replace(/\n/g, " "));
      out.push(...await this.#embedBatch(batch, kind, opts.signal));
    }
    return out;
  }

  async #embedBatch(
    batch: string[],
    kind: CallKind,
    signal?: AbortSignal,
  ): Promise<Float32Array[]> {
    const dims = this.embeddingDimensions;
    const params: OpenAI.EmbeddingCreateParams = {
      model: this.embeddingModel,
      input: batch,
      encoding_format: "float",
    };
    if (dims !== undefined && /^text-embedding-3-/.test(this.embeddingModel)) {
      params.dimensions = dims;
    }
    const { value, retries } = await this.#withRetry(kind, "embeddings", signal, async () => {
      const res = await this.#emb.embeddings.create(params, { signal });
      const data = res?.data;
      if (!Array.isArray(data) || data.length !== batch.length) {
        throw new LlmError(
          "malformed",
          `expected ${batch.length} embeddings, got ${Array.isArray(data) ? data.length : "none"}`,
        );
      }
      const vecs: Float32Array[] = new Array(batch.length);
      let width = dims;
      for (let j = 0; j < data.length; j++) {
        const d = data[j];
        const idx = typeof d?.index === "number" ? d.index : j;
        const emb = d?.embedding as unknown;
        if (!Array.isArray(emb) || idx < 0 || idx >= batch.length || vecs[idx]) {
          throw new LlmError("malformed", `embedding ${j} is missing or misplaced`);
        }
        width ??= emb.length;
        if (emb.length !== width || width === 0) {
          throw new LlmError(
            "malformed",
            `embedding ${j} has ${emb.length} dimensions, expected ${width}`,
          );
        }
        const v = Float32Array.from(emb as number[]);
        if (!v.every(Number.isFinite)) {
          throw new LlmError("malformed", `embedding ${j} has non-finite values`);
        }
        vecs[idx] = v;
      }
      return { vecs, tokens: res.usage?.prompt_tokens ?? 0 };
    });
    this.#meter.recordSuccess(kind, this.embeddingModel, value.tokens, 0, retries);
    return value.vecs;
  }

  /** Usage so far. */
  usage(): UsageSnapshot {
    return this.#meter.snapshot();
  }

  /** Nothing to release: the SDK uses the global fetch. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
