/**
 * @module
 * Write-behind saving of the validator state. Every task's score update used to be written
 * (temp file, fsync, rename) before the task could go on, which cost about 1 ms of CPU per task
 * with 256 miners. Updates are now coalesced: the state on disk is at most `delayMs` behind the
 * one in memory while a step runs, and exact at every step's end (the WeightSetter saves at once
 * on `step_done`, resync, weights and stop). A `kill -9` loses at most the step in flight, as
 * before; a failed write is logged and retried with the next save.
 */
import { logger } from "../config/logging.ts";
import { saveState, type ValidatorState } from "./state.ts";

const log = logger("validator", "state");

/** Saves one state file, coalescing saves that come within `delayMs` of each other. */
export class StateWriter {
  #pending: ValidatorState | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(readonly path: string, readonly delayMs = 1000) {}

  /**
   * Saves `state` within `delayMs`; a later state given before then replaces it. With `delayMs`
   * 0 it is written at once, and the promise resolves once it is on disk (else at once).
   */
  later(state: ValidatorState): Promise<void> {
    if (this.delayMs === 0) return this.now(state);
    this.#pending = state;
    if (this.#timer !== undefined) return Promise.resolve();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch((e) =>
        log.error("state not saved to {path} (retried with the next save): {error}", {
          path: this.path,
          error: (e as Error).message,
        })
      );
    }, this.delayMs);
    return Promise.resolve();
  }

  /** Saves `state` now; resolves once it is on disk. */
  now(state: ValidatorState): Promise<void> {
    this.#pending = state;
    return this.flush();
  }

  /** Writes what is pending, after any write in progress; resolves once it is on disk. */
  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const run = this.#writing.then(async () => {
      const state = this.#pending;
      if (!state) return;
      this.#pending = null;
      try {
        await saveState(this.path, state);
      } catch (e) {
        this.#pending ??= state; // kept for the next save
        throw e;
      }
    });
    this.#writing = run.catch(() => {});
    return run;
  }

  /** True while a state is waiting to be written. */
  get dirty(): boolean {
    return this.#pending !== null;
  }
}
