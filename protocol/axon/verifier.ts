/**
 * @module
 * sr25519 verification for the axon, behind one small interface so it can run in the request
 * thread ({@link inlineVerifier}) or in a pool of Web Workers ({@link createVerifyPool}) that
 * spreads the wasm verifications (~0.4 ms each on an idle core) over the cores while the nonce store stays in the one
 * server thread.
 */
import { sr25519WasmReady, sr25519WasmVerify } from "../sr25519_wasm.ts";

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
      await sr25519WasmReady();
      return sr25519WasmVerify(message, signature, publicKey);
    },
    close() {},
  };
}

/** A request to a verify worker. */
export interface VerifyJob {
  id: number;
  message: Uint8Array;
  signature: Uint8Array;
  publicKey: Uint8Array;
}

/** Options of {@link createVerifyPool}. */
export interface VerifyPoolOptions {
  /**
   * Jobs a worker may have queued; when every worker has this many, the job is verified in the
   * calling thread instead, so that thread also works rather than waits. Default 2.
   */
  maxInFlightPerWorker?: number;
}

/**
 * A pool of `size` Web Workers verifying in parallel; each job goes to the worker with the
 * fewest jobs in flight, or runs in the calling thread when all workers are busy.
 *
 * @example
 * ```ts
 * import { createVerifyPool } from "./verifier.ts";
 * const pool = createVerifyPool(2);
 * pool.close();
 * ```
 */
export function createVerifyPool(size: number, opts: VerifyPoolOptions = {}): Verifier {
  if (!(size >= 1)) throw new Error(`verify pool size must be >= 1, got ${size}`);
  const maxInFlight = opts.maxInFlightPerWorker ?? 2;
  const url = new URL("./verify_worker.ts", import.meta.url);
  const pending = new Map<number, (ok: boolean) => void>();
  const workers = Array.from({ length: size }, () => {
    const w = new Worker(url, { type: "module" });
    const slot = { w, inFlight: 0 };
    w.onmessage = (e: MessageEvent<{ id: number; ok: boolean }>) => {
      slot.inFlight--;
      const done = pending.get(e.data.id);
      pending.delete(e.data.id);
      done?.(e.data.ok);
    };
    w.onerror = (e) => {
      e.preventDefault();
      console.error(`verify worker error: ${e.message}`);
    };
    return slot;
  });
  let nextId = 0;
  return {
    async verify(message, signature, publicKey) {
      let best = workers[0];
      for (const s of workers) if (s.inFlight < best.inFlight) best = s;
      if (best.inFlight >= maxInFlight) {
        await sr25519WasmReady();
        return sr25519WasmVerify(message, signature, publicKey);
      }
      const id = nextId++;
      best.inFlight++;
      return await new Promise<boolean>((resolve) => {
        pending.set(id, resolve);
        best.w.postMessage({ id, message, signature, publicKey } satisfies VerifyJob);
      });
    },
    close() {
      for (const s of workers) s.w.terminate();
      for (const done of pending.values()) done(false);
      pending.clear();
    },
  };
}
