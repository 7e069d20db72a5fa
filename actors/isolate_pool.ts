/**
 * @module
 * Placement of actors on worker isolates: a small pool of shared workers (default
 * `min(4, cores)`) where each new actor goes to the least-loaded one, or a dedicated worker per
 * actor. An {@link Isolate} wraps one Worker: batched posting, error capture (an uncaught error in
 * the worker never reaches the main thread), and the watchdog's shared memory.
 */
import type { FromIsolate, ToIsolate } from "./protocol.ts";
import { WATCH } from "./protocol.ts";

/** Where an actor runs. */
export type Placement = "pool" | "dedicated";

/** What an isolate reports to its owner (the actor system). */
export interface IsolateEvents {
  message(iso: Isolate, m: FromIsolate): void;
  /** The worker died (uncaught error / unhandled rejection / message error). */
  error(iso: Isolate, message: string): void;
}

const HOST = new URL("./isolate_host.ts", import.meta.url);

/** One worker isolate hosting one or more actors. */
export class Isolate {
  /** Actor ids placed here. */
  readonly actors = new Set<number>();
  /** Times the worker was replaced. */
  restarts = 0;
  #worker: Worker;
  #watch: Int32Array;
  #out: ToIsolate[] = [];
  #flushQueued = false;
  #dead = false;
  readonly base = Date.now();

  constructor(
    readonly id: number,
    readonly kind: Placement,
    private readonly events: IsolateEvents,
    private readonly sliceMs: number,
  ) {
    const sab = new SharedArrayBuffer(WATCH.length * 4);
    this.#watch = new Int32Array(sab);
    this.#worker = this.#spawnWorker(sab);
  }

  #spawnWorker(sab: SharedArrayBuffer): Worker {
    const w = new Worker(HOST, { type: "module", name: `actors-isolate-${this.id}` });
    w.onmessage = (e: MessageEvent<FromIsolate | FromIsolate[]>) => {
      if (this.#dead || w !== this.#worker) return;
      const d = e.data;
      if (Array.isArray(d)) { for (const m of d) this.events.message(this, m); }
      else this.events.message(this, d);
    };
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      if (this.#dead || w !== this.#worker) return;
      this.events.error(this, e.message || String(e.error));
    };
    w.onmessageerror = () => {
      if (this.#dead || w !== this.#worker) return;
      this.events.error(this, "a message could not be deserialized");
    };
    w.postMessage(
      { t: "init", id: this.id, sab, base: this.base, sliceMs: this.sliceMs } satisfies ToIsolate,
    );
    return w;
  }

  /** Queues a message; everything posted in one synchronous run goes in one `postMessage`. */
  post(m: ToIsolate): void {
    if (this.#dead) return;
    this.#out.push(m);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushQueued = false;
    const batch = this.#out;
    this.#out = [];
    if (this.#dead || batch.length === 0) return;
    this.#worker.postMessage(batch.length === 1 ? batch[0] : batch);
  }

  /** Posts at once (after anything queued), transferring `transfer` (e.g. a MessagePort). */
  postTransfer(m: ToIsolate, transfer: Transferable[]): void {
    if (this.#dead) return;
    this.#flush();
    this.#worker.postMessage(m, transfer);
  }

  /** Replaces the worker by a fresh one (its actors must be started again by the owner). */
  restart(): void {
    this.#worker.terminate();
    this.#out = [];
    this.restarts++;
    const sab = new SharedArrayBuffer(WATCH.length * 4);
    this.#watch = new Int32Array(sab);
    this.#worker = this.#spawnWorker(sab);
  }

  /**
   * The actor whose handler has been running synchronously for longer than `blockMs`, with its
   * incarnation, or undefined. Reads shared memory only.
   */
  blockedActor(blockMs: number): { actor: number; incarnation: number; ms: number } | undefined {
    const actor = Atomics.load(this.#watch, WATCH.busyActor);
    if (actor === 0) return undefined;
    const ms = Date.now() - this.base - Atomics.load(this.#watch, WATCH.busySince);
    if (ms <= blockMs) return undefined;
    if (Atomics.load(this.#watch, WATCH.busyActor) !== actor) return undefined;
    return { actor, incarnation: Atomics.load(this.#watch, WATCH.busyIncarnation), ms };
  }

  /** Stops the worker for good. */
  terminate(): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#out = [];
    this.#worker.terminate();
  }

  /** False once terminated. */
  get alive(): boolean {
    return !this.#dead;
  }
}

/** The shared isolates plus the dedicated ones. */
export class IsolatePool {
  #pool: Isolate[] = [];
  #dedicated = new Set<Isolate>();
  #nextId = 1;

  constructor(
    readonly size: number,
    private readonly events: IsolateEvents,
    private readonly sliceMs: number,
  ) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`pool size must be ≥ 1, got ${size}`);
    }
  }

  /** An isolate for a new actor: the least-loaded pool isolate (created lazily), or a new dedicated one. */
  place(placement: Placement): Isolate {
    if (placement === "dedicated") {
      const iso = new Isolate(this.#nextId++, "dedicated", this.events, this.sliceMs);
      this.#dedicated.add(iso);
      return iso;
    }
    if (this.#pool.length < this.size) {
      const iso = new Isolate(this.#nextId++, "pool", this.events, this.sliceMs);
      this.#pool.push(iso);
      return iso;
    }
    let best = this.#pool[0];
    for (const iso of this.#pool) if (iso.actors.size < best.actors.size) best = iso;
    return best;
  }

  /** Gives back a dedicated isolate whose actor is gone (pool isolates stay). */
  release(iso: Isolate): void {
    if (iso.kind === "dedicated" && iso.actors.size === 0) {
      iso.terminate();
      this.#dedicated.delete(iso);
    }
  }

  /** Every live isolate. */
  all(): Isolate[] {
    return [...this.#pool, ...this.#dedicated];
  }

  /** Terminates every worker. */
  terminateAll(): void {
    for (const iso of this.all()) iso.terminate();
    this.#pool = [];
    this.#dedicated.clear();
  }
}
