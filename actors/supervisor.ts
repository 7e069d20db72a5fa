/**
 * @module
 * Supervision vocabulary and pure logic (OTP style): child specs (restart policy, restart
 * intensity, backoff, message retries), supervisor strategies, the restart-intensity window and
 * the exponential backoff. The actor system applies them; this file does no I/O.
 */
import { z } from "zod";

/** permanent: always restarted; transient: restarted after a crash, not after a normal stop; temporary: never. */
export const RestartPolicy = z.enum(["permanent", "transient", "temporary"]);
/** Restart policy of a child. */
export type RestartPolicy = z.infer<typeof RestartPolicy>;

/** one_for_one: only the failed child restarts; all_for_one: every child of the group restarts with it. */
export const Strategy = z.enum(["one_for_one", "all_for_one"]);
/** Strategy of a supervisor (group). */
export type Strategy = z.infer<typeof Strategy>;

/** Exponential backoff between restarts: initialMs, doubled per recent restart, capped at maxMs. */
export const Backoff = z.object({
  initialMs: z.number().int().min(0).default(100),
  maxMs: z.number().int().min(0).default(10_000),
});
/** Backoff settings (defaults applied). */
export type Backoff = z.infer<typeof Backoff>;

/** How an actor is supervised. Defaults: permanent, 5 restarts in 60 s, 100 ms…10 s backoff, 2 retries. */
export const Supervision = z.object({
  restart: RestartPolicy.default("permanent"),
  /** More than this many restarts within `withinMs` escalates to the parent. */
  maxRestarts: z.number().int().min(0).default(5),
  withinMs: z.number().int().min(1).default(60_000),
  backoff: Backoff.default({ initialMs: 100, maxMs: 10_000 }),
  /** A message that crashed the actor is retried at most this many times, then dead-lettered. */
  maxMessageRetries: z.number().int().min(0).default(2),
});
/** Supervision settings of an actor (defaults applied). */
export type Supervision = z.infer<typeof Supervision>;
/** Supervision settings as given (all optional). */
export type SupervisionInput = z.input<typeof Supervision>;

/** A group (supervisor): strategy and its own restart intensity. Defaults: one_for_one, 3 in 60 s. */
export const GroupOptions = z.object({
  strategy: Strategy.default("one_for_one"),
  maxRestarts: z.number().int().min(0).default(3),
  withinMs: z.number().int().min(1).default(60_000),
  backoff: Backoff.default({ initialMs: 100, maxMs: 10_000 }),
  /** Default placement of the group's actors. */
  placement: z.enum(["pool", "dedicated"]).optional(),
});
/** Group settings (defaults applied). */
export type GroupOptions = z.infer<typeof GroupOptions>;
/** Group settings as given. */
export type GroupOptionsInput = z.input<typeof GroupOptions>;

/**
 * Delay before the `n`-th recent restart (n ≥ 1): `initialMs · 2^(n-1)`, at most `maxMs`.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "./supervisor.ts";
 * backoffDelay(3, { initialMs: 100, maxMs: 1000 }); // 400
 * ```
 */
export function backoffDelay(n: number, b: Backoff): number {
  const exp = Math.min(Math.max(n - 1, 0), 30);
  return Math.min(b.maxMs, b.initialMs * 2 ** exp);
}

/**
 * Restart intensity: remembers restart times and says when more than `maxRestarts` happened
 * within `withinMs` (the point where a supervisor gives up and escalates).
 */
export class RestartWindow {
  #times: number[] = [];
  constructor(readonly maxRestarts: number, readonly withinMs: number) {}

  /** Records a restart at `now`; returns how many fall in the window, and whether that is too many. */
  record(now: number): { recent: number; exceeded: boolean } {
    this.#times.push(now);
    this.#times = this.#times.filter((t) => now - t < this.withinMs);
    return { recent: this.#times.length, exceeded: this.#times.length > this.maxRestarts };
  }

  /** Forgets history (after the parent restarted this child afresh). */
  reset(): void {
    this.#times = [];
  }
}
