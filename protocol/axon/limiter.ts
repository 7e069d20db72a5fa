/**
 * @module
 * Admission of requests to forward: at most `maxConcurrency` in flight, at most
 * `perHotkeyConcurrency` per hotkey (so one hotkey cannot starve the others), waiting requests
 * served highest priority first (e.g. by stake), each waiting at most its timeout. Pure logic,
 * no I/O.
 */
import { AxonError } from "./axon_error.ts";

/** Options of a {@link Limiter}. */
export interface LimiterOptions {
  /** Requests in forward at once, all hotkeys together. */
  maxConcurrency: number;
  /** Requests in forward at once for one hotkey. */
  perHotkeyConcurrency: number;
  /** Requests of one hotkey waiting for a slot before more are refused with 429. */
  maxQueuePerHotkey: number;
}

interface Waiter {
  hotkey: string;
  priority: number;
  seq: number;
  grant: () => void;
}

/**
 * The admission queue.
 *
 * @example
 * ```ts
 * import { Limiter } from "./limiter.ts";
 * const limiter = new Limiter({ maxConcurrency: 8, perHotkeyConcurrency: 2, maxQueuePerHotkey: 8 });
 * const release = await limiter.acquire("5F..", 1.0, 12);
 * release();
 * ```
 */
export class Limiter {
  readonly #opts: LimiterOptions;
  readonly #running = new Map<string, number>();
  readonly #waiting: Waiter[] = [];
  #total = 0;
  #seq = 0;

  constructor(opts: LimiterOptions) {
    for (const k of ["maxConcurrency", "perHotkeyConcurrency", "maxQueuePerHotkey"] as const) {
      if (!(opts[k] >= 1)) throw new Error(`${k} must be >= 1, got ${opts[k]}`);
    }
    this.#opts = opts;
  }

  /** Requests in forward now. */
  get running(): number {
    return this.#total;
  }

  /** Requests waiting now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Waits for a slot; resolves to the release function. Rejects with {@link AxonError} 408
   * (upstream's priority timeout message) after `timeoutS`, or 429 if the hotkey already has
   * too many requests waiting.
   */
  acquire(hotkey: string, priority: number, timeoutS: number | null): Promise<() => void> {
    if (this.#waiting.length === 0 && this.#canRun(hotkey)) {
      return Promise.resolve(this.#start(hotkey));
    }
    const queued = this.#waiting.filter((w) => w.hotkey === hotkey).length;
    if (queued >= this.#opts.maxQueuePerHotkey) {
      return Promise.reject(
        new AxonError(
          429,
          `Too many requests from hotkey ${hotkey}: ${queued} already waiting, ` +
            `limit ${this.#opts.maxQueuePerHotkey}`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        hotkey,
        priority: Number.isFinite(priority) ? priority : 0,
        seq: this.#seq++,
        grant: () => {
          clearTimeout(timer);
          resolve(this.#start(hotkey));
        },
      };
      this.#waiting.push(w);
      const seconds = timeoutS ?? 12;
      const timer = setTimeout(() => {
        const i = this.#waiting.indexOf(w);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(new AxonError(408, `Response timeout after: ${seconds}s`));
      }, Math.max(0, seconds * 1000));
      this.#dispatch();
    });
  }

  #canRun(hotkey: string): boolean {
    return this.#total < this.#opts.maxConcurrency &&
      (this.#running.get(hotkey) ?? 0) < this.#opts.perHotkeyConcurrency;
  }

  #start(hotkey: string): () => void {
    this.#total++;
    this.#running.set(hotkey, (this.#running.get(hotkey) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const n = this.#running.get(hotkey)! - 1;
      if (n === 0) this.#running.delete(hotkey);
      else this.#running.set(hotkey, n);
      this.#dispatch();
    };
  }

  #dispatch(): void {
    while (this.#total < this.#opts.maxConcurrency) {
      let best = -1;
      for (let i = 0; i < this.#waiting.length; i++) {
        const w = this.#waiting[i];
        if (!this.#canRun(w.hotkey)) continue;
        const b = this.#waiting[best];
        if (best < 0 || w.priority > b.priority || (w.priority === b.priority && w.seq < b.seq)) {
          best = i;
        }
      }
      if (best < 0) return;
      const [w] = this.#waiting.splice(best, 1);
      w.grant();
    }
  }
}
