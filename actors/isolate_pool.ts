/**
 * @module
 * Placement of actors on worker isolates: a small pool of shared workers (default
 * `min(4, cores)`) where each new actor goes to the least-loaded one, or a dedicated worker per
 * actor. An {@link Isolate} wraps one Worker: its channel to the main thread (batched posts,
 * synchronous reads, doorbells: see actors/doorbell.ts), error capture (an uncaught error in the
 * worker never reaches the main thread), and the watchdog's shared memory.
 */
import { receiveMessageOnPort } from "node:worker_threads";
import type { FromIsolate, ToIsolate } from "./protocol.ts";
import { CTL } from "./protocol.ts";
import { ContentionSampler } from "./contention.ts";
import { type Channel, MAIN_SLOTS, ReceiveLoop, releaseSlotOf, send } from "./doorbell.ts";

/** Where an actor runs. */
export type Placement = "pool" | "dedicated";

/** What an isolate reports to its owner (the actor system). */
export interface IsolateEvents {
  message(iso: Isolate, m: FromIsolate): void;
  /** The worker died (uncaught error / unhandled rejection / message error). */
  error(iso: Isolate, message: string): void;
}

/** Settings shared by every isolate of a pool. */
export interface IsolateSettings {
  sliceMs: number;
  /** Spin window of every thread, µs (see actors/doorbell.ts). */
  spinUs: number;
  /** How many threads may busy-poll at once (the node's spin slots). */
  maxSpinners: number;
  /** Whether the main thread waits for an answer (only then does it busy-poll). */
  expecting: () => boolean;
}

const HOST = new URL("./isolate_host.ts", import.meta.url);
/** The main thread drains for at most this long per turn, then lets its event loop run. */
const DRAIN_BUDGET_MS = 5;

// `receiveMessageOnPort` is typed for node's MessagePort; Deno's accepts web MessagePorts.
const receive = receiveMessageOnPort as unknown as (
  port: MessagePort,
) => { message: unknown } | undefined;

/** The main thread's end of the transport: its doorbell and its receive loop over all isolates. */
class MainSide {
  /** {@link MAIN_SLOTS}: the main thread's doorbell and the spin-slot counter. */
  readonly bell = new Int32Array(new SharedArrayBuffer(MAIN_SLOTS.length * 4));
  /** The main thread's own spin-slot flag (it is never terminated; kept for symmetry). */
  readonly #mine = new Int32Array(1);
  readonly loop: ReceiveLoop;
  #isolates: Isolate[] = [];
  #next = 0;
  #started = false;
  readonly #sampler: ContentionSampler;

  constructor(private readonly settings: IsolateSettings) {
    const own = {
      cells: this.bell,
      bell: MAIN_SLOTS.bell,
      parked: MAIN_SLOTS.parked,
      read: MAIN_SLOTS.read,
    };
    this.loop = new ReceiveLoop(own, () => this.#drain(), settings.spinUs, {
      counter: this.bell,
      index: MAIN_SLOTS.spinners,
      max: settings.maxSpinners,
      mine: this.#mine,
      mineIndex: 0,
      contended: MAIN_SLOTS.contended,
    }, settings.expecting);
    this.#sampler = new ContentionSampler(
      { cells: this.bell, index: MAIN_SLOTS.contended },
      settings.maxSpinners,
    );
  }

  /** Listens to `iso` too (the loop starts with the first isolate: an empty pool never listens). */
  add(iso: Isolate): void {
    this.#isolates.push(iso);
    if (!this.#started) {
      this.#started = true;
      this.loop.start();
      if (this.settings.spinUs > 0) this.#sampler.start();
    }
  }

  remove(iso: Isolate): void {
    const i = this.#isolates.indexOf(iso);
    if (i >= 0) this.#isolates.splice(i, 1);
  }

  /** Stops listening (shutdown): the parked waiter is released. */
  stop(): void {
    this.#isolates = [];
    this.#sampler.stop();
    this.loop.stop();
  }

  /**
   * Reads what every isolate posted now (stats, shutdown: lazy reports included), unless an
   * event is on its way to this thread (then it reads everything when that arrives).
   */
  drainNow(): void {
    this.loop.drainNow();
  }

  /** Drains every isolate that posted, round-robin from where the last budget ran out. */
  #drain(): number {
    const isos = this.#isolates;
    const until = performance.now() + DRAIN_BUDGET_MS;
    let n = 0;
    for (let k = 0; k < isos.length; k++) {
      const i = (this.#next + k) % isos.length;
      n += isos[i].drain(until);
      if (performance.now() > until) {
        this.#next = (i + 1) % isos.length;
        break;
      }
    }
    return n;
  }
}

/** One worker isolate hosting one or more actors. */
export class Isolate {
  /** Actor ids placed here. */
  readonly actors = new Set<number>();
  /** Times the worker was replaced. */
  restarts = 0;
  #worker!: Worker;
  /** The main thread's end of the channel with the worker. */
  #port!: MessagePort;
  /** Control buffer shared with the worker (watchdog bracket, doorbell, flags: {@link CTL}). */
  #ctlBuffer!: SharedArrayBuffer;
  #ctl!: Int32Array;
  /** How this thread sends to the worker. */
  #channel!: Channel;
  #out: ToIsolate[] = [];
  #flushQueued = false;
  #dead = false;
  readonly base = Date.now();

  constructor(
    readonly id: number,
    readonly kind: Placement,
    private readonly events: IsolateEvents,
    private readonly settings: IsolateSettings,
    private readonly main: MainSide,
  ) {
    this.#spawnWorker();
    main.add(this);
  }

  #spawnWorker(): void {
    this.#ctlBuffer = new SharedArrayBuffer(CTL.length * 4);
    this.#ctl = new Int32Array(this.#ctlBuffer);
    const ch = new MessageChannel();
    this.#port = ch.port1;
    const w = new Worker(HOST, { type: "module", name: `actors-isolate-${this.id}` });
    this.#worker = w;
    this.#channel = {
      port: ch.port1,
      bell: { cells: this.#ctl, bell: CTL.bell, parked: CTL.parked, read: CTL.read },
      flag: { cells: this.#ctl, index: CTL.fromMain },
      event: (batch, transfer) => w.postMessage(batch, transfer ?? []),
    };
    // The worker's own channel (its event channel, see doorbell.ts): what it sends while this
    // thread is parked, or `null` to wake it.
    w.onmessage = (e: MessageEvent<FromIsolate | FromIsolate[] | null>) => {
      if (this.#dead || w !== this.#worker) return;
      const d = e.data;
      this.main.loop.wake(d === null ? undefined : () => this.#report(d));
    };
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      if (this.#dead || w !== this.#worker) return;
      this.drain(Infinity); // what the worker said before it died still counts
      this.events.error(this, e.message || String(e.error));
    };
    w.onmessageerror = () => {
      if (this.#dead || w !== this.#worker) return;
      this.events.error(this, "a message could not be deserialized");
    };
    const init: ToIsolate = {
      t: "init",
      id: this.id,
      sab: this.#ctlBuffer,
      base: this.base,
      sliceMs: this.settings.sliceMs,
      port: ch.port2,
      mainBell: this.main.bell.buffer as SharedArrayBuffer,
      spinUs: this.settings.spinUs,
      maxSpinners: this.settings.maxSpinners,
    };
    w.postMessage(init, [ch.port2]);
  }

  /** The control buffer (handed to peers so they can ring this isolate's doorbell). */
  get ctl(): SharedArrayBuffer {
    return this.#ctlBuffer;
  }

  /**
   * Reads what the worker posted (if its flag says so) and reports it, until `until`
   * (performance.now() time). Returns the number of messages read, lazy reports of direct
   * messages (`dd`) not counted: they are no reason for the main thread to keep watching.
   */
  drain(until: number): number {
    if (this.#dead || Atomics.load(this.#ctl, CTL.toMain) === 0) return 0;
    Atomics.store(this.#ctl, CTL.toMain, 0);
    const port = this.#port;
    let n = 0;
    for (let r = receive(port); r; r = receive(port)) {
      n += this.#report(r.message as FromIsolate | FromIsolate[]);
      // Replaced or terminated while reporting: the rest is stale.
      if (port !== this.#port || this.#dead) return n;
      if (performance.now() > until) {
        Atomics.store(this.#ctl, CTL.toMain, 1); // more may be waiting: come back next turn
        return n;
      }
    }
    return n;
  }

  /** Reports a batch from the worker; returns how many messages were not lazy reports. */
  #report(d: FromIsolate | FromIsolate[]): number {
    let n = 0;
    if (Array.isArray(d)) {
      for (const m of d) {
        if (m.t !== "dd") n++;
        this.events.message(this, m);
      }
    } else {
      if (d.t !== "dd") n++;
      this.events.message(this, d);
    }
    return n;
  }

  /** Queues a message; everything posted in one synchronous run goes in one `postMessage`. */
  post(m: ToIsolate): void {
    if (this.#dead) return;
    this.#out.push(m);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Sends what is queued now (before something that must arrive after it). */
  flush(): void {
    this.#flushQueued = false;
    const batch = this.#out;
    this.#out = [];
    if (this.#dead || batch.length === 0) return;
    this.#send(batch.length === 1 ? batch[0] : batch);
  }

  #send(m: ToIsolate | ToIsolate[], transfer?: Transferable[]): void {
    send(this.#channel, m, transfer);
    this.main.loop.activity(); // an answer may come soon: watch for it
  }

  /** Posts at once (after anything queued), transferring `transfer` (e.g. a MessagePort). */
  postTransfer(m: ToIsolate, transfer: Transferable[]): void {
    if (this.#dead) return;
    this.flush();
    this.#send(m, transfer);
  }

  /** Replaces the worker by a fresh one (its actors must be started again by the owner). */
  restart(): void {
    this.#stopWorker();
    this.#out = [];
    this.restarts++;
    this.#spawnWorker();
  }

  #stopWorker(): void {
    this.#worker.terminate();
    this.#port.close();
    // A worker terminated while busy-polling would keep its spin slot forever.
    releaseSlotOf({
      counter: this.main.bell,
      index: MAIN_SLOTS.spinners,
      mine: this.#ctl,
      mineIndex: CTL.spinning,
    });
  }

  /**
   * The actor whose handler has been running synchronously for longer than `blockMs`, with its
   * incarnation, or undefined. Reads shared memory only.
   */
  blockedActor(
    blockMs: number,
  ): { actor: number; incarnation: number; ms: number; lease: number; seq: number } | undefined {
    const actor = Atomics.load(this.#ctl, CTL.busyActor);
    if (actor === 0) return undefined;
    const ms = Date.now() - this.base - Atomics.load(this.#ctl, CTL.busySince);
    if (ms <= blockMs) return undefined;
    if (Atomics.load(this.#ctl, CTL.busyActor) !== actor) return undefined;
    return {
      actor,
      incarnation: Atomics.load(this.#ctl, CTL.busyIncarnation),
      ms,
      lease: Atomics.load(this.#ctl, CTL.busyLease),
      seq: Atomics.load(this.#ctl, CTL.busySeq),
    };
  }

  /** Stops the worker for good. */
  terminate(): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#out = [];
    this.#stopWorker();
    this.main.remove(this);
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

  #main: MainSide;

  constructor(
    readonly size: number,
    private readonly events: IsolateEvents,
    private readonly settings: IsolateSettings,
  ) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`pool size must be ≥ 1, got ${size}`);
    }
    this.#main = new MainSide(settings);
  }

  /** An isolate for a new actor: the least-loaded pool isolate (created lazily), or a new dedicated one. */
  place(placement: Placement): Isolate {
    if (placement === "dedicated") {
      const iso = new Isolate(this.#nextId++, "dedicated", this.events, this.settings, this.#main);
      this.#dedicated.add(iso);
      return iso;
    }
    if (this.#pool.length < this.size) {
      const iso = new Isolate(this.#nextId++, "pool", this.events, this.settings, this.#main);
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

  /** Reads what every isolate has posted so far (lazy reports included). */
  drainNow(): void {
    this.#main.drainNow();
  }

  /** Terminates every worker and stops listening (no waiter is left behind). */
  terminateAll(): void {
    for (const iso of this.all()) iso.terminate();
    this.#pool = [];
    this.#dedicated.clear();
    this.#main.stop();
  }
}
