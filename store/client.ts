/**
 * @module
 * The validator's client of a conversation store: the hosted CGP API
 * (`https://api.conversations.xyz` to reserve, `https://db.conversations.xyz` to record) or ours.
 * Every call resolves to a typed result and never throws: network errors, timeouts
 * (`HTTP_TIMEOUT`, default 60 s) and 5xx are retried with exponential backoff, 4xx are not, and a
 * reply that is not a valid task bundle is a failure the validator can skip.
 */
import { Http1Client } from "../protocol/http1_client.ts";
import type { z } from "zod";
import {
  describeZodError,
  type LegacyConversation,
  LegacyConversationSchema,
  type TaskBundle,
  TaskBundleSchema,
} from "../tasks/mod.ts";
import { readApiKeyFile } from "./api_key_file.ts";
import {
  ApiKeyResponseSchema,
  CGP_VERSION,
  GenerateMessageResponseSchema,
  RecordBodyEeSchema,
  RecordBodyHeadSchema,
} from "./schemas.ts";

/** Upstream's hosted API (reserve, key issuance). */
export const HOSTED_READ_URL = "https://api.conversations.xyz";
/** Upstream's hosted write host (records). */
export const HOSTED_WRITE_URL = "https://db.conversations.xyz";
/** Default request timeout, upstream `HTTP_TIMEOUT` (seconds). */
export const DEFAULT_HTTP_TIMEOUT_S = 60;

/** Why a call failed. */
export type FailureKind =
  | "network" // connection refused, reset, DNS…
  | "timeout"
  | "http" // 4xx, or 5xx after the retries
  | "unavailable" // 404/503 from reserve: nothing to hand out right now
  | "invalid"; // the reply (or our own record body) does not match its schema

/** A failed call. */
export interface Failure {
  ok: false;
  kind: FailureKind;
  reason: string;
  status?: number;
}

/** Result of {@link StoreClient.reserve}. */
export type ReserveResult = { ok: true; bundle: TaskBundle } | Failure;
/** Result of {@link StoreClient.reserveLegacy}. */
export type LegacyReserveResult = { ok: true; conversation: LegacyConversation } | Failure;
/** Result of {@link StoreClient.record}. */
export type RecordResult = { ok: true; status: number; duplicate: boolean } | Failure;

/** A record body in today's format or the first version's. */
export type RecordBody = z.input<typeof RecordBodyHeadSchema> | z.input<typeof RecordBodyEeSchema>;

/** Client settings; defaults in {@link StoreClient.defaults}. */
export interface StoreClientOptions {
  /** Base URL for reserve and key issuance (default: the hosted API). */
  readUrl?: string;
  /** Base URL for records (default: `readUrl` when given, else the hosted write host). */
  writeUrl?: string;
  /** API key sent as `Authorization: Bearer`; `undefined` reads `readyai_api_data.json`. */
  apiKey?: string | null;
  /** Where to read the key from when `apiKey` is undefined. */
  apiKeyFile?: string;
  /** Per-attempt timeout in ms (default `HTTP_TIMEOUT` env seconds, else 60 s). */
  timeoutMs?: number;
  /** Retries after the first attempt on network errors, timeouts and 5xx (default 3). */
  retries?: number;
  /** First backoff delay in ms, doubled each retry with jitter, capped at 10 s (default 500). */
  backoffMs?: number;
  /** `cgp_version` query parameter (default upstream's current). */
  cgpVersion?: string;
  /** `options` query parameter (upstream sends `22` when `CGP_API_OPTIONS` contains it). */
  options?: string | null;
  /** Injected fetch (tests). */
  fetch?: typeof fetch;
}

/**
 * Reserve and record against a conversation store.
 *
 * @example
 * ```ts ignore
 * const client = await StoreClient.create({ readUrl: "http://127.0.0.1:8000" });
 * const r = await client.reserve();
 * if (r.ok) console.log(r.bundle.guid); else console.warn(r.reason);
 * ```
 */
export class StoreClient {
  /** Defaults in one place. */
  static readonly defaults = { retries: 3, backoffMs: 500, maxBackoffMs: 10_000 };
  readonly readUrl: string;
  readonly writeUrl: string;
  readonly apiKey: string | null;
  readonly #o: Required<Pick<StoreClientOptions, "timeoutMs" | "retries" | "backoffMs">> & {
    cgpVersion: string;
    options: string | null;
    fetch: typeof fetch;
  };
  readonly #http: Http1Client | undefined;

  /** A client with the key given (or none); see {@link StoreClient.create} to read the file. */
  constructor(options: StoreClientOptions & { apiKey: string | null }) {
    this.readUrl = trimSlash(options.readUrl ?? HOSTED_READ_URL);
    this.writeUrl = trimSlash(
      options.writeUrl ?? (options.readUrl ? options.readUrl : HOSTED_WRITE_URL),
    );
    this.apiKey = options.apiKey;
    const envTimeout = Number(Deno.env.get("HTTP_TIMEOUT") ?? NaN);
    this.#o = {
      timeoutMs: options.timeoutMs ??
        (envTimeout > 0 ? envTimeout * 1000 : DEFAULT_HTTP_TIMEOUT_S * 1000),
      retries: options.retries ?? StoreClient.defaults.retries,
      backoffMs: options.backoffMs ?? StoreClient.defaults.backoffMs,
      cgpVersion: options.cgpVersion ?? CGP_VERSION,
      options: options.options ?? null,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    };
    this.#http = options.fetch ? undefined : new Http1Client();
  }

  /** A client whose key comes from the options or, when absent, `readyai_api_data.json`. */
  static async create(options: StoreClientOptions = {}): Promise<StoreClient> {
    let key = options.apiKey;
    if (key === undefined) {
      try {
        key = await readApiKeyFile(options.apiKeyFile);
      } catch {
        key = null;
      }
    }
    return new StoreClient({ ...options, apiKey: key ?? null });
  }

  #reserveUrl(format?: "legacy"): string {
    const u = new URL(`${this.readUrl}/api/v1/conversation/reserve`);
    u.searchParams.set("cgp_version", this.#o.cgpVersion);
    if (this.#o.options) u.searchParams.set("options", this.#o.options);
    if (format) u.searchParams.set("format", format);
    return u.toString();
  }

  /** Reserves a task bundle (optionally of a type, or one guid). */
  async reserve(
    req: { taskType?: string; taskGuid?: string } = {},
  ): Promise<ReserveResult> {
    const body: Record<string, string> = {};
    if (req.taskType) body.task_type = req.taskType;
    if (req.taskGuid) body.task_guid = req.taskGuid;
    const r = await this.#send("POST", this.#reserveUrl(), body);
    if (!r.ok) return reserveFailure(r);
    const p = TaskBundleSchema.safeParse(r.json);
    if (!p.success) {
      return {
        ok: false,
        kind: "invalid",
        reason: `reserve: not a valid task bundle: ${describeZodError(p.error)}`,
        status: r.status,
      };
    }
    return { ok: true, bundle: p.data };
  }

  /** Reserves a conversation in the first version's plain format (our store only). */
  async reserveLegacy(): Promise<LegacyReserveResult> {
    const r = await this.#send("POST", this.#reserveUrl("legacy"), { format: "legacy" });
    if (!r.ok) return reserveFailure(r);
    const p = LegacyConversationSchema.safeParse(r.json);
    if (!p.success) {
      return {
        ok: false,
        kind: "invalid",
        reason: `reserve: not a valid conversation: ${describeZodError(p.error)}`,
        status: r.status,
      };
    }
    return { ok: true, conversation: p.data };
  }

  /**
   * PUTs a validator or miner record for a bundle. The body is checked before sending; the
   * store treats a byte-identical retry as a no-op (or use `idempotencyKey`).
   */
  async record(
    guid: string,
    body: RecordBody,
    opts: { idempotencyKey?: string } = {},
  ): Promise<RecordResult> {
    const schema = "neuron_type" in body ? RecordBodyHeadSchema : RecordBodyEeSchema;
    const p = schema.safeParse(body);
    if (!p.success) {
      return { ok: false, kind: "invalid", reason: `record body: ${describeZodError(p.error)}` };
    }
    const url = `${this.writeUrl}/api/v1/conversation/record/${encodeURIComponent(guid)}`;
    const headers: Record<string, string> = {};
    if (opts.idempotencyKey) headers["idempotency-key"] = opts.idempotencyKey;
    const r = await this.#send("PUT", url, body, headers);
    if (!r.ok) return r;
    const dup = (r.json as { duplicate?: unknown } | null)?.duplicate === true;
    return { ok: true, status: r.status, duplicate: dup };
  }

  /** Key issuance step 1 (no API key needed). */
  async generateMessage(
    info: { hotkey: string } & Record<string, unknown>,
  ): Promise<{ ok: true; message: string; expiresAt: string } | Failure> {
    const r = await this.#send("POST", `${this.readUrl}/api/v1/generate_message`, info, {}, false);
    if (!r.ok) return r;
    const p = GenerateMessageResponseSchema.safeParse(r.json);
    if (!p.success) return invalid("generate_message", p.error, r.status);
    return { ok: true, message: p.data.message, expiresAt: p.data.expires_at };
  }

  /** Key issuance step 2: the signed message for a key (the raw reply is kept for the file). */
  async generateApiKey(
    hotkey: string,
    message: string,
    signatureHex: string,
  ): Promise<{ ok: true; apiKey: string; data: Record<string, unknown> } | Failure> {
    const r = await this.#send(
      "POST",
      `${this.readUrl}/api/v1/generate_api_key`,
      { hotkey, message, signature: signatureHex },
      {},
      false,
    );
    if (!r.ok) return r;
    const p = ApiKeyResponseSchema.safeParse(r.json);
    if (!p.success) return invalid("generate_api_key", p.error, r.status);
    return { ok: true, apiKey: p.data.api_key, data: p.data as Record<string, unknown> };
  }

  async #send(
    method: string,
    url: string,
    body: unknown,
    extraHeaders: Record<string, string> = {},
    auth = true,
  ): Promise<{ ok: true; status: number; json: unknown } | Failure> {
    const headers: Record<string, string> = {
      accept: "application/json",
      "accept-language": "en_US",
      "content-type": "application/json",
      ...extraHeaders,
    };
    if (auth && this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    const payload = JSON.stringify(body ?? {});
    let last: Failure = { ok: false, kind: "network", reason: "not attempted" };
    for (let attempt = 0; attempt <= this.#o.retries; attempt++) {
      if (attempt > 0) await sleep(this.#delay(attempt));
      let res: { status: number; text: string };
      try {
        res = await this.#exchange(method, url, headers, payload);
      } catch (e) {
        const timeout = e instanceof DOMException &&
          (e.name === "TimeoutError" || e.name === "AbortError");
        last = {
          ok: false,
          kind: timeout ? "timeout" : "network",
          reason: timeout
            ? `${method} ${url}: no answer within ${this.#o.timeoutMs} ms`
            : `${method} ${url}: ${(e as Error).message}`,
        };
        continue;
      }
      const text = res.text;
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch { /* handled below */ }
      if (res.status >= 200 && res.status < 300) {
        if (json === null && text.trim() !== "null") {
          return {
            ok: false,
            kind: "invalid",
            reason: `${method} ${url}: reply is not JSON`,
            status: res.status,
          };
        }
        return { ok: true, status: res.status, json };
      }
      const msg = errorMessage(json) ?? text.slice(0, 200);
      last = {
        ok: false,
        kind: "http",
        reason: `${method} ${url}: HTTP ${res.status}${msg ? `: ${msg}` : ""}`,
        status: res.status,
      };
      if (res.status < 500 && res.status !== 429) return last;
    }
    return last;
  }

  /**
   * One attempt: plain `http:` stores (the local one, a self-hosted one) through the keep-alive
   * HTTP/1.1 client, which costs a validator far less CPU per record than `fetch`; `https:` (the
   * hosted API) and an injected fetch through `fetch`.
   */
  async #exchange(
    method: string,
    url: string,
    headers: Record<string, string>,
    payload: string,
  ): Promise<{ status: number; text: string }> {
    const signal = AbortSignal.timeout(this.#o.timeoutMs);
    if (this.#http && url.startsWith("http://")) {
      const res = await this.#http.request({ method, url, headers, body: payload, signal });
      return { status: res.status, text: res.text() };
    }
    const res = await this.#o.fetch(url, { method, headers, body: payload, signal });
    return { status: res.status, text: await res.text() };
  }

  /** Closes the kept-alive connections (a later call opens new ones). */
  close(): void {
    this.#http?.close();
  }

  #delay(attempt: number): number {
    const base = Math.min(
      StoreClient.defaults.maxBackoffMs,
      this.#o.backoffMs * 2 ** (attempt - 1),
    );
    return base / 2 + Math.random() * base / 2;
  }
}

function reserveFailure(f: Failure): Failure {
  if (f.kind === "http" && (f.status === 404 || f.status === 503)) {
    return { ...f, kind: "unavailable" };
  }
  return f;
}

function invalid(what: string, err: z.ZodError, status: number): Failure {
  return { ok: false, kind: "invalid", reason: `${what}: ${describeZodError(err)}`, status };
}

function errorMessage(json: unknown): string | null {
  if (json && typeof json === "object") {
    const j = json as Record<string, unknown>;
    for (const k of ["error", "detail", "message"]) if (typeof j[k] === "string") return j[k];
  }
  return null;
}

function trimSlash(u: string): string {
  return u.replace(/\/+$/, "");
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
