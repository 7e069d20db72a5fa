/**
 * @module
 * Request nonces: nanosecond `bigint`s, strictly increasing per `(hotkey, uuid)`. The axon side
 * ({@link NonceStore}) applies the upstream rules (bittensor-wire.md §3.2): a first nonce must be
 * newer than `now − 4 s − timeout` (for dendrites ≥ 7.2.0), later ones must exceed the last one
 * accepted. The dendrite side ({@link NonceClock}) emits strictly increasing nonces.
 */
import { V_7_2_0 } from "./version.ts";

/** Upstream `ALLOWED_DELTA`: 4 s in ns. */
export const ALLOWED_DELTA_NS = 4_000_000_000n;
/** Upstream `NANOSECONDS_IN_SECOND`. */
export const NANOSECONDS_IN_SECOND = 1_000_000_000n;

/** The current wall clock in ns (sub-ms digits from the monotonic clock). */
export function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

const timeoutNs = (timeoutS: number | null) =>
  BigInt(Math.round((timeoutS ?? 0) * Number(NANOSECONDS_IN_SECOND)));

/**
 * Upstream `allowed_nonce_window_ns`: a first nonce must be strictly greater than this.
 *
 * @example
 * ```ts
 * import { allowedNonceWindowNs } from "./nonce.ts";
 * allowedNonceWindowNs(20_000_000_000n, 12); // 4_000_000_000n
 * ```
 */
export function allowedNonceWindowNs(currentNs: bigint, timeoutS: number | null): bigint {
  return currentNs - ALLOWED_DELTA_NS - timeoutNs(timeoutS);
}

/** Python `f"{x:.2f}"` of `ns / 1e9`. */
const seconds2 = (ns: bigint) => (Number(ns) / 1e9).toFixed(2);

/** Raised when a nonce is rejected; the message is upstream's. */
export class NonceError extends Error {
  override name = "NonceError";
}

/** What the store needs to know about a request. */
export interface NonceRequest {
  hotkey: string;
  uuid: string | null;
  nonce: bigint | null;
  version: number | null;
  timeout: number | null;
}

/** Options of a {@link NonceStore}. */
export interface NonceStoreOptions {
  /** Most endpoint keys kept (oldest-used are dropped first). Default 100 000. */
  maxKeys?: number;
  /** The clock, in ns (tests pass a fixed one). */
  now?: () => bigint;
}

/**
 * The axon's per-endpoint (`hotkey:uuid`) last accepted nonces.
 *
 * @example
 * ```ts
 * import { NonceStore, nowNs } from "./nonce.ts";
 * const store = new NonceStore();
 * const req = { hotkey: "5G..", uuid: "u", nonce: nowNs(), version: 10002000, timeout: 12 };
 * store.check(req); // throws NonceError when rejected
 * store.commit(req);
 * ```
 */
export class NonceStore {
  readonly #last = new Map<string, bigint>();
  readonly #maxKeys: number;
  readonly #now: () => bigint;

  constructor(opts: NonceStoreOptions = {}) {
    this.#maxKeys = opts.maxKeys ?? 100_000;
    this.#now = opts.now ?? nowNs;
  }

  /** Throws {@link NonceError} (upstream message) if `req` must be rejected. */
  check(req: NonceRequest): void {
    if (req.nonce === null) throw new NonceError("Missing Nonce");
    const stored = this.#last.get(`${req.hotkey}:${req.uuid}`);
    if (req.version !== null && req.version >= V_7_2_0 && stored === undefined) {
      const now = this.#now();
      if (req.nonce <= allowedNonceWindowNs(now, req.timeout)) {
        const allowed = ALLOWED_DELTA_NS + timeoutNs(req.timeout);
        throw new NonceError(
          `Nonce is too old: acceptable delta is ${seconds2(allowed)} seconds but request was ${
            seconds2(now - req.nonce)
          } seconds old`,
        );
      }
    }
    if (stored !== undefined && req.nonce <= stored) {
      throw new NonceError("Nonce is too old, a newer one was last processed");
    }
  }

  /**
   * Records `req.nonce` as the last one accepted for its endpoint, after the signature has been
   * verified. Re-checks first: a concurrent request may have committed a newer nonce meanwhile.
   */
  commit(req: NonceRequest): void {
    this.check(req);
    const key = `${req.hotkey}:${req.uuid}`;
    this.#last.delete(key);
    this.#last.set(key, req.nonce!);
    if (this.#last.size > this.#maxKeys) {
      this.#last.delete(this.#last.keys().next().value!);
    }
  }

  /** Number of endpoints remembered. */
  get size(): number {
    return this.#last.size;
  }
}

/**
 * Strictly increasing ns nonces for a dendrite: `max(last + 1, now)`.
 *
 * @example
 * ```ts
 * import { NonceClock } from "./nonce.ts";
 * const clock = new NonceClock();
 * clock.next() < clock.next(); // true
 * ```
 */
export class NonceClock {
  #last = 0n;
  readonly #now: () => bigint;

  constructor(now: () => bigint = nowNs) {
    this.#now = now;
  }

  /** The next nonce. */
  next(): bigint {
    const n = this.#now();
    this.#last = n > this.#last ? n : this.#last + 1n;
    return this.#last;
  }
}
