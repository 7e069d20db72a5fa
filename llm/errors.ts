/**
 * @module
 * The one error type of the LLM layer. Every failure a caller can see (bad configuration,
 * HTTP status, timeout, network, malformed reply) is an {@link LlmError} with a `code`, so the
 * miner and validator can decide (skip, fail open, retry later) without parsing messages.
 */

/** What went wrong, coarse enough to branch on. */
export type LlmErrorCode =
  | "config" // bad or missing configuration (see `variable`)
  | "rate_limited" // HTTP 429 after all retries
  | "server" // HTTP 5xx after all retries
  | "client" // HTTP 4xx other than 429 (never retried)
  | "timeout" // no reply within the timeout, after all retries
  | "network" // connection refused/reset, DNS, ... after all retries
  | "malformed" // the reply could not be used (no choices, bad JSON, wrong shape)
  | "unsupported"; // the provider cannot do this (e.g. offline provider got an unknown prompt)

/**
 * An LLM call or configuration failed.
 *
 * @example
 * ```ts
 * import { LlmError } from "./errors.ts";
 * const e = new LlmError("server", "upstream said 503", { status: 503, attempts: 4 });
 * console.log(e.retryable); // true
 * ```
 */
export class LlmError extends Error {
  /** Machine-readable reason. */
  readonly code: LlmErrorCode;
  /** HTTP status when the failure was an HTTP reply. */
  readonly status?: number;
  /** How many attempts were made (1 = no retry). */
  readonly attempts: number;
  /** For `config` errors: the environment variable that was wrong. */
  readonly variable?: string;
  /** The call kind ("tagging", "embedding", ...) when known. */
  readonly kind?: string;

  constructor(
    code: LlmErrorCode,
    message: string,
    opts: {
      status?: number;
      attempts?: number;
      variable?: string;
      kind?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "LlmError";
    this.code = code;
    this.status = opts.status;
    this.attempts = opts.attempts ?? 1;
    this.variable = opts.variable;
    this.kind = opts.kind;
  }

  /** True for failures that a later retry might fix (429, 5xx, timeout, network). */
  get retryable(): boolean {
    return this.code === "rate_limited" || this.code === "server" || this.code === "timeout" ||
      this.code === "network";
  }
}

/** True when `e` is an {@link LlmError} (also across module copies, by name and code). */
export function isLlmError(e: unknown): e is LlmError {
  return e instanceof LlmError ||
    (e instanceof Error && e.name === "LlmError" && typeof (e as LlmError).code === "string");
}
