/**
 * @module
 * The messages between the main-thread actor system and an isolate worker. Short keys, plain
 * data (structured clone), batched: one `postMessage` may carry an array of them.
 * `a` = actor id, `i` = incarnation (restart counter; stale ones are ignored), `s` = sequence
 * number of a delivered message, `id` = id of an isolate-originated send.
 *
 * Transport (see actors/doorbell.ts): the `init` message goes with `Worker.postMessage`; all the
 * rest travels on a MessageChannel per isolate, read synchronously with `receiveMessageOnPort`,
 * and every post rings the receiver's doorbell in shared memory ({@link CTL}, main's bell).
 *
 * Leases (see docs/actors.md, "Direct sends"): `l` = lease id, `n` = the lease's sequence number
 * of a direct message. Isolates talk to each other with {@link PeerMsg} on the channels that the
 * main thread sets up (`link`).
 */
import type { WireError } from "./errors.ts";

/**
 * Slots of an isolate's control SharedArrayBuffer (Int32Array indices): the watchdog's bracket
 * (written by the isolate, read by the main thread) and the transport's doorbell and flags.
 */
export const CTL = {
  /** Actor id whose handler is running synchronously right now (0 = none). */
  busyActor: 0,
  /** When that handler started, ms since the isolate's time base. */
  busySince: 1,
  /** Incarnation of the busy actor. */
  busyIncarnation: 2,
  /** The isolate's doorbell: bumped and notified by every thread that posts to it. */
  bell: 3,
  /** 1 once the main thread posted on the isolate's port and the isolate has not drained it. */
  fromMain: 4,
  /** 1 once a peer isolate posted a direct reply and the isolate has not drained its peers. */
  fromPeer: 5,
  /** 1 once the isolate posted on its port and the main thread has not drained it. */
  toMain: 6,
  /** 1 while the isolate holds one of the node's spin slots (see actors/doorbell.ts). */
  spinning: 7,
  /** 1 while the isolate is parked: a ring must also post it a wake-up message. */
  parked: 8,
  /** When the busy handler runs a direct message: its lease (0 = a routed message)… */
  busyLease: 9,
  /** …and its seq under that lease. */
  busySeq: 10,
  /** The bell value the isolate last started reading at (senders see whether it stalls). */
  read: 11,
  /** Slots in the buffer. */
  length: 12,
} as const;

/** Main thread → isolate. */
export type ToIsolate =
  | {
    t: "init";
    id: number;
    /** The isolate's control buffer ({@link CTL}). */
    sab: SharedArrayBuffer;
    base: number;
    sliceMs: number;
    /** The isolate's end of its channel with the main thread. */
    port: MessagePort;
    /** The main thread's buffer (`MAIN_SLOTS` of doorbell.ts: its bell, the spin-slot counter). */
    mainBell: SharedArrayBuffer;
    /** How long (µs) a thread keeps watching its doorbell after activity (0 = never). */
    spinUs: number;
    /** How many threads of the node may busy-poll at once. */
    maxSpinners: number;
  }
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
  | {
    t: "link";
    peer: number;
    port: MessagePort;
    /** The peer's control buffer, to ring its doorbell after posting to it. */
    ctl: SharedArrayBuffer;
    /** Wake-up channel with the peer (a message on it wakes a parked isolate). */
    wake: MessagePort;
  }
  | { t: "stop"; a: number; i: number; p: 0 | 1 }
  | { t: "persist"; a: number; i: number }
  | { t: "res"; id: number; v?: unknown; e?: WireError }
  | {
    /** Lease `l`: this isolate may send to actor `to` (id `a`, incarnation `i`, on isolate `iso`)
     * directly, at most `c` messages not yet handled. Taken only if the isolate has routed
     * nothing to `to` since its send `after` (else released at once). */
    t: "grant";
    l: number;
    to: string;
    a: number;
    i: number;
    iso: number;
    /** Module and export of the target's definition (sender-side validation). */
    u: string;
    x: string;
    c: number;
    after: number;
  }
  /** Close every lease whose target is actor `a` (0 = every actor of this isolate). */
  | { t: "closeLeases"; a: number }
  /**
   * Isolate `iso`'s worker is gone: settle the leases to actors that were on it (`crashed`:
   * unhandled asks fail with `isolate_crashed`, else everything goes again through the router).
   */
  | {
    t: "peerGone";
    iso: number;
    crashed: 0 | 1;
    /** The direct message of lease `l` (seq `n`) that blocked it (watchdog): a crash of it. */
    c?: { l: number; n: number; e: WireError };
  };

/** Isolate ↔ isolate, on a `link` channel (batched in arrays). */
export type PeerMsg =
  /** A direct message under lease `l` (seq `n`) to actor `a` incarnation `i`; `id` = ask id. */
  | {
    t: "dd";
    l: number;
    n: number;
    a: number;
    i: number;
    y: string;
    m: unknown;
    k: 0 | 1;
    id: number;
    f: string;
  }
  /** Reply to the asker's send `id` (a routed ask answered directly, or a direct ask). */
  | { t: "r"; id: number; v?: unknown; e?: WireError }
  /** Lease `l`: every message up to `n` has been handled. */
  | { t: "ack"; l: number; n: number }
  /** Lease `l` is closed: handled up to `h`; `c` = the one that crashed its actor, if any. */
  | { t: "closed"; l: number; h: number; c?: { n: number; e: WireError } }
  /** The lessee gives lease `l` up (e.g. out of credits). */
  | { t: "release"; l: number };

/** Isolate → main thread. */
export type FromIsolate =
  | { t: "started"; a: number; i: number }
  | { t: "startFailed"; a: number; i: number; e: WireError }
  | { t: "done"; a: number; i: number; s: number; ms: number; v?: unknown; e?: WireError; x?: 1 }
  /** `s` = -1 when the message was a direct one (`y` = its type). */
  | { t: "crash"; a: number; i: number; s: number; ms: number; e: WireError; y?: string }
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
    /** A message of lease `l` that was not handled under it, sent again through the router. */
    l?: number;
    /** Times it already crashed its target (its retries count on). */
    at?: number;
    /** The error of its last crash. */
    e?: WireError;
  }
  /** Lease `l` is no longer used by this isolate (whatever it still owed was sent again). */
  | { t: "released"; l: number }
  /** A direct message was handled (`x` = refused as invalid, then `f`/`m` are kept). */
  | {
    t: "dd";
    a: number;
    i: number;
    y: string;
    ms: number;
    k: 0 | 1;
    e?: WireError;
    x?: 1;
    f?: string;
    m?: unknown;
  }
  /** A direct message lost with its target's isolate, dead-lettered by its sender's isolate. */
  | {
    t: "dead";
    l: number;
    y: string;
    m: unknown;
    f: string;
    k: 0 | 1;
    at: number;
    e: WireError;
  };
