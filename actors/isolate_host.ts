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
 */
/// <reference lib="deno.worker" />
import { ActorError, fromWireError as rebuild, toWireError } from "./errors.ts";
import {
  type ActorContext,
  ActorRef,
  type AnyActorDefinition,
  isActorDefinition,
} from "./define_actor.ts";
import { parseMessage, parseWith } from "./message_schema.ts";
import { type FromIsolate, type ToIsolate, WATCH } from "./protocol.ts";
import { Deque } from "./deque.ts";
import { Timeouts } from "./timeouts.ts";

interface Delivery {
  s: number;
  y: string;
  m: unknown;
  k: 0 | 1;
  r?: number;
  q?: number;
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

let watch: Int32Array | undefined;
let timeBase = 0;
let sliceMs = 10;
let turnStart = performance.now();

const actors = new Map<number, Hosted>();
const ready = new Deque<Hosted>();
let isolateId = 0;
/** Channels to other isolates, for answering their asks directly. */
const peers = new Map<number, MessagePort>();
const peerOut = new Map<number, { id: number; v: unknown }[]>();
const timeouts = new Timeouts();
const modules = new Map<string, Promise<Record<string, unknown>>>();

// ---- outbound batching: everything posted in one synchronous run leaves in one postMessage.
let outbox: FromIsolate[] = [];
let flushQueued = false;
function post(m: FromIsolate): void {
  outbox.push(m);
  if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flush);
  }
}
function flush(): void {
  flushQueued = false;
  const batch = outbox;
  outbox = [];
  if (batch.length === 1) self.postMessage(batch[0]);
  else if (batch.length) self.postMessage(batch);
}

// ---- macrotask yield. A MessageChannel tick is fast but, in Deno, keeps the worker's own
// incoming messages waiting for as long as ticks keep coming; a setTimeout(0) lets them in but
// costs ~1-4 ms. So: MessageChannel ticks, except that at least every `sliceMs` the yield is a
// timer, which bounds how long new messages (and so other actors' work) can wait.
const tick = new MessageChannel();
let macroQueued = false;
let yielders: (() => void)[] = [];
/** Last time the event loop certainly processed incoming messages. */
let lastOpenYield = performance.now();
function onTick(): void {
  macroQueued = false;
  turnStart = performance.now();
  const ys = yielders;
  yielders = [];
  for (const y of ys) y();
  runRound();
}
tick.port1.onmessage = onTick;
function openTick(): void {
  lastOpenYield = performance.now();
  onTick();
}
function queueMacro(): void {
  if (!macroQueued) {
    macroQueued = true;
    if (performance.now() - lastOpenYield >= sliceMs) setTimeout(openTick, 0);
    else tick.port2.postMessage(0);
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
  let msg: unknown;
  try {
    msg = parseMessage(def.messages, h.name, d.y, d.m, "receiver");
  } catch (err) {
    post({ t: "done", a: h.id, i: inc, s: d.s, ms: 0, e: toWireError(err), x: 1 });
    markReady(h);
    return;
  }
  const handler =
    (def.handle as Record<string, (s: unknown, m: unknown, c: ActorContext) => unknown>)[d.y];
  const t0 = performance.now();
  let result: unknown;
  if (watch) {
    Atomics.store(watch, WATCH.busySince, elapsedSinceBase());
    Atomics.store(watch, WATCH.busyIncarnation, inc);
    Atomics.store(watch, WATCH.busyActor, h.id);
  }
  try {
    result = handler(h.state, msg, h.ctx!);
  } catch (err) {
    crash(h, inc, d.s, err, performance.now() - t0);
    return;
  } finally {
    if (watch) Atomics.store(watch, WATCH.busyActor, 0);
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
            d.s,
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
      (err) => settled(() => crash(h, inc, d.s, err, performance.now() - t0)),
    );
  } else {
    complete(h, inc, d, result, performance.now() - t0);
  }
}

function complete(h: Hosted, inc: number, d: Delivery, value: unknown, ms: number): void {
  if (d.k === 1) {
    let v = value;
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
        post({ t: "done", a: h.id, i: inc, s: d.s, ms, e: toWireError(err) });
        afterMessage(h, inc);
        return;
      }
    }
    if (d.r !== undefined) {
      replyDirect(d.r, d.q!, v);
      post({ t: "done", a: h.id, i: inc, s: d.s, ms });
    } else {
      post({ t: "done", a: h.id, i: inc, s: d.s, ms, v });
    }
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
  let out = peerOut.get(iso);
  if (!out) {
    out = [];
    peerOut.set(iso, out);
    queueMicrotask(() => {
      peerOut.delete(iso);
      peers.get(iso)?.postMessage(out!);
    });
  }
  out.push({ id, v });
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
    post({ t: "exit", a: h.id, i: inc });
    return;
  }
  markReady(h);
  if (h.inReady) schedule();
}

function crash(h: Hosted, inc: number, seq: number, err: unknown, ms: number): void {
  h.crashed = true;
  h.busy = false;
  h.queue = [];
  post({ t: "crash", a: h.id, i: inc, s: seq, ms, e: toWireError(err) });
}

// ---- sends to other actors go through the main-thread router.
let nextSend = 1;
const pendingSends = new Map<
  number,
  { resolve: (v: unknown) => void; reject: (e: unknown) => void }
>();

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
  post({ t: "send", id, f: from, to, y, m, k: ask ? 1 : 0, o });
  return p;
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
      peers.get(m.peer)?.close();
      peers.set(m.peer, m.port);
      m.port.onmessage = (e: MessageEvent<{ id: number; v: unknown }[]>) => {
        turnStart = performance.now();
        for (const r of e.data) settleSend(r.id, r.v);
      };
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
    case "init":
      isolateId = m.id;
      watch = new Int32Array(m.sab);
      timeBase = m.base;
      sliceMs = m.sliceMs;
      return;
  }
}

self.onmessage = (e: MessageEvent<ToIsolate | ToIsolate[]>) => {
  turnStart = performance.now();
  lastOpenYield = turnStart;
  const data = e.data;
  if (Array.isArray(data)) { for (const m of data) onMessage(m); }
  else onMessage(data);
};
