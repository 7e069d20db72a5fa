/**
 * @module
 * Ask timeouts without a timer per ask: one coarse sweep (every `tickMs`) over the pending
 * deadlines, running only while something is pending. A `setTimeout` + `clearTimeout` pair costs
 * several µs, which matters on a round trip of a few tens of µs.
 */

/**
 * Pending deadlines keyed by id; `fire` runs at most `tickMs` after the deadline.
 *
 * @example
 * ```ts
 * import { Timeouts } from "./timeouts.ts";
 * const t = new Timeouts(25);
 * t.add(1, 1000, () => console.log("timed out"));
 * t.delete(1); // answered in time
 * ```
 */
export class Timeouts {
  /** Deadlines pending. */
  get size(): number {
    return this.#pending.size;
  }

  #pending = new Map<number, { at: number; fire: () => void }>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(readonly tickMs = 25) {}

  /** Calls `fire` once `ms` have passed, unless deleted before. */
  add(id: number, ms: number, fire: () => void): void {
    this.#pending.set(id, { at: performance.now() + ms, fire });
    if (this.#timer === undefined) this.#timer = setInterval(() => this.#sweep(), this.tickMs);
  }

  /** Cancels (the sweep stops itself at its next tick once nothing is pending). */
  delete(id: number): void {
    this.#pending.delete(id);
  }

  /** Cancels everything (no callbacks). */
  clear(): void {
    this.#pending.clear();
    this.#stop();
  }

  #sweep(): void {
    const now = performance.now();
    for (const [id, p] of this.#pending) {
      if (p.at <= now) {
        this.#pending.delete(id);
        p.fire();
      }
    }
    if (this.#pending.size === 0) this.#stop();
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
