/**
 * @module
 * Exponential backoff with full jitter, for retrying LLM calls on 429, 5xx, timeouts and network
 * errors (never on other 4xx). Pure delay computation is separate from the loop so it can be
 * tested without waiting.
 */

/** Backoff settings. */
export interface BackoffOptions {
  /** Retries after the first attempt (0 = try once). */
  retries: number;
  /** Delay cap before jitter for the first retry, in ms. */
  baseDelayMs: number;
  /** Upper bound of any delay, in ms. */
  maxDelayMs: number;
  /** Source of randomness in [0, 1) (injectable for tests). */
  random?: () => number;
}

/**
 * Delay before retry number `retry` (1-based): full jitter over
 * `min(maxDelayMs, baseDelayMs * 2^(retry-1))`, but at least `retryAfterMs` when the server
 * asked for it (capped at `maxDelayMs`).
 */
export function backoffDelay(
  retry: number,
  opts: BackoffOptions,
  retryAfterMs?: number,
): number {
  const cap = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const r = (opts.random ?? Math.random)();
  const jittered = cap / 2 + (cap / 2) * r; // "equal jitter": never zero, never above cap
  const floor = retryAfterMs !== undefined ? Math.min(retryAfterMs, opts.maxDelayMs) : 0;
  return Math.max(jittered, floor);
}

/** Sleeps `ms`, rejecting early with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const id = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(id);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
