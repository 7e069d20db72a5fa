/**
 * @module
 * Bounds how many LLM jobs run at once. Requests beyond the bound wait in priority order
 * (highest stake first, then arrival); a request that could not start before its deadline
 * (the validator's timeout minus a margin) is shed with {@link ShedError} so the axon can answer
 * 503 while the validator is still listening, instead of working for nobody.
 */

/** Raised when a queued job is shed. */
export class ShedError extends Error {
  override name = "ShedError";
}

interface Waiter {
  priority: number;
  seq: number;
  start: () => void;
  timer: ReturnType<typeof setTimeout>;
}

/** A priority semaphore with deadlines. */
export class LlmGate {
  #running = 0;
  #seq = 0;
  readonly #queue: Waiter[] = [];
  shed = 0;

  constructor(readonly concurrency: number, readonly maxQueue = 1024) {
    if (!(concurrency >= 1)) throw new RangeError(`concurrency must be >= 1, got ${concurrency}`);
  }

  /** Jobs running now. */
  get running(): number {
    return this.#running;
  }

  /** Jobs waiting now. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Runs `job` when a slot is free. Waits at most `startWithinMs`; then rejects with
   * {@link ShedError} (as it does at once when the queue is full).
   */
  async run<T>(
    job: () => Promise<T>,
    opts: { priority: number; startWithinMs: number },
  ): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (this.#queue.length >= this.maxQueue) {
        this.shed++;
        throw new ShedError("miner busy: queue full");
      }
      await new Promise<void>((resolve, reject) => {
        const w: Waiter = {
          priority: opts.priority,
          seq: this.#seq++,
          start: resolve,
          timer: setTimeout(() => {
            const i = this.#queue.indexOf(w);
            if (i >= 0) this.#queue.splice(i, 1);
            this.shed++;
            reject(new ShedError(`miner busy: could not start within ${opts.startWithinMs} ms`));
          }, Math.max(0, opts.startWithinMs)),
        };
        this.#queue.push(w);
        this.#queue.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
      });
    } else {
      this.#running++;
    }
    try {
      return await job();
    } finally {
      const next = this.#queue.shift();
      if (next) {
        clearTimeout(next.timer);
        next.start();
      } else this.#running--;
    }
  }
}
