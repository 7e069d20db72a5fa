/**
 * @module
 * A fake OpenAI-compatible HTTP server for tests and the demo: `POST /v1/chat/completions`
 * (text and `response_format: {type: "json_object"}`) and `POST /v1/embeddings` (batched input,
 * float or base64), answered by a backend provider (the {@link OfflineProvider} by default), on
 * 127.0.0.1 with an ephemeral port. Failures are scripted on demand, in process
 * ({@link FakeOpenAIServer.enqueue}) or over HTTP (`POST /control/script`): the next N replies
 * with an HTTP status, a delay, invalid JSON, no choices, null content, a missing or wrongly
 * sized embedding. Every request is logged, with the peak number of requests in flight.
 */
import { z } from "zod";
import { isLlmError } from "./errors.ts";
import { OfflineProvider } from "./offline/offline_provider.ts";
import type { LlmProvider } from "./provider.ts";
import { sleep } from "./retry.ts";

/** One scripted behaviour for the next matching request(s). */
export const FakeReplyScriptSchema = z.object({
  /** Which endpoint it applies to (default: any). */
  endpoint: z.enum(["chat", "embeddings", "any"]).default("any"),
  /** How many matching requests it applies to (default 1). */
  times: z.number().int().min(1).default(1),
  /** Reply with this HTTP status and an OpenAI-style error body. */
  status: z.number().int().min(400).max(599).optional(),
  /** `retry-after` header (seconds) on an error reply. */
  retryAfterS: z.number().min(0).optional(),
  /** Wait this long before replying (cut short when the server closes). */
  delayMs: z.number().int().min(0).optional(),
  /** Reply 200 with a broken body of this kind. */
  malformed: z.enum([
    "invalid_json",
    "empty_choices",
    "null_content",
    "missing_embedding",
    "wrong_dims",
  ]).optional(),
  /** Reply with this chat content instead of the backend's. */
  content: z.string().optional(),
});

/** Input form of a script (defaults optional). */
export type FakeReplyScript = z.input<typeof FakeReplyScriptSchema>;
type Script = z.infer<typeof FakeReplyScriptSchema>;

/** One logged request. */
export interface FakeRequestRecord {
  endpoint: "chat" | "embeddings";
  model: string;
  /** Chat: whether JSON mode was asked. */
  json?: boolean;
  /** Chat: the last user message. */
  prompt?: string;
  /** Embeddings: the inputs. */
  inputs?: string[];
  /** The script applied, if any. */
  script?: Script;
  /** Extra body fields the client sent (e.g. OpenRouter's `provider`). */
  extra: Record<string, unknown>;
  authorization: string | null;
}

/** Options of {@link startFakeOpenAIServer}. */
export interface FakeOpenAIServerOptions {
  /** Answers the requests (default: a new {@link OfflineProvider}). */
  backend?: LlmProvider;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (else 401). */
  apiKey?: string;
  /** Port (default 0 = ephemeral). Always bound to 127.0.0.1. */
  port?: number;
  /** Delay added to every reply (ms, default 0). */
  defaultDelayMs?: number;
  /** Load the offline backend's GloVe vectors before listening (default true). */
  warm?: boolean;
}

/** Counters of the server. */
export interface FakeServerStats {
  chat: number;
  embeddings: number;
  /** Requests being handled now, and the most at once so far. */
  inFlight: number;
  maxInFlight: number;
}

/** A running fake server. */
export interface FakeOpenAIServer extends AsyncDisposable {
  /** Base URL for the SDK: `http://127.0.0.1:<port>/v1`. */
  readonly url: string;
  readonly port: number;
  readonly backend: LlmProvider;
  /** Requests so far, oldest first. */
  readonly requests: FakeRequestRecord[];
  /** Appends scripts for the next requests. */
  enqueue(...scripts: FakeReplyScript[]): void;
  /** Scripts not consumed yet. */
  pendingScripts(): number;
  /** Clears the scripts, the request log and the counters. */
  reset(): void;
  stats(): FakeServerStats;
  /**
   * Environment variables that make `createProviderFromEnv` / `createCgpLlmFromEnv` use this
   * server (the `local` preset, the backend's model names, embedding cache off unless given).
   */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Stops the server (the backend is not closed unless the server created it). */
  close(): Promise<void>;
}

const ChatBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({
    role: z.string(),
    content: z.union([
      z.string(),
      z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
      z.null(),
    ]).optional(),
  })).min(1),
  response_format: z.looseObject({ type: z.string() }).optional(),
});

const EmbeddingsBodySchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.number().int().min(1).optional(),
});

function errorResponse(status: number, message: string, headers: HeadersInit = {}): Response {
  const type = status === 429
    ? "rate_limit_exceeded"
    : status >= 500
    ? "server_error"
    : "invalid_request_error";
  return Response.json({ error: { message, type, param: null, code: type } }, {
    status,
    headers,
  });
}

function toBase64(v: Float32Array): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((p) => (typeof p?.text === "string" ? p.text : "")).join("");
  }
  return "";
}

/**
 * Starts the server.
 *
 * @example
 * ```ts ignore
 * import OpenAI from "openai";
 * import { startFakeOpenAIServer } from "./fake_openai_server.ts";
 * await using server = await startFakeOpenAIServer();
 * server.enqueue({ status: 429, times: 2 }); // the next two requests get 429
 * const client = new OpenAI({ baseURL: server.url, apiKey: "test" });
 * ```
 */
export async function startFakeOpenAIServer(
  opts: FakeOpenAIServerOptions = {},
): Promise<FakeOpenAIServer> {
  const ownsBackend = !opts.backend;
  const backend = opts.backend ?? new OfflineProvider();
  if (opts.warm !== false && backend instanceof OfflineProvider) await backend.glove();
  const scripts: Script[] = [];
  const requests: FakeRequestRecord[] = [];
  const counters = { chat: 0, embeddings: 0, inFlight: 0, maxInFlight: 0 };
  const closing = new AbortController();

  const enqueue = (...items: FakeReplyScript[]) => {
    for (const s of items) scripts.push(FakeReplyScriptSchema.parse(s));
  };
  const take = (endpoint: "chat" | "embeddings"): Script | undefined => {
    const i = scripts.findIndex((s) => s.endpoint === "any" || s.endpoint === endpoint);
    if (i === -1) return undefined;
    const s = scripts[i];
    if (--s.times <= 0) scripts.splice(i, 1);
    return { ...s, times: 1 };
  };
  const reset = () => {
    scripts.length = 0;
    requests.length = 0;
    Object.assign(counters, { chat: 0, embeddings: 0, maxInFlight: counters.inFlight });
  };

  /** Sleeps `ms`; cut short when the server closes. */
  async function wait(ms: number) {
    if (ms <= 0) return;
    await sleep(ms, closing.signal).catch(() => {});
  }

  async function chat(req: Request, body: unknown): Promise<Response> {
    const parsed = ChatBodySchema.safeParse(body);
    if (!parsed.success) {
      return errorResponse(400, `invalid chat request: ${parsed.error.issues[0].message}`);
    }
    const { model, messages, response_format, ...extra } = parsed.data;
    const json = response_format?.type === "json_object";
    const user = [...messages].reverse().find((m) => m.role === "user");
    const prompt = textOf(user?.content);
    const script = take("chat");
    counters.chat++;
    requests.push({
      endpoint: "chat",
      model,
      json,
      prompt,
      script,
      extra,
      authorization: req.headers.get("authorization"),
    });
    await wait((opts.defaultDelayMs ?? 0) + (script?.delayMs ?? 0));
    if (script?.status) {
      const headers: Record<string, string> = {};
      if (script.retryAfterS !== undefined) headers["retry-after"] = String(script.retryAfterS);
      return errorResponse(script.status, `scripted ${script.status}`, headers);
    }
    if (script?.malformed === "invalid_json") {
      return new Response('{"id": "chatcmpl-x", "choices": [', {
        headers: { "content-type": "application/json" },
      });
    }
    let content: string | null;
    let promptTokens = Math.ceil(prompt.length / 4), completionTokens = 0;
    if (script?.content !== undefined) {
      content = script.content;
      completionTokens = Math.ceil(content.length / 4);
    } else {
      try {
        const r = await backend.chat({ prompt, kind: "other", json, model });
        content = r.text;
        promptTokens = r.promptTokens;
        completionTokens = r.completionTokens;
      } catch (e) {
        if (isLlmError(e) && (e.code === "unsupported" || e.code === "client")) {
          return errorResponse(400, e.message);
        }
        return errorResponse(500, `backend failed: ${(e as Error).message}`);
      }
    }
    if (script?.malformed === "null_content") content = null;
    const choices = script?.malformed === "empty_choices" ? [] : [{
      index: 0,
      message: { role: "assistant", content, refusal: null },
      finish_reason: "stop",
      logprobs: null,
    }];
    return Response.json({
      id: `chatcmpl-${crypto.randomUUID()}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      choices,
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    });
  }

  async function embeddings(req: Request, body: unknown): Promise<Response> {
    const parsed = EmbeddingsBodySchema.safeParse(body);
    if (!parsed.success) {
      return errorResponse(400, `invalid embeddings request: ${parsed.error.issues[0].message}`);
    }
    const { model, input, encoding_format, dimensions, ...extra } = parsed.data;
    const inputs = typeof input === "string" ? [input] : input;
    const script = take("embeddings");
    counters.embeddings++;
    requests.push({
      endpoint: "embeddings",
      model,
      inputs,
      script,
      extra,
      authorization: req.headers.get("authorization"),
    });
    await wait((opts.defaultDelayMs ?? 0) + (script?.delayMs ?? 0));
    if (script?.status) {
      const headers: Record<string, string> = {};
      if (script.retryAfterS !== undefined) headers["retry-after"] = String(script.retryAfterS);
      return errorResponse(script.status, `scripted ${script.status}`, headers);
    }
    if (script?.malformed === "invalid_json") {
      return new Response('{"data": [', { headers: { "content-type": "application/json" } });
    }
    if (dimensions !== undefined && dimensions !== backend.embeddingDimensions) {
      return errorResponse(
        400,
        `dimensions ${dimensions} not supported (this model has ${backend.embeddingDimensions})`,
      );
    }
    let vecs: Float32Array[];
    try {
      vecs = await backend.embed(inputs, { kind: "embedding" });
    } catch (e) {
      return errorResponse(500, `backend failed: ${(e as Error).message}`);
    }
    if (script?.malformed === "wrong_dims") vecs = vecs.map((v) => v.slice(0, v.length - 1));
    let data = vecs.map((v, index) => ({
      object: "embedding",
      index,
      embedding: encoding_format === "base64" ? toBase64(v) : Array.from(v),
    }));
    if (script?.malformed === "missing_embedding") data = data.slice(1);
    const tokens = inputs.reduce((s, t) => s + Math.max(1, Math.ceil(t.length / 4)), 0);
    return Response.json({
      object: "list",
      data,
      model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  async function control(req: Request, path: string): Promise<Response> {
    if (path === "/control/script" && req.method === "POST") {
      const body = await req.json().catch(() => undefined);
      const items = z.array(FakeReplyScriptSchema).safeParse(Array.isArray(body) ? body : [body]);
      if (!items.success) return errorResponse(400, `bad script: ${items.error.issues[0].message}`);
      scripts.push(...items.data);
      return Response.json({ pending: scripts.length });
    }
    if (path === "/control/reset" && req.method === "POST") {
      reset();
      return Response.json({ ok: true });
    }
    if (path === "/control/stats" && req.method === "GET") {
      return Response.json({ ...counters, pending: scripts.length, requests });
    }
    return errorResponse(404, `no control route ${req.method} ${path}`);
  }

  async function handle(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    if (path.startsWith("/control/")) return await control(req, path);
    if (opts.apiKey !== undefined && req.headers.get("authorization") !== `Bearer ${opts.apiKey}`) {
      return errorResponse(401, "invalid api key");
    }
    if (path === "/v1/models" && req.method === "GET") {
      return Response.json({
        object: "list",
        data: [backend.chatModel, backend.embeddingModel].map((id) => ({
          id,
          object: "model",
          owned_by: "fake",
        })),
      });
    }
    const endpoint = path === "/v1/chat/completions"
      ? "chat"
      : path === "/v1/embeddings"
      ? "embeddings"
      : null;
    if (!endpoint) return errorResponse(404, `unknown route ${req.method} ${path}`);
    if (req.method !== "POST") return errorResponse(405, "use POST");
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      return errorResponse(400, "body is not JSON");
    }
    counters.inFlight++;
    counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
    try {
      return endpoint === "chat" ? await chat(req, body) : await embeddings(req, body);
    } finally {
      counters.inFlight--;
    }
  }

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: opts.port ?? 0,
    signal: closing.signal,
    onListen: () => {},
  }, async (req) => {
    try {
      return await handle(req);
    } catch (e) {
      return errorResponse(500, `fake server error: ${(e as Error).message}`);
    }
  });
  const port = (server.addr as Deno.NetAddr).port;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    closing.abort();
    await server.finished;
    if (ownsBackend) await backend.close();
  };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    backend,
    requests,
    enqueue,
    pendingScripts: () => scripts.length,
    reset,
    stats: () => ({ ...counters }),
    env: (extra = {}) => ({
      LLM_TYPE: "local",
      LLM_BASE_URL: `http://127.0.0.1:${port}/v1`,
      LLM_API_KEY: opts.apiKey ?? "fake-key",
      LLM_MODEL: backend.chatModel,
      LLM_EMBEDDINGS_MODEL: backend.embeddingModel,
      ...(backend.embeddingDimensions !== undefined
        ? { LLM_EMBEDDING_DIMENSIONS: String(backend.embeddingDimensions) }
        : {}),
      LLM_EMBEDDING_CACHE: "off",
      ...extra,
    }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
