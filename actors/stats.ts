/**
 * @module
 * The observable state of an actor system as one typed snapshot (`system.stats()`), for the
 * node's metrics and dashboard: per actor mailbox depth, handled messages, failures, restarts,
 * last error and processing time; per isolate its kind and actors.
 */
import { z } from "zod";

/** Lifecycle of an actor. */
export const ActorStatus = z.enum([
  "starting",
  "running",
  "restarting",
  "failed",
  "stopping",
  "stopped",
]);
/** Lifecycle of an actor. */
export type ActorStatus = z.infer<typeof ActorStatus>;

/** Per-actor figures. */
export const ActorStats = z.object({
  name: z.string(),
  /** Supervisor path, e.g. `root/miners`. */
  group: z.string(),
  status: ActorStatus,
  placement: z.enum(["pool", "dedicated"]),
  /** Isolate id the actor runs on. */
  isolate: z.number().int(),
  /** Queued + in flight. */
  mailboxDepth: z.number().int(),
  mailboxCapacity: z.number().int(),
  /** Messages handled successfully. */
  handled: z.number().int(),
  /** Crashes (handler threw, failed start, isolate lost, watchdog). */
  failures: z.number().int(),
  restarts: z.number().int(),
  /** Messages refused because the mailbox was full (sender chose "fail"). */
  rejectedFull: z.number().int(),
  deadLettered: z.number().int(),
  lastError: z.object({ at: z.number(), message: z.string() }).nullable(),
  /** Handler time in ms, measured in the isolate. */
  processingMs: z.object({
    count: z.number().int(),
    total: z.number(),
    mean: z.number(),
    max: z.number(),
    last: z.number(),
  }),
});
/** Per-actor figures. */
export type ActorStats = z.infer<typeof ActorStats>;

/** One worker isolate. */
export const IsolateStats = z.object({
  id: z.number().int(),
  kind: z.enum(["pool", "dedicated"]),
  actors: z.number().int(),
  /** Times this isolate's worker was replaced (crash or watchdog). */
  restarts: z.number().int(),
});
/** One worker isolate. */
export type IsolateStats = z.infer<typeof IsolateStats>;

/** The whole system. */
export const SystemStats = z.object({
  at: z.number(),
  state: z.enum(["running", "draining", "stopped"]),
  /** Live workers (pool + dedicated). */
  workers: z.number().int(),
  poolSize: z.number().int(),
  isolates: z.array(IsolateStats),
  actors: z.array(ActorStats),
  deadLetters: z.number().int(),
  /** Leases of mailbox slots held by isolates for direct sends (docs/actors.md). */
  leases: z.number().int(),
});
/** The whole system. */
export type SystemStats = z.infer<typeof SystemStats>;

/** Running totals of handler time. */
export class ProcessingTime {
  count = 0;
  total = 0;
  max = 0;
  last = 0;

  /** Adds one handler duration (ms). */
  add(ms: number): void {
    this.count++;
    this.total += ms;
    this.last = ms;
    if (ms > this.max) this.max = ms;
  }

  /** As plain data. */
  snapshot(): ActorStats["processingMs"] {
    return {
      count: this.count,
      total: this.total,
      mean: this.count ? this.total / this.count : 0,
      max: this.max,
      last: this.last,
    };
  }
}
