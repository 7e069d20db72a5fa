/**
 * @module
 * Worker entry of an isolate: hosts many actors in one Web Worker and schedules them fairly.
 *
 * - Each actor has its own small queue of delivered messages (the main thread limits how many
 *   are delivered ahead), its own state and incarnation.
 * - A round gives every ready actor ONE message, in round-robin order; between rounds the
 *   isolate yields to the event loop (a macrotask), so incoming messages and other actors' async
 *   continuations run. An actor handles its messages one at a time: while its async handler is
 *   pending, it is not ready, but the other actors keep going.
 * - A handler that throws (or rejects, or exceeds its `handlerTimeoutMs`) is a crash of that actor
 *   only: its queue is dropped (the main thread re-sends what is still owed) and it waits for the
 *   main thread's restart, which re-runs `init` in place.
 * - The synchronous part of every handler is bracketed in a SharedArrayBuffer (actor id + start)
 *   that the main-thread watchdog reads without any message traffic.
 * - Transport (actors/doorbell.ts): messages from the main thread and from peer isolates are
 *   read synchronously off their MessagePorts when the isolate's doorbell rings; after activity
 *   the isolate watches its doorbell for the spin window before parking.
 * - Leases (docs/actors.md, "Direct sends"): with a lease from the main thread, this isolate's
 *   actors send to an actor of another isolate directly (validated here), at most `c` not yet
 *   handled; the target's isolate acknowledges, and closes the lease when its actor crashes,
 *   restarts or stops, saying how far it got. What was not handled goes again through the router.
 */
/// <reference lib="deno.worker" />
import { ActorError, fromWireError as rebuild, toWireError, type WireError } from "./errors.ts";
import {
  type ActorContext,
  ActorRef,
  type AnyActorDefinition,
  isActorDefinition,
} from "./define_actor.ts";
import { parseMessage, parseWith } from "./message_schema.ts";
import { receiveMessageOnPort } from "node:worker_threads";
import { setImmediate } from "node:timers";
import { CTL, type FromIsolate, type PeerMsg, type ToIsolate } from "./protocol.ts";
import { type Channel, MAIN_SLOTS, ReceiveLoop, send as sendOn } from "./doorbell.ts";
import { Deque } from "./deque.ts";
import { Timeouts } from "./timeouts.ts";

interface Delivery {
  /** Sequence number of a routed delivery; -1 for a direct one. */
  s: number;
  y: string;
  m: unknown;
  k: 0 | 1;
  r?: number;
  q?: number;
  /** Direct delivery: its lease state, seq, the asker's send id and the sender's name. */
  lease?: InLease;
  n?: number;
  id?: number;
  f?: string;
}

interface Hosted {
  id: number;
  inc: number;
  starts: number;
  name: string;
  def?: AnyActorDefinition;
  state: unknown;
  ctx?: ActorContext;
  queue: Delivery[];
  started: boolean;
  crashed: boolean;
  busy: boolean;
  inReady: boolean;
  stopRequested: boolean;
  handlerTimeoutMs: number;
}

/** Control buffer shared with the main thread ({@link CTL}): watchdog bracket, doorbell, flags. */
let ctl: Int32Array | undefined;
let timeBase = 0;
let sliceMs = 10;
let turnStart = performance.now();

const actors = new Map<number, Hosted>();
const ready = new Deque<Hosted>();
let isolateId = 0;
/** Channels to other isolates (and how to ring them): direct replies and lease traffic. */
const peers = new Map<number, { port: MessagePort; channel: Channel; wake: MessagePort }>();
const peerOut = new Map<number, PeerMsg[]>();
const timeouts = new Timeouts();
const modules = new Map<string, Promise<Record<string, unknown>>>();

// ---- transport: the channel to the main thread, the doorbells, the receive loop.
/** `receiveMessageOnPort` is typed for node's MessagePort; Deno's accepts web MessagePorts. */
const receive = receiveMessageOnPort as unknown as (
  port: MessagePort,
) => { message: unknown } | undefined;
let mainPort: MessagePort | undefined;
/** How this isolate sends to the main thread. */
let toMain: Channel | undefined;
let loop: ReceiveLoop | undefined;

/**
 * Reads everything waiting from peers and from the main thread; returns how many batches.
 * Peer batches are handled after the main thread's: a direct message is only sent once the
 * main thread's earlier deliveries are in this isolate's port (see the `grant`), so reading the
 * main port after the peers' keeps each sender's messages in order.
 */
function drainIn(): number {
  if (!ctl || !mainPort) return 0;
  let n = 0;
  let fromPeers: [number, PeerMsg[]][] | undefined;
  if (Atomics.load(ctl, CTL.fromPeer) !== 0) {
    Atomics.store(ctl, CTL.fromPeer, 0);
    for (const [iso, { port }] of peers) {
      for (let r = receive(port); r; r = receive(port)) {
        (fromPeers ??= []).push([iso, r.message as PeerMsg[]]);
      }
    }
  }
  if (fromPeers || Atomics.load(ctl, CTL.fromMain) !== 0) {
    Atomics.store(ctl, CTL.fromMain, 0);
    for (let r = receive(mainPort); r; r = receive(mainPort)) {
      n++;
      onMainBatch(r.message as ToIsolate | ToIsolate[]);
    }
  }
  if (fromPeers) {
    for (const [iso, batch] of fromPeers) for (const m of batch) onPeerMessage(iso, m);
    n += fromPeers.length;
  }
  if (n) turnStart = performance.now();
  return n;
}

function onMainBatch(data: ToIsolate | ToIsolate[]): void {
  if (Array.isArray(data)) { for (const m of data) onMessage(m); }
  else onMessage(data);
}

/** Reads what peer `iso` has posted (before settling its leases when it is gone). */
function drainPeer(iso: number): void {
  const peer = peers.get(iso);
  if (!peer) return;
  for (let r = receive(peer.port); r; r = receive(peer.port)) {
    for (const m of r.message as PeerMsg[]) onPeerMessage(iso, m);
  }
}

// ---- outbound batching: everything posted in one synchronous run leaves in one postMessage.
// Reports of direct messages (statistics) are "lazy": they do not ring the main thread's bell,
// which reads them when it wakes for anything else, when asked for stats, or at its watchdog tick
// (and the bell is rung every LAZY_RING of them), so two actors talking directly keep the main
// thread asleep. They also wait here, up to LAZY_FLUSH_MS, for the next urgent post to leave
// with: a validator task sends a dozen direct messages, and one postMessage per report cost more
// CPU than handling them.
let outbox: FromIsolate[] = [];
let flushQueued = false;
let urgent = false;
let lazyUnrung = 0;
const LAZY_RING = 256;
const LAZY_FLUSH_MS = 20;
let lazyTimer: ReturnType<typeof setTimeout> | undefined;
function post(m: FromIsolate, lazy = false): void {
  outbox.push(m);
  if (lazy) {
    lazyUnrung++;
    if (lazyUnrung < LAZY_RING && !flushQueued) {
      if (lazyTimer === undefined) {
        const t = setTimeout(flush, LAZY_FLUSH_MS);
        Deno.unrefTimer(t);
        lazyTimer = t;
      }
      return;
    }
  } else urgent = true;
  if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flush);
  }
}
function flush(): void {
  flushQueued = false;
  if (lazyTimer !== undefined) {
    clearTimeout(lazyTimer);
    lazyTimer = undefined;
  }
  const batch = outbox;
  outbox = [];
  if (!batch.length) return;
  const ring = urgent || lazyUnrung >= LAZY_RING;
  sendOn(toMain!, batch.length === 1 ? batch[0] : batch, [], ring);
  if (ring) {
    lazyUnrung = 0;
    if (urgent) loop!.activity(); // an answer may come soon: watch for it
    urgent = false;
  }
}

// ---- macrotask yield between rounds: `setImmediate` runs after the event loop has polled
// timers and I/O (so it starves neither) and costs a few µs; it also reads the ports first.
let macroQueued = false;
let yielders: (() => void)[] = [];
function onTick(): void {
  macroQueued = false;
  turnStart = performance.now();
  const ys = yielders;
  yielders = [];
  for (const y of ys) y();
  // Through the loop: while it waits for an event (parked, its flag taken by a sender), the
  // ports must not be read, or what that sender posted after the event would come first.
  loop?.drainNow();
  runRound();
}
function queueMacro(): void {
  if (!macroQueued) {
    macroQueued = true;
    setImmediate(onTick);
  }
}
let roundQueued = false;
let inRound = false;
/** Runs a round soon (same turn) unless one is queued or running; a running round yields at its end. */
function schedule(): void {
  if (!roundQueued && !macroQueued && !inRound) {
    roundQueued = true;
    queueMicrotask(() => {
      roundQueued = false;
      runRound();
    });
  }
}

function markReady(h: Hosted): void {
  if (!h.inReady && !h.busy && h.started && !h.crashed && h.queue.length) {
    h.inReady = true;
    ready.push(h);
  }
}

/** One message for each actor ready at the start of the round, then yield if more is waiting. */
/** Rounds run back to back within one turn for at most this long, then the isolate yields. */
const TURN_BUDGET_MS = 1;

/**
 * Rounds: each gives ONE message to every actor that was ready when it began (round-robin).
 * Rounds repeat within the turn while work remains and the turn is under its budget (cheap when
 * handlers are short), then the isolate yields to the event loop.
 */
function runRound(): void {
  const start = performance.now();
  inRound = true;
  try {
    do {
      const n = ready.length;
      for (let j = 0; j < n; j++) {
        const h = ready.shift()!;
        h.inReady = false;
        if (!h.busy && h.started && !h.crashed && h.queue.length) dispatch(h);
      }
    } while (ready.length && performance.now() - start < TURN_BUDGET_MS);
  } finally {
    inRound = false;
  }
  if (ready.length) queueMacro();
}

function elapsedSinceBase(): number {
  return Math.floor(Date.now() - timeBase);
}

function dispatch(h: Hosted): void {
  const d = h.queue.shift()!;
  const def = h.def!;
  const inc = h.inc;
  if (d.lease) d.lease.running = d.n!;
  let msg: unknown;
  try {
    msg = parseMessage(def.messages, h.name, d.y, d.m, "receiver");
  } catch (err) {
    refused(h, inc, d, err);
    markReady(h);
    return;
  }
  const handler =
    (def.handle as Record<string, (s: unknown, m: unknown, c: ActorContext) => unknown>)[d.y];
  const t0 = performance.now();
  let result: unknown;
  if (ctl) {
    Atomics.store(ctl, CTL.busySince, elapsedSinceBase());
    Atomics.store(ctl, CTL.busyIncarnation, inc);
    Atomics.store(ctl, CTL.busyLease, d.lease ? d.lease.l : 0);
    Atomics.store(ctl, CTL.busySeq, d.n ?? 0);
    Atomics.store(ctl, CTL.busyActor, h.id);
  }
  try {
    result = handler(h.state, msg, h.ctx!);
  } catch (err) {
    crash(h, inc, d, err, performance.now() - t0);
    return;
  } finally {
    if (ctl) Atomics.store(ctl, CTL.busyActor, 0);
  }
  if (
    result instanceof Promise ||
    (result !== null && typeof (result as { then?: unknown })?.then === "function")
  ) {
    h.busy = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settled = (fn: () => void) => {
      if (timer !== undefined) clearTimeout(timer);
      if (h.inc !== inc || h.crashed || actors.get(h.id) !== h) return; // restarted meanwhile: stale
      h.busy = false;
      fn();
    };
    if (h.handlerTimeoutMs > 0) {
      timer = setTimeout(() => {
        timer = undefined;
        settled(() =>
          crash(
            h,
            inc,
            d,
            new ActorError(
              "actor_crashed",
              `handler "${d.y}" of "${h.name}" exceeded ${h.handlerTimeoutMs} ms`,
              {
                actor: h.name,
              },
            ),
            performance.now() - t0,
          )
        );
      }, h.handlerTimeoutMs);
    }
    (result as Promise<unknown>).then(
      (v) => settled(() => complete(h, inc, d, v, performance.now() - t0)),
      (err) => settled(() => crash(h, inc, d, err, performance.now() - t0)),
    );
  } else {
    complete(h, inc, d, result, performance.now() - t0);
  }
}

/** `d` failed validation on receipt: refused (dead-lettered by the main thread), not handled. */
function refused(h: Hosted, inc: number, d: Delivery, err: unknown): void {
  const e = toWireError(err);
  if (d.lease) {
    post({ t: "dd", a: h.id, i: inc, y: d.y, ms: 0, k: d.k, e, x: 1, f: d.f, m: d.m }, true);
    if (d.k === 1) postPeer(d.lease.from, { t: "r", id: d.id!, e });
    handledDirect(d);
  } else {
    post({ t: "done", a: h.id, i: inc, s: d.s, ms: 0, e, x: 1 });
  }
}

function complete(h: Hosted, inc: number, d: Delivery, value: unknown, ms: number): void {
  let v = value;
  let e: WireError | undefined;
  if (d.k === 1) {
    const schema = h.def!.replies?.[d.y];
    if (schema) {
      try {
        v = parseWith(
          schema,
          value,
          `reply to ${JSON.stringify(d.y)} from ${JSON.stringify(h.name)}`,
          h.name,
        );
      } catch (err) {
        e = toWireError(err);
      }
    }
  }
  if (d.lease) {
    post({ t: "dd", a: h.id, i: inc, y: d.y, ms, k: d.k, e }, true);
    if (d.k === 1) postPeer(d.lease.from, e ? { t: "r", id: d.id!, e } : { t: "r", id: d.id!, v });
    handledDirect(d);
  } else if (e) {
    post({ t: "done", a: h.id, i: inc, s: d.s, ms, e });
  } else if (d.k === 1 && d.r !== undefined) {
    replyDirect(d.r, d.q!, v);
    post({ t: "done", a: h.id, i: inc, s: d.s, ms });
  } else if (d.k === 1) {
    post({ t: "done", a: h.id, i: inc, s: d.s, ms, v });
  } else {
    post({ t: "done", a: h.id, i: inc, s: d.s, ms });
  }
  afterMessage(h, inc);
}

/** Answers an ask from an actor on isolate `iso` without going through the main thread. */
function replyDirect(iso: number, id: number, v: unknown): void {
  if (iso === isolateId) {
    queueMicrotask(() => settleSend(id, v));
    return;
  }
  postPeer(iso, { t: "r", id, v });
}

/**
 * Queues `m` for peer isolate `iso`; everything queued in one synchronous run leaves together.
 * To this isolate itself (a lease between two of its actors) the batch is handled in a microtask,
 * without a thread hop and without a copy, as a direct reply within an isolate already is: the
 * receiver gets what its schema's parse returns (docs/actors.md, "Direct sends").
 */
function postPeer(iso: number, m: PeerMsg): void {
  let out = peerOut.get(iso);
  if (!out) {
    out = [];
    peerOut.set(iso, out);
    queueMicrotask(() => {
      const batch = peerOut.get(iso)!;
      peerOut.delete(iso);
      if (iso === isolateId) {
        for (const x of batch) onPeerMessage(iso, x);
        return;
      }
      const peer = peers.get(iso);
      if (!peer) return;
      sendOn(peer.channel, batch);
      loop!.activity();
    });
  }
  out.push(m);
}

/** True when this isolate can send to `iso` directly: a linked peer, or itself. */
function reachable(iso: number): boolean {
  return iso === isolateId || peers.has(iso);
}

function settleSend(id: number, v: unknown, e?: unknown): void {
  const p = pendingSends.get(id);
  if (!p) return;
  pendingSends.delete(id);
  timeouts.delete(id);
  if (e !== undefined) p.reject(e);
  else p.resolve(v);
}

function afterMessage(h: Hosted, inc: number): void {
  if (h.stopRequested) {
    h.crashed = true; // stops processing; the main thread decides (stop or restart)
    h.queue = [];
    closeActorLeases(h.id, "abandon");
    post({ t: "exit", a: h.id, i: inc });
    return;
  }
  markReady(h);
  if (h.inReady) schedule();
}

function crash(h: Hosted, inc: number, d: Delivery, err: unknown, ms: number): void {
  h.crashed = true;
  h.busy = false;
  h.queue = [];
  const e = toWireError(err);
  if (d.lease) {
    post({ t: "crash", a: h.id, i: inc, s: -1, ms, e, y: d.y });
    d.lease.culprit = { n: d.n!, e };
  } else {
    post({ t: "crash", a: h.id, i: inc, s: d.s, ms, e });
  }
  closeActorLeases(h.id, "abandon");
}

// ---- sends to other actors: through the main-thread router, or directly under a lease.
let nextSend = 1;
const pendingSends = new Map<
  number,
  { resolve: (v: unknown) => void; reject: (e: unknown) => void }
>();

/** A send of one of this isolate's actors, as it may have to be routed or sent again. */
interface Outgoing {
  id: number;
  f: string;
  y: string;
  m: unknown;
  k: 0 | 1;
  o?: "wait" | "fail";
  /** Its seq under the lease it was sent directly with. */
  n?: number;
}

function send(
  from: string,
  to: string,
  y: string,
  m: unknown,
  ask: boolean,
  o?: "wait" | "fail",
  timeoutMs?: number,
) {
  const id = nextSend++;
  const p = new Promise<unknown>((resolve, reject) => {
    pendingSends.set(id, { resolve, reject });
  });
  if (ask) {
    const ms = timeoutMs ?? 30_000;
    timeouts.add(id, ms, () => {
      const pending = pendingSends.get(id);
      pendingSends.delete(id);
      pending?.reject(
        new ActorError(
          "ask_timeout",
          `ask "${y}" to ${JSON.stringify(to)} timed out after ${ms} ms`,
          {
            actor: to,
          },
        ),
      );
    });
  }
  p.catch(() => {}); // an ignored failure must not kill the isolate; awaiting callers still see it
  const out: Outgoing = { id, f: from, y, m, k: ask ? 1 : 0, o };
  const lease = outLeases.get(to);
  if (lease) leaseSend(lease, out);
  else route(to, out);
  return p;
}

/** Last send id routed to each actor (a grant is only taken if nothing was routed since). */
const lastRouted = new Map<string, number>();

function route(to: string, out: Outgoing, again?: { l: number; at: number; e?: WireError }): void {
  lastRouted.set(to, out.id);
  post({ t: "send", id: out.id, f: out.f, to, y: out.y, m: out.m, k: out.k, o: out.o, ...again });
}

// ---- leases held by this isolate (sender side).
interface OutLease {
  l: number;
  to: string;
  a: number;
  i: number;
  iso: number;
  c: number;
  def?: AnyActorDefinition;
  /** loading: the target's module is being imported; closing: waiting for the target's `closed`. */
  state: "loading" | "active" | "closing";
  next: number;
  /** Sent directly, not yet acknowledged (in send order). */
  unacked: Deque<Outgoing>;
  /** Sends made while loading or closing, in order. */
  waiting: Outgoing[];
  /** `release` was posted to the target's isolate (the last thing sent under the lease). */
  releaseSent: boolean;
}
const outLeases = new Map<string, OutLease>();
const outLeaseById = new Map<number, OutLease>();

function leaseSend(lease: OutLease, out: Outgoing): void {
  if (lease.state !== "active") {
    lease.waiting.push(out);
    return;
  }
  const linked = reachable(lease.iso);
  // A tell to an actor of this same isolate goes through the router too: if the worker died, no
  // sender would be left here to send it again, and the router's mailbox keeps it.
  const loopTell = lease.iso === isolateId && out.k === 0;
  if (lease.unacked.length >= lease.c || !linked || loopTell) {
    // Out of credits (a burst): give the lease up; this and later sends go through the router,
    // whose mailbox does the back-pressure.
    lease.waiting.push(out);
    lease.state = "closing";
    lease.releaseSent = true;
    postPeer(lease.iso, { t: "release", l: lease.l });
    if (!linked) settleLease(lease, 0, undefined);
    return;
  }
  try {
    parseMessage(lease.def!.messages, lease.to, out.y, out.m, "sender");
  } catch (err) {
    settleSend(out.id, undefined, err);
    return;
  }
  out.n = lease.next++;
  lease.unacked.push(out);
  postPeer(lease.iso, {
    t: "dd",
    l: lease.l,
    n: out.n,
    a: lease.a,
    i: lease.i,
    y: out.y,
    m: out.m,
    k: out.k,
    id: out.id,
    f: out.f,
  });
  if (out.k === 0) settleSend(out.id, undefined); // in the mailbox: a reserved slot
}

function takeGrant(m: Extract<ToIsolate, { t: "grant" }>): void {
  if (
    outLeases.has(m.to) || (lastRouted.get(m.to) ?? 0) !== m.after || !reachable(m.iso)
  ) {
    post({ t: "released", l: m.l });
    return;
  }
  const lease: OutLease = {
    l: m.l,
    to: m.to,
    a: m.a,
    i: m.i,
    iso: m.iso,
    c: m.c,
    state: "loading",
    next: 1,
    unacked: new Deque(),
    waiting: [],
    releaseSent: false,
  };
  outLeases.set(m.to, lease);
  outLeaseById.set(m.l, lease);
  loadModule(m.u).then((mod) => {
    const def = m.x ? mod[m.x] : onlyDefinition(mod, m.u);
    if (!isActorDefinition(def)) throw new Error(`no actor definition in ${m.u}`);
    return def;
  }).then(
    (def) => {
      if (lease.state !== "loading") return;
      lease.def = def;
      lease.state = "active";
      const w = lease.waiting;
      lease.waiting = [];
      for (const out of w) leaseSend(lease, out);
    },
    () => {
      if (lease.state === "loading") settleLease(lease, 0, undefined);
    },
  );
}

/** Drops what lease `l` has acknowledged up to `n`. */
function acked(lease: OutLease, n: number): void {
  while (lease.unacked.length && lease.unacked.peek()!.n! <= n) lease.unacked.shift();
}

/**
 * Ends a lease: what was handled (up to `handled`) is done; what was sent but not handled goes
 * again through the router, in order (the one that crashed its actor, `culprit`, with one
 * attempt counted); then the sends made meanwhile; then the main thread hears `released`.
 * `lostWith` (the target's isolate died): unhandled asks fail as the router's would
 * (`isolate_crashed`, dead-lettered), unhandled tells are retried.
 */
function settleLease(
  lease: OutLease,
  handled: number,
  culprit: { n: number; e: WireError } | undefined,
  lostWith?: string,
): void {
  if (outLeaseById.get(lease.l) !== lease) return;
  outLeaseById.delete(lease.l);
  outLeases.delete(lease.to);
  acked(lease, handled);
  for (const out of lease.unacked.drain()) {
    if (lostWith !== undefined) {
      const err = new ActorError(
        "isolate_crashed",
        `${lostWith} (while ${JSON.stringify(lease.to)} had "${out.y}" in flight)`,
        { actor: lease.to },
      );
      if (out.k === 1) {
        post({
          t: "dead",
          l: lease.l,
          y: out.y,
          m: out.m,
          f: out.f,
          k: 1,
          at: 0,
          e: toWireError(err),
        });
        settleSend(out.id, undefined, err);
        continue;
      }
      route(lease.to, { ...out, o: "wait" }, { l: lease.l, at: 1, e: toWireError(err) });
    } else if (culprit && out.n === culprit.n) {
      route(lease.to, { ...out, o: "wait" }, { l: lease.l, at: 1, e: culprit.e });
    } else {
      route(lease.to, { ...out, o: "wait" }, { l: lease.l, at: 0 });
    }
  }
  for (const out of lease.waiting) route(lease.to, out);
  lease.waiting = [];
  if (!lease.releaseSent && lostWith === undefined) {
    lease.releaseSent = true;
    postPeer(lease.iso, { t: "release", l: lease.l }); // lets the target forget the lease
  }
  lease.state = "closing";
  post({ t: "released", l: lease.l });
}

// ---- leases on this isolate's actors (target side).
interface InLease {
  l: number;
  /** The lessee's isolate. */
  from: number;
  /** The target actor. */
  a: number;
  /** Handled up to this seq. */
  h: number;
  /** Seq of the message being handled (0 = none). */
  running: number;
  /** No more direct messages are taken under it. */
  closed: boolean;
  /** Closed, and `closed` will be told once the running message is done. */
  noticePending: boolean;
  /** `closed` was told to the lessee. */
  noticeSent: boolean;
  /** The lessee said `release`: nothing more will come under this lease. */
  released: boolean;
  /** The message that crashed the actor, if one did. */
  culprit?: { n: number; e: WireError };
  /** An `ack` is queued for this turn. */
  ackQueued: boolean;
}
const inLeases = new Map<number, InLease>();

function onDirect(iso: number, m: Extract<PeerMsg, { t: "dd" }>): void {
  let st = inLeases.get(m.l);
  if (!st) {
    st = {
      l: m.l,
      from: iso,
      a: m.a,
      h: 0,
      running: 0,
      closed: false,
      noticePending: false,
      noticeSent: false,
      released: false,
      ackQueued: false,
    };
    inLeases.set(m.l, st);
  }
  if (st.closed) return; // the lessee sends it again through the router
  const h = actors.get(m.a);
  if (!h || h.inc !== m.i || h.crashed || !h.started || h.stopRequested) {
    closeLease(st, "graceful");
    return;
  }
  h.queue.push({ s: -1, y: m.y, m: m.m, k: m.k, lease: st, n: m.n, id: m.id, f: m.f });
  markReady(h);
  if (h.inReady) schedule();
}

/** A direct message was handled (or refused): acknowledge it, finish a pending close. */
function handledDirect(d: Delivery): void {
  const st = d.lease!;
  st.h = d.n!;
  st.running = 0;
  if (st.closed) {
    if (st.noticePending) tellClosed(st);
    return;
  }
  if (!st.ackQueued) {
    st.ackQueued = true;
    queueMicrotask(() => {
      st.ackQueued = false;
      if (!st.closed) postPeer(st.from, { t: "ack", l: st.l, n: st.h });
    });
  }
}

/**
 * Closes a lease on this side: its queued messages are dropped (the lessee sends them again
 * through the router). "graceful": a message being handled finishes first; "abandon": it is
 * not counted (its actor crashed, restarted or stopped).
 */
function closeLease(st: InLease, how: "graceful" | "abandon"): void {
  if (!st.closed) {
    st.closed = true;
    const h = actors.get(st.a);
    if (h) h.queue = h.queue.filter((d) => d.lease !== st);
  }
  if (st.noticeSent) return;
  if (how === "abandon") st.running = 0;
  if (st.running) st.noticePending = true;
  else tellClosed(st);
}

function tellClosed(st: InLease): void {
  st.noticePending = false;
  st.noticeSent = true;
  postPeer(st.from, { t: "closed", l: st.l, h: st.h, c: st.culprit });
  if (st.released) inLeases.delete(st.l);
}

function closeActorLeases(a: number, how: "graceful" | "abandon"): void {
  for (const st of [...inLeases.values()]) {
    if (a === 0 || st.a === a) closeLease(st, how);
  }
}

function onPeerMessage(iso: number, m: PeerMsg): void {
  switch (m.t) {
    case "dd":
      return onDirect(iso, m);
    case "r":
      settleSend(m.id, m.v, m.e ? rebuild(m.e) : undefined);
      return;
    case "ack": {
      const lease = outLeaseById.get(m.l);
      if (lease) acked(lease, m.n);
      return;
    }
    case "closed": {
      const lease = outLeaseById.get(m.l);
      if (lease) settleLease(lease, m.h, m.c);
      return;
    }
    case "release": {
      const st = inLeases.get(m.l);
      if (!st) return;
      st.released = true;
      if (!st.closed) closeLease(st, "graceful");
      else if (st.noticeSent) inLeases.delete(st.l);
      return;
    }
  }
}

function makeContext(h: Hosted): ActorContext {
  const transport = {
    tell: (to: string, type: string, msg: unknown, opts?: { onFull?: "wait" | "fail" }) =>
      send(h.name, to, type, msg, false, opts?.onFull) as Promise<void>,
    ask: (
      to: string,
      type: string,
      msg: unknown,
      opts?: { onFull?: "wait" | "fail"; timeoutMs?: number },
    ) => send(h.name, to, type, msg, true, opts?.onFull, opts?.timeoutMs),
  };
  return {
    name: h.name,
    incarnation: h.starts,
    tell: transport.tell,
    ask: transport.ask,
    ref: <D extends AnyActorDefinition>(name: string) => new ActorRef<D>(name, transport),
    yield: () =>
      new Promise<void>((resolve) => {
        yielders.push(resolve);
        queueMacro();
      }),
    shouldYield: () => performance.now() - turnStart > sliceMs,
    stop: () => {
      h.stopRequested = true;
    },
  };
}

function loadModule(url: string): Promise<Record<string, unknown>> {
  let p = modules.get(url);
  if (!p) {
    p = import(url) as Promise<Record<string, unknown>>;
    modules.set(url, p);
    p.catch(() => modules.delete(url));
  }
  return p;
}

async function start(m: Extract<ToIsolate, { t: "start" }>): Promise<void> {
  closeActorLeases(m.a, "abandon"); // a new incarnation: whatever the old one had is re-sent
  const h: Hosted = {
    id: m.a,
    inc: m.i,
    starts: m.c,
    name: m.n,
    state: undefined,
    queue: [],
    started: false,
    crashed: false,
    busy: false,
    inReady: false,
    stopRequested: false,
    handlerTimeoutMs: m.h,
  };
  actors.set(m.a, h); // replaces any previous incarnation (restart in place)
  try {
    const mod = await loadModule(m.u);
    const def = m.x ? mod[m.x] : onlyDefinition(mod, m.u);
    if (!isActorDefinition(def)) {
      throw new ActorError(
        "start_failed",
        `module ${m.u} has no actor definition export "${m.x}"`,
        { actor: m.n },
      );
    }
    h.def = def;
    h.ctx = makeContext(h);
    const args = def.args
      ? parseWith(def.args, m.g, `spawn arguments of ${JSON.stringify(m.n)} (receiver side)`, m.n)
      : m.g;
    const state = await def.init(h.ctx, args);
    if (actors.get(m.a) !== h) return; // superseded while starting
    h.state = state;
    h.started = true;
    post({ t: "started", a: m.a, i: m.i });
  } catch (err) {
    if (actors.get(m.a) !== h) return;
    h.crashed = true;
    post({ t: "startFailed", a: m.a, i: m.i, e: toWireError(err) });
  }
}

function onlyDefinition(mod: Record<string, unknown>, url: string): unknown {
  const defs = Object.entries(mod).filter(([, v]) => isActorDefinition(v));
  if (defs.length === 1) return defs[0][1];
  throw new ActorError(
    "start_failed",
    defs.length === 0
      ? `module ${url} exports no actor definition`
      : `module ${url} exports several actor definitions (${
        defs.map(([k]) => k).join(", ")
      }): pass "export" to spawn`,
  );
}

async function persistOne(h: Hosted | undefined): Promise<void> {
  if (h?.def?.persist && h.started) await h.def.persist(h.state, h.ctx!);
}

function onMessage(m: ToIsolate): void {
  switch (m.t) {
    case "d": {
      const h = actors.get(m.a);
      if (!h || h.inc !== m.i || h.crashed) return; // stale: the main thread re-sends what is owed
      h.queue.push(m);
      markReady(h);
      if (h.inReady) schedule();
      return;
    }
    case "res":
      settleSend(m.id, m.v, m.e ? rebuild(m.e) : undefined);
      return;
    case "link": {
      closePeer(m.peer);
      // The peer's event channel to us: what it sends while we are parked, or null to wake us.
      const peer = m.peer;
      m.wake.onmessage = (e: MessageEvent<PeerMsg[] | null>) => {
        const batch = e.data;
        loop!.wake(
          batch === null ? undefined : () => {
            turnStart = performance.now();
            for (const x of batch) onPeerMessage(peer, x);
            return batch.length;
          },
        );
      };
      const cells = new Int32Array(m.ctl);
      peers.set(m.peer, {
        port: m.port,
        wake: m.wake,
        channel: {
          port: m.port,
          bell: { cells, bell: CTL.bell, parked: CTL.parked, read: CTL.read },
          flag: { cells, index: CTL.fromPeer },
          event: (batch) => m.wake.postMessage(batch),
        },
      });
      // The peer may have posted already, and its flag been taken down by a drain that did
      // not know this port yet: look at the peers again.
      Atomics.store(ctl!, CTL.fromPeer, 1);
      return;
    }
    case "grant":
      takeGrant(m);
      return;
    case "closeLeases":
      closeActorLeases(m.a, "graceful");
      return;
    case "peerGone": {
      drainPeer(m.iso); // what it said before it died still counts
      for (const lease of [...outLeases.values()]) {
        if (lease.iso !== m.iso) continue;
        if (m.crashed) settleLease(lease, 0, undefined, `isolate ${m.iso} crashed`);
        else settleLease(lease, 0, m.c?.l === lease.l ? m.c : undefined);
      }
      for (const st of [...inLeases.values()]) if (st.from === m.iso) inLeases.delete(st.l);
      closePeer(m.iso);
      return;
    }
    case "start":
      void start(m);
      return;
    case "persist": {
      const h = actors.get(m.a);
      persistOne(h).then(
        () => post({ t: "persisted", a: m.a, i: m.i }),
        (err) => post({ t: "persisted", a: m.a, i: m.i, e: toWireError(err) }),
      );
      return;
    }
    case "stop": {
      const h = actors.get(m.a);
      if (h) {
        h.crashed = true;
        h.queue = [];
      }
      closeActorLeases(m.a, m.p ? "graceful" : "abandon");
      (m.p ? persistOne(h) : Promise.resolve()).then(
        () => {
          if (actors.get(m.a) === h) actors.delete(m.a);
          post({ t: "stopped", a: m.a, i: m.i });
        },
        (err) => {
          if (actors.get(m.a) === h) actors.delete(m.a);
          post({ t: "stopped", a: m.a, i: m.i, e: toWireError(err) });
        },
      );
      return;
    }
    case "init": {
      isolateId = m.id;
      ctl = new Int32Array(m.sab);
      timeBase = m.base;
      sliceMs = m.sliceMs;
      mainPort = m.port;
      const mainCells = new Int32Array(m.mainBell);
      toMain = {
        port: m.port,
        bell: {
          cells: mainCells,
          bell: MAIN_SLOTS.bell,
          parked: MAIN_SLOTS.parked,
          read: MAIN_SLOTS.read,
        },
        flag: { cells: ctl, index: CTL.toMain },
        event: (batch, transfer) => self.postMessage(batch, transfer ?? []),
      };
      loop = new ReceiveLoop(
        { cells: ctl, bell: CTL.bell, parked: CTL.parked, read: CTL.read },
        drainIn,
        m.spinUs,
        {
          counter: mainCells,
          index: MAIN_SLOTS.spinners,
          max: m.maxSpinners,
          mine: ctl,
          mineIndex: CTL.spinning,
          contended: MAIN_SLOTS.contended,
        },
        () => pendingSends.size > 0, // sends of its actors not yet answered
      );
      loop.start();
      return;
    }
  }
}

function closePeer(iso: number): void {
  const peer = peers.get(iso);
  if (!peer) return;
  peer.port.close();
  peer.wake.close();
  peers.delete(iso);
}

// The worker's own channel: `init`, then this isolate's event channel (see doorbell.ts): what the
// main thread sends while it is parked, or null to wake it.
self.onmessage = (e: MessageEvent<ToIsolate | ToIsolate[] | null>) => {
  turnStart = performance.now();
  const d = e.data;
  if (d !== null && !Array.isArray(d) && d.t === "init") return onMessage(d);
  loop!.wake(
    d === null ? undefined : () => {
      onMainBatch(d);
      return 1;
    },
  );
};
