/**
 * @module
 * A counting semaphore: at most `limit` holders at once, FIFO waiters. Limits concurrent HTTP
 * requests to an LLM provider.
 */

/**
 * A FIFO counting semaphore.
 *
 * @example
 * ```ts
 * import { Semaphore } from "./semaphore.ts";
 * const s = new Semaphore(2);
 * const result = await s.run(async () => 42);
 * ```
 */
export class Semaphore {
  readonly limit: number;
  #active = 0;
  #waiters: (() => void)[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
    }
    this.limit = limit;
  }

  /** Holders right now. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Waits for a slot; returns the function that releases it (idempotent). */
  async acquire(): Promise<() => void> {
    if (this.#active < this.limit) this.#active++;
    else await new Promise<void>((resolve) => this.#waiters.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.#active--;
    };
  }

  /** Runs `fn` while holding a slot. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
