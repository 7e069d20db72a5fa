/**
 * @module
 * The messages between the main-thread actor system and an isolate worker. Short keys, plain
 * data (structured clone), batched: one `postMessage` may carry an array of them.
 * `a` = actor id, `i` = incarnation (restart counter; stale ones are ignored), `s` = sequence
 * number of a delivered message, `id` = id of an isolate-originated send.
 */
import type { WireError } from "./errors.ts";

/** SharedArrayBuffer slots an isolate writes for the watchdog (Int32Array indices). */
export const WATCH = {
  /** Actor id whose handler is running synchronously right now (0 = none). */
  busyActor: 0,
  /** When that handler started, ms since the isolate's time base. */
  busySince: 1,
  /** Incarnation of the busy actor. */
  busyIncarnation: 2,
  /** Slots in the buffer. */
  length: 4,
} as const;

/** Main thread → isolate. */
export type ToIsolate =
  | { t: "init"; id: number; sab: SharedArrayBuffer; base: number; sliceMs: number }
  | {
    t: "start";
    a: number;
    i: number;
    n: string;
    u: string;
    x: string;
    g: unknown;
    h: number;
    /** Start count (1 on first start): what the actor sees as `ctx.incarnation`. */
    c: number;
  }
  | {
    t: "d";
    a: number;
    i: number;
    s: number;
    y: string;
    m: unknown;
    k: 0 | 1;
    /** Ask from an actor on isolate `r` (send id `q`): reply to it directly on success. */
    r?: number;
    q?: number;
  }
  | { t: "link"; peer: number; port: MessagePort }
  | { t: "stop"; a: number; i: number; p: 0 | 1 }
  | { t: "persist"; a: number; i: number }
  | { t: "res"; id: number; v?: unknown; e?: WireError };

/** Isolate → main thread. */
export type FromIsolate =
  | { t: "started"; a: number; i: number }
  | { t: "startFailed"; a: number; i: number; e: WireError }
  | { t: "done"; a: number; i: number; s: number; ms: number; v?: unknown; e?: WireError; x?: 1 }
  | { t: "crash"; a: number; i: number; s: number; ms: number; e: WireError }
  | { t: "exit"; a: number; i: number }
  | { t: "stopped"; a: number; i: number; e?: WireError }
  | { t: "persisted"; a: number; i: number; e?: WireError }
  | {
    t: "send";
    id: number;
    f: string;
    to: string;
    y: string;
    m: unknown;
    k: 0 | 1;
    o?: "wait" | "fail";
  };
