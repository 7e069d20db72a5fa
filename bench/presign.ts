/**
 * @module
 * Pre-signed `CgSynapse` requests for the benches' load generators, signed in parallel workers
 * before the timed window (see `presign_worker.ts`).
 */
import type { Prepared } from "./presign_worker.ts";

export type { Prepared } from "./presign_worker.ts";

/** Signs one request per `cgp_input` for `target`, spread over `workers` Web Workers. */
export async function presign(opts: {
  mnemonic: string;
  target: { ip: string; port: number; hotkey: string };
  inputs: Record<string, unknown>[][];
  timeout: number;
  workers: number;
}): Promise<Prepared[]> {
  const n = Math.max(1, opts.workers);
  const per = Math.ceil(opts.inputs.length / n);
  const parts = await Promise.all(Array.from({ length: n }, (_, i) => {
    const w = new Worker(new URL("./presign_worker.ts", import.meta.url), { type: "module" });
    return new Promise<Prepared[]>((resolve, reject) => {
      w.onmessage = (e) => (w.terminate(), resolve(e.data));
      w.onerror = (e) => (w.terminate(), reject(new Error(e.message)));
      w.postMessage({
        mnemonic: opts.mnemonic,
        target: opts.target,
        inputs: opts.inputs.slice(i * per, (i + 1) * per),
        timeout: opts.timeout,
      });
    });
  }));
  return parts.flat();
}
