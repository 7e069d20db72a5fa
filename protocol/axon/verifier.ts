/**
 * @module
 * sr25519 verification for the axon, behind one small interface so it can run in the request
 * thread ({@link inlineVerifier}) or in a pool of Web Workers ({@link createVerifyPool}) that
 * spreads the wasm verifications (~0.3 ms each on an idle core) over the cores while the nonce
 * store stays in the one server thread.
 */
import { sr25519VerifierReady, sr25519VerifyMessage } from "../sr25519_verify.ts";
import { SlotState, VerifyQueue } from "./verify_queue.ts";

/** Verifies an sr25519 signature of `message` (with the `<Bytes>` fallback). */
export interface Verifier {
  verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
  /** Releases workers, if any. */
  close(): void;
}

/** Verification (wasm) in the calling thread. */
export function inlineVerifier(): Verifier {
  return {
    async verify(message, signature, publicKey) {
      await sr25519VerifierReady();
      return sr25519VerifyMessage(message, signature, publicKey);
    },
    close() {},
  };
}

/** The start message of a verify worker: the shared job queue. */
export interface VerifyWorkerInit {
  buffer: SharedArrayBuffer;
  slots: number;
}

/** Options of {@link createVerifyPool}. */
export interface VerifyPoolOptions {
  /**
   * Jobs that can be queued in shared memory at once (default 256); more wait in a list in the
   * calling thread until a slot frees, so a burst is delayed, never refused.
   */
  slots?: number;
}

/**
 * A pool of `size` Web Workers verifying in parallel. The calling thread only copies each job
 * into shared memory and collects verdicts ({@link VerifyQueue}); the workers do all the
 * verifying. A message too long for a slot (never a real signature message) is verified in the
 * calling thread.
 *
 * @example
 * ```ts
 * import { createVerifyPool } from "./verifier.ts";
 * const pool = createVerifyPool(2);
 * pool.close();
 * ```
 */
export function createVerifyPool(size: number, opts: VerifyPoolOptions = {}): Verifier {
  if (!(Number.isInteger(size) && size >= 1)) {
    throw new Error(`verify pool size must be an integer >= 1, got ${size}`);
  }
  const queue = new VerifyQueue(opts.slots ?? 256);
  const url = new URL("./verify_worker.ts", import.meta.url);
  const workers = Array.from({ length: size }, () => {
    const w = new Worker(url, { type: "module" });
    w.onerror = (e) => {
      e.preventDefault();
      console.error(`verify worker error: ${e.message}`);
    };
    w.postMessage({ buffer: queue.buffer, slots: queue.slots } satisfies VerifyWorkerInit);
    return w;
  });
  const free = Array.from({ length: queue.slots }, (_, i) => queue.slots - 1 - i);
  const inFlight = new Map<number, (ok: boolean) => void>();
  const waiting: Array<() => void> = [];
  let closed = false;
  let collecting = false;

  /** Resolves every finished job; keeps waiting while jobs are in flight. */
  async function collect(): Promise<void> {
    if (collecting) return;
    collecting = true;
    try {
      while (inFlight.size > 0 && !closed) {
        const seen = queue.done();
        for (const [slot, resolve] of inFlight) {
          const st = queue.state(slot);
          if (st === SlotState.Valid || st === SlotState.Invalid) {
            inFlight.delete(slot);
            queue.release(slot);
            free.push(slot);
            resolve(st === SlotState.Valid);
            waiting.shift()?.();
          }
        }
        if (inFlight.size === 0) break;
        await queue.waitDone(seen);
      }
    } finally {
      collecting = false;
    }
  }

  return {
    async verify(message, signature, publicKey) {
      if (closed) throw new Error("verify pool is closed");
      while (free.length === 0) {
        await new Promise<void>((r) => waiting.push(r));
        if (closed) throw new Error("verify pool is closed");
      }
      const slot = free.pop()!;
      if (!queue.submit(slot, message, signature, publicKey)) {
        free.push(slot);
        waiting.shift()?.();
        await sr25519VerifierReady();
        return sr25519VerifyMessage(message, signature, publicKey);
      }
      const verdict = new Promise<boolean>((resolve) => inFlight.set(slot, resolve));
      collect();
      return await verdict;
    },
    close() {
      if (closed) return;
      closed = true;
      queue.stop();
      for (const w of workers) w.terminate();
      for (const resolve of inFlight.values()) resolve(false);
      inFlight.clear();
      for (const wake of waiting.splice(0)) wake();
    },
  };
}
