/**
 * @module
 * The validator's chain work (wallet and registration check at start, metagraph and weights once
 * per epoch) in a worker of its own, ended as soon as the job is done. `@polkadot/api` with
 * subtensor's decorated metadata costs about 110 MB RSS in an isolate; held by a long-lived actor
 * isolate (or the main thread) it stayed for the whole run though it is needed once per epoch.
 * Deno reuses most of an ended worker's memory rather than returning it to the OS, so the gain on
 * peak RSS is smaller than that (bench/validator: about 45 MB after start, 5-15 MB at the step's
 * peak); the price is a fresh connection per job, about a second of CPU, once per epoch.
 */
import type { SetWeightsResult } from "../chain/weights.ts";
import type { ChainTarget, MetagraphView } from "./chain_target.ts";
import type { HotkeySource } from "./hotkey_source_schema.ts";

/** A job for the chain worker. */
export type ChainJob =
  | { op: "metagraph"; chain: ChainTarget; netuid: number }
  | { op: "registration"; chain: ChainTarget; netuid: number; hotkey: HotkeySource }
  | {
    op: "set_weights";
    chain: ChainTarget;
    hotkey: HotkeySource;
    netuid: number;
    uids: number[];
    weights: number[];
    versionKey?: number;
  };

/** What each job answers. */
export interface ChainJobResults {
  metagraph: MetagraphView;
  /** The hotkey's address and its uid on the subnet (null: not registered). */
  registration: { ss58: string; uid: number | null };
  set_weights: SetWeightsResult;
}

/** Where a job failed: loading the hotkey, reaching the chain, or the job itself. */
export type ChainJobStage = "wallet" | "connect" | "job";

/** The worker's reply. */
export type ChainJobReply =
  | { ok: true; value: unknown }
  | { ok: false; stage: ChainJobStage; error: string };

/** A chain job that failed, and at which {@link ChainJobStage}. */
export class ChainJobError extends Error {
  override name = "ChainJobError";
  constructor(readonly stage: ChainJobStage, message: string) {
    super(message);
  }
}

const WORKER = new URL("./chain_worker.ts", import.meta.url);

/**
 * Runs `job` in a new worker and ends the worker when it answers, fails, or `timeoutMs` passes
 * (default 300 s: connecting, reading and an inclusion wait each have their own deadlines).
 */
export function runChainJob<J extends ChainJob>(
  job: J,
  timeoutMs = 300_000,
): Promise<ChainJobResults[J["op"]]> {
  const worker = new Worker(WORKER, { type: "module", name: `chain-job-${job.op}` });
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Promise<ChainJobResults[J["op"]]>((resolve, reject) => {
    timer = setTimeout(
      () => reject(new ChainJobError("job", `chain job ${job.op} took over ${timeoutMs} ms`)),
      timeoutMs,
    );
    worker.onmessage = (e: MessageEvent<ChainJobReply>) => {
      if (e.data.ok) resolve(e.data.value as ChainJobResults[J["op"]]);
      else reject(new ChainJobError(e.data.stage, e.data.error));
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      reject(new ChainJobError("job", `chain job ${job.op} crashed: ${e.message}`));
    };
    worker.onmessageerror = () =>
      reject(new ChainJobError("job", `chain job ${job.op}: bad reply`));
    worker.postMessage(job);
  }).finally(() => {
    clearTimeout(timer);
    worker.terminate();
  });
}
