/**
 * @module
 * `ActorSystem`: the main-thread side of the actor runtime. It owns every actor's mailbox (bounded,
 * with back-pressure), routes `tell`/`ask` by name (also for actors talking to each other from
 * their workers), validates messages on the sender side, places actors on isolates, supervises
 * them (restart with backoff, restart intensity, escalation through groups), watches for handlers
 * that block their isolate, keeps dead letters and statistics, and shuts down gracefully.
 * Between two isolates, an actor's sends may go directly under a lease of mailbox slots that
 * this thread grants and takes back (see docs/actors.md, "Direct sends").
 */
import {
  ActorRef,
  type AnyActorDefinition,
  type ArgsOf,
  type AskOptions,
  isActorDefinition,
  type TellOptions,
  type Transport,
} from "./define_actor.ts";
import { ActorError, fromWireError, toWireError, type WireError } from "./errors.ts";
import { checkActorName, parseMessage, parseWith } from "./message_schema.ts";
import { Mailbox, type Overflow } from "./mailbox.ts";
import {
  backoffDelay,
  GroupOptions,
  type GroupOptionsInput,
  RestartWindow,
  Supervision,
  type SupervisionInput,
} from "./supervisor.ts";
import { type DeadLetter, type DeadLetterReason, DeadLetters } from "./dead_letters.ts";
import { type ActorStats, type ActorStatus, ProcessingTime, type SystemStats } from "./stats.ts";
import { type Isolate, IsolatePool, type Placement } from "./isolate_pool.ts";
import type { FromIsolate } from "./protocol.ts";
import { installSignalHandlers } from "./shutdown.ts";
import { Timeouts } from "./timeouts.ts";

/** Mailbox settings of an actor. */
export interface MailboxOptions {
  /** Messages queued + in flight before senders wait or fail (default 1000). */
  capacity?: number;
  /** Default sender behaviour when full (default "wait"); a sender may override per call. */
  overflow?: Overflow;
  /** Messages handed to the isolate ahead of the handler (default 32; 1 = strictly one at a time). */
  prefetch?: number;
}

/** Watchdog settings of an actor. */
export interface WatchdogOptions {
  /** A synchronous handler running longer than this blocks its isolate (default: system's, 5000). */
  blockMs?: number;
  /** What to do: move the actor to its own worker (default for pooled actors) or just restart the isolate. */
  onBlock?: "dedicate" | "restart_isolate";
}

/** Options of `spawn`. */
export interface SpawnOptions<D extends AnyActorDefinition> {
  /** Unique name, e.g. `scorer` or `miner-client/17`. */
  name: string;
  /** The definition (from `defineActor`), imported on the main thread too. */
  actor: D;
  /** Export name of the definition in its module (default: the module's only definition export). */
  export?: string;
  /** Spawn arguments (default `{}`), validated by the definition's `args` schema on both sides. */
  args?: ArgsOf<D>;
  /** Shared pool isolate (default) or a worker of its own. */
  placement?: Placement;
  supervision?: SupervisionInput;
  mailbox?: MailboxOptions;
  /** An async handler taking longer than this is a crash (default 0 = no limit). */
  handlerTimeoutMs?: number;
  watchdog?: WatchdogOptions;
}

/** Options of `new ActorSystem`. */
export interface SystemOptions {
  /** Shared worker isolates (default `min(4, cores)`). */
  poolSize?: number;
  /** Time slice for `ctx.shouldYield()` (default 10 ms). */
  sliceMs?: number;
  /** Install SIGINT/SIGTERM handlers that shut down gracefully then exit (default false). */
  handleSignals?: boolean | { exit?: (code: number) => void };
  /** Default drain deadline of `shutdown` (default 10 000 ms). */
  shutdownDeadlineMs?: number;
  /** Deadline for the persist hooks at shutdown (default 5 000 ms). */
  persistDeadlineMs?: number;
  /** Dead letters kept for `deadLetters()` (default 1000; `total` counts all). */
  deadLetterCapacity?: number;
  /** Watchdog: how often to look (default 250 ms) and the default block limit (default 5000 ms). */
  watchdog?: { checkMs?: number; blockMs?: number };
  /** Strategy and restart intensity of the root supervisor (default one_for_one, 3 in 60 s). */
  root?: GroupOptionsInput;
  /** Default ask timeout (default 30 000 ms). */
  askTimeoutMs?: number;
  /**
   * Spin window, µs (default {@link DEFAULT_SPIN_US}; 0 = off): after sending or receiving, a
   * thread (main or isolate) keeps watching its doorbell this long before parking, so a reply
   * that comes back within the window costs no OS wake-up. Never longer than the window after the
   * last activity (an idle node burns nothing); timers and I/O of a thread wait at most one
   * window. Busy-polling is limited to one thread per core, to threads waiting for an answer, and
   * to times when other processes leave the cores free. See docs/actors.md ("Transport").
   */
  spinUs?: number;
  /**
   * Let actors of different isolates send to each other directly (default true): after a
   * routed send finds the target's mailbox idle, the sender's isolate may get a lease of a few
   * of its slots and send without the main thread (2 thread hops per ask instead of 3). Every
   * mailbox, supervision and dead-letter rule still holds. See docs/actors.md ("Direct sends").
   */
  direct?: boolean;
}

/** Default spin window (µs). */
export const DEFAULT_SPIN_US = 200;
/** Most messages a lease lets its isolate have sent and not yet handled (also ≤ prefetch). */
const LEASE_CREDITS = 32;

/** What the system reports as it goes (crashes, restarts, escalations, dead letters…). */
export type SystemEvent =
  | { type: "crashed"; actor: string; incarnation: number; error: WireError; messageType?: string }
  | { type: "restarting"; actor: string; delayMs: number; restarts: number; reason: string }
  | { type: "escalated"; from: string; to: string; error: WireError }
  | { type: "fatal"; node: string; error: WireError }
  | { type: "dead_letter"; letter: DeadLetter }
  | {
    type: "watchdog";
    actor: string;
    isolate: number;
    blockedMs: number;
    action: "dedicated" | "restarted_isolate";
  }
  | { type: "isolate_crashed"; isolate: number; error: string; actors: string[] }
  | { type: "stopped"; actor: string };

/** Result of `shutdown`. */
export interface ShutdownReport {
  /** True when every mailbox emptied before the deadline. */
  drained: boolean;
  /** Messages dead-lettered because they were still queued at the deadline. */
  deadLettered: number;
  /** Actors whose persist hook ran (or who had none) without error. */
  persisted: string[];
  /** Actors whose persist hook failed or did not finish in time. */
  persistFailed: { actor: string; error: string }[];
}

/** A supervisor node: spawn actors and sub-groups under it. */
export interface Group {
  /** Path, e.g. `root/miners`. */
  readonly path: string;
  /** Spawns an actor supervised by this group. */
  spawn<D extends AnyActorDefinition>(opts: SpawnOptions<D>): Promise<ActorRef<D>>;
  /** Creates a sub-group. */
  group(name: string, opts?: GroupOptionsInput): Group;
}

interface AskTarget {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  /** Asker is an actor on isolate `iso` (send id `id`): a successful reply goes there directly. */
  direct?: { iso: number; id: number };
}

/** Slots of `target`'s mailbox lent to isolate `from` for direct sends (docs/actors.md). */
interface Lease {
  id: number;
  from: Isolate;
  target: ActorRecord;
  /** The target's isolate when granted. */
  iso: Isolate;
  credits: number;
}

interface Envelope {
  seq: number;
  type: string;
  msg: unknown;
  attempts: number;
  from?: string;
  ask?: AskTarget;
}

interface GroupNode {
  kind: "group";
  name: string;
  path: string;
  parent?: GroupNode;
  opts: GroupOptions;
  window: RestartWindow;
  children: Node[];
}

interface ActorRecord {
  kind: "actor";
  id: number;
  name: string;
  def: AnyActorDefinition;
  exportName: string;
  args: unknown;
  parent: GroupNode;
  placement: Placement;
  isolate: Isolate;
  sup: Supervision;
  window: RestartWindow;
  mailbox: Mailbox<Envelope>;
  overflow: Overflow;
  prefetch: number;
  handlerTimeoutMs: number;
  blockMs: number;
  onBlock: "dedicate" | "restart_isolate";
  inc: number;
  /** Times started (1 on the first start). */
  starts: number;
  status: ActorStatus;
  timer?: ReturnType<typeof setTimeout>;
  everStarted: boolean;
  /** The root supervisor gave up on it (fatal): it refuses messages until the node decides. */
  gaveUp: boolean;
  firstStart: PromiseWithResolvers<void>;
  handled: number;
  failures: number;
  restarts: number;
  rejectedFull: number;
  deadLettered: number;
  lastError: { at: number; message: string } | null;
  proc: ProcessingTime;
  waitStop?: PromiseWithResolvers<WireError | undefined>;
  waitPersist?: PromiseWithResolvers<WireError | undefined>;
  /** Leases of its mailbox slots held by other isolates. */
  leases: Set<Lease>;
}

type Node = GroupNode | ActorRecord;

const DEFAULT_ASK_TIMEOUT = 30_000;
const RESOLVED = Promise.resolve();

/**
 * The actor system (one per process, on the main thread).
 *
 * @example
 * ```ts ignore
 * const system = new ActorSystem({ handleSignals: true });
 * const miners = system.group("miners", { strategy: "one_for_one" });
 * const m17 = await miners.spawn({ name: "miner-client/17", actor: minerClient, args: { uid: 17 } });
 * const reply = await m17.ask("query", { windowId: "w1" }, { timeoutMs: 5_000 });
 * await system.shutdown({ deadlineMs: 5_000 });
 * ```
 */
export class ActorSystem implements Transport {
  #byName = new Map<string, ActorRecord>();
  #byId = new Map<number, ActorRecord>();
  #nextId = 1;
  #seq = 1;
  #root: GroupNode;
  #pool: IsolatePool;
  #dead: DeadLetters;
  #listeners = new Set<(e: SystemEvent) => void>();
  #state: "running" | "draining" | "stopped" = "running";
  #delivering = true;
  #watchdogTimer?: ReturnType<typeof setInterval>;
  #timeouts = new Timeouts();
  #links = new Set<string>();
  #uninstallSignals?: () => void;
  #shutdownPromise?: Promise<ShutdownReport>;
  #direct: boolean;
  #leases = new Map<number, Lease>();
  #nextLease = 1;
  #opts:
    & Required<Pick<SystemOptions, "shutdownDeadlineMs" | "persistDeadlineMs" | "askTimeoutMs">>
    & {
      blockMs: number;
      checkMs: number;
    };

  constructor(opts: SystemOptions = {}) {
    const cores = navigator.hardwareConcurrency || 1;
    const poolSize = opts.poolSize ?? Math.max(1, Math.min(4, cores));
    const spinUs = opts.spinUs ?? DEFAULT_SPIN_US;
    if (!(spinUs >= 0 && spinUs <= 1_000_000)) {
      throw new RangeError(`spinUs must be between 0 and 1 000 000 µs, got ${spinUs}`);
    }
    this.#pool = new IsolatePool(poolSize, {
      message: (iso, m) => this.#onIsolateMessage(iso, m),
      error: (iso, message) => this.#onIsolateError(iso, message),
    }, {
      sliceMs: opts.sliceMs ?? 10,
      spinUs,
      maxSpinners: Math.max(1, cores),
      expecting: () => this.#timeouts.size > 0, // asks from this thread not yet answered
    });
    this.#direct = opts.direct ?? true;
    this.#dead = new DeadLetters(opts.deadLetterCapacity ?? 1000);
    const rootOpts = GroupOptions.parse(opts.root ?? {});
    this.#root = {
      kind: "group",
      name: "root",
      path: "root",
      opts: rootOpts,
      window: new RestartWindow(rootOpts.maxRestarts, rootOpts.withinMs),
      children: [],
    };
    this.#opts = {
      shutdownDeadlineMs: opts.shutdownDeadlineMs ?? 10_000,
      persistDeadlineMs: opts.persistDeadlineMs ?? 5_000,
      askTimeoutMs: opts.askTimeoutMs ?? DEFAULT_ASK_TIMEOUT,
      blockMs: opts.watchdog?.blockMs ?? 5_000,
      checkMs: opts.watchdog?.checkMs ?? 250,
    };
    if (opts.handleSignals) {
      const exit = typeof opts.handleSignals === "object" ? opts.handleSignals.exit : undefined;
      this.#uninstallSignals = installSignalHandlers(this, { exit });
    }
  }

  // ------------------------------------------------------------------ public API

  /** Spawns an actor under the root supervisor; resolves once its `init` has succeeded. */
  spawn<D extends AnyActorDefinition>(opts: SpawnOptions<D>): Promise<ActorRef<D>> {
    return this.#spawnIn(this.#root, opts);
  }

  /** A supervisor group under the root (`one_for_one` or `all_for_one`, own restart intensity). */
  group(name: string, opts: GroupOptionsInput = {}): Group {
    return this.#groupHandle(this.#makeGroup(this.#root, name, opts));
  }

  /** A typed handle on an actor by name (no check that it exists until used). */
  ref<D extends AnyActorDefinition>(name: string): ActorRef<D> {
    return new ActorRef<D>(name, this);
  }

  /** Whether an actor of that name exists (in any state but stopped). */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** Fire-and-forget: resolves once the message is in the mailbox (waits or fails when full). */
  tell(to: string, type: string, msg: unknown, opts: TellOptions = {}): Promise<void> {
    try {
      if (this.#state !== "running") throw this.#stoppingError();
      const rec = this.#lookup(to);
      parseMessage(rec.def.messages, to, type, msg, "sender");
      return this.#enqueue(rec, { seq: this.#seq++, type, msg, attempts: 0 }, opts.onFull);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Request/reply; rejects with `ask_timeout` after `timeoutMs`, or with the actor's failure. */
  ask(to: string, type: string, msg: unknown, opts: AskOptions = {}): Promise<unknown> {
    try {
      if (this.#state !== "running") throw this.#stoppingError();
      const rec = this.#lookup(to);
      parseMessage(rec.def.messages, to, type, msg, "sender");
      return this.#ask(rec, type, msg, opts, undefined);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Stops one actor: no new messages, drains its mailbox (up to `deadlineMs`), persists, removes it. */
  async stop(name: string, opts: { deadlineMs?: number } = {}): Promise<void> {
    const rec = this.#lookup(name);
    if (rec.status === "stopping" || rec.status === "stopped") return;
    const wasRunning = rec.status === "running";
    if (rec.timer !== undefined) clearTimeout(rec.timer);
    rec.timer = undefined;
    rec.status = "stopping"; // refuses new messages; accepted ones are still delivered
    this.#revokeLeases(rec); // what lessees sent is handled or comes back through the router
    const until = Date.now() + (opts.deadlineMs ?? this.#opts.shutdownDeadlineMs);
    const owed = () => {
      this.#pool.drainNow();
      return rec.mailbox.depth + rec.mailbox.reserved > 0;
    };
    while (wasRunning && owed() && Date.now() < until && rec.status === "stopping") {
      await sleep(5);
    }
    if (rec.status !== "stopping") return;
    if (wasRunning && rec.isolate.alive) {
      rec.waitStop = Promise.withResolvers();
      rec.isolate.post({ t: "stop", a: rec.id, i: rec.inc, p: 1 });
      await withTimeout(rec.waitStop.promise, Math.max(100, until - Date.now()));
    }
    this.#remove(
      rec,
      "actor_stopped",
      new ActorError("actor_stopped", `actor ${JSON.stringify(name)} was stopped`, { actor: name }),
    );
  }

  /** Listens to system events; returns the function that stops listening. */
  on(listener: (e: SystemEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The most recent dead letters (bounded; see `stats().deadLetters` for the total). */
  deadLetters(): DeadLetter[] {
    return this.#dead.list();
  }

  /** A snapshot of every actor and isolate. */
  stats(): SystemStats {
    this.#pool.drainNow(); // reports of direct messages are read lazily
    const actors: ActorStats[] = [];
    for (const rec of this.#byName.values()) {
      actors.push({
        name: rec.name,
        group: rec.parent.path,
        status: rec.status,
        placement: rec.placement,
        isolate: rec.isolate.id,
        mailboxDepth: rec.mailbox.depth,
        mailboxCapacity: rec.mailbox.capacity,
        handled: rec.handled,
        failures: rec.failures,
        restarts: rec.restarts,
        rejectedFull: rec.rejectedFull,
        deadLettered: rec.deadLettered,
        lastError: rec.lastError,
        processingMs: rec.proc.snapshot(),
      });
    }
    const isolates = this.#pool.all().filter((i) => i.alive).map((i) => ({
      id: i.id,
      kind: i.kind,
      actors: i.actors.size,
      restarts: i.restarts,
    }));
    return {
      at: Date.now(),
      state: this.#state,
      workers: isolates.length,
      poolSize: this.#pool.size,
      isolates,
      actors,
      deadLetters: this.#dead.total,
      leases: this.#leases.size,
    };
  }

  /**
   * Graceful shutdown: refuses new outside messages, lets queued and in-flight work finish (actors
   * may still message each other) until `deadlineMs`, dead-letters what is left, runs every
   * actor's `persist` hook, then terminates the workers. Idempotent.
   */
  shutdown(
    opts: { deadlineMs?: number; persistDeadlineMs?: number } = {},
  ): Promise<ShutdownReport> {
    this.#shutdownPromise ??= this.#shutdown(
      opts.deadlineMs ?? this.#opts.shutdownDeadlineMs,
      opts.persistDeadlineMs ?? this.#opts.persistDeadlineMs,
    );
    return this.#shutdownPromise;
  }

  /** Same as `shutdown()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  // ------------------------------------------------------------------ spawning & groups

  #makeGroup(parent: GroupNode, name: string, input: GroupOptionsInput): GroupNode {
    checkActorName(name);
    if (parent.children.some((c) => c.kind === "group" && c.name === name)) {
      throw new ActorError(
        "duplicate_name",
        `group ${JSON.stringify(name)} already exists in ${parent.path}`,
      );
    }
    const opts = parseWith(GroupOptions, input, `options of group ${JSON.stringify(name)}`);
    const node: GroupNode = {
      kind: "group",
      name,
      path: `${parent.path}/${name}`,
      parent,
      opts,
      window: new RestartWindow(opts.maxRestarts, opts.withinMs),
      children: [],
    };
    parent.children.push(node);
    return node;
  }

  #groupHandle(node: GroupNode): Group {
    return {
      path: node.path,
      spawn: (o) => this.#spawnIn(node, o),
      group: (name, o = {}) => this.#groupHandle(this.#makeGroup(node, name, o)),
    };
  }

  #placementOf(node: GroupNode): Placement | undefined {
    for (let n: GroupNode | undefined = node; n; n = n.parent) {
      if (n.opts.placement) return n.opts.placement;
    }
    return undefined;
  }

  #spawnIn<D extends AnyActorDefinition>(
    parent: GroupNode,
    o: SpawnOptions<D>,
  ): Promise<ActorRef<D>> {
    try {
      if (this.#state !== "running") throw this.#stoppingError();
      checkActorName(o.name);
      if (this.#byName.has(o.name)) {
        throw new ActorError(
          "duplicate_name",
          `an actor named ${JSON.stringify(o.name)} already exists`,
          {
            actor: o.name,
          },
        );
      }
      if (!isActorDefinition(o.actor)) {
        throw new TypeError(
          `spawn ${JSON.stringify(o.name)}: "actor" is not a definition made by defineActor`,
        );
      }
      const args = o.args ?? {};
      if (o.actor.args) {
        parseWith(o.actor.args, args, `spawn arguments of ${JSON.stringify(o.name)}`, o.name);
      }
      const sup = parseWith(
        Supervision,
        o.supervision ?? {},
        `supervision of ${JSON.stringify(o.name)}`,
        o.name,
      );
      const placement = o.placement ?? this.#placementOf(parent) ?? "pool";
      const isolate = this.#pool.place(placement);
      this.#ensureWatchdog();
      const id = this.#nextId++;
      const rec: ActorRecord = {
        kind: "actor",
        id,
        name: o.name,
        def: o.actor,
        exportName: o.export ?? "",
        args,
        parent,
        placement,
        isolate,
        sup,
        window: new RestartWindow(sup.maxRestarts, sup.withinMs),
        mailbox: new Mailbox<Envelope>(o.name, o.mailbox?.capacity ?? 1000),
        overflow: o.mailbox?.overflow ?? "wait",
        prefetch: Math.max(1, o.mailbox?.prefetch ?? 32),
        handlerTimeoutMs: o.handlerTimeoutMs ?? 0,
        blockMs: o.watchdog?.blockMs ?? this.#opts.blockMs,
        onBlock: o.watchdog?.onBlock ?? (placement === "pool" ? "dedicate" : "restart_isolate"),
        inc: 0,
        starts: 0,
        status: "starting",
        everStarted: false,
        gaveUp: false,
        firstStart: Promise.withResolvers<void>(),
        handled: 0,
        failures: 0,
        restarts: 0,
        rejectedFull: 0,
        deadLettered: 0,
        lastError: null,
        proc: new ProcessingTime(),
        leases: new Set(),
      };
      rec.firstStart.promise.catch(() => {});
      isolate.actors.add(id);
      this.#byName.set(o.name, rec);
      this.#byId.set(id, rec);
      parent.children.push(rec);
      if (rec.exportName) this.#start(rec);
      else {
        exportNameOf(o.actor).then((x) => {
          rec.exportName = x;
          if (rec.status === "starting" && this.#state !== "stopped") this.#start(rec);
        });
      }
      return rec.firstStart.promise.then(() => new ActorRef<D>(o.name, this));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #start(rec: ActorRecord): void {
    rec.inc++;
    rec.starts++;
    rec.status = "starting";
    rec.isolate.post({
      c: rec.starts,
      t: "start",
      a: rec.id,
      i: rec.inc,
      n: rec.name,
      u: rec.def.module,
      x: rec.exportName,
      g: rec.args,
      h: rec.handlerTimeoutMs,
    });
  }

  // ------------------------------------------------------------------ messaging

  #lookup(name: string): ActorRecord {
    const rec = this.#byName.get(name);
    if (!rec) {
      throw new ActorError("not_found", `no actor named ${JSON.stringify(name)}`, { actor: name });
    }
    return rec;
  }

  #stoppingError(): ActorError {
    return new ActorError("shutting_down", "the actor system is shutting down");
  }

  #ask(
    rec: ActorRecord,
    type: string,
    msg: unknown,
    opts: AskOptions,
    from: string | undefined,
  ): Promise<unknown> {
    const timeoutMs = opts.timeoutMs ?? this.#opts.askTimeoutMs;
    const seq = this.#seq++;
    return new Promise((resolve, reject) => {
      let settled = false;
      this.#timeouts.add(seq, timeoutMs, () => {
        settled = true;
        reject(
          new ActorError(
            "ask_timeout",
            `ask ${JSON.stringify(type)} to ${
              JSON.stringify(rec.name)
            } timed out after ${timeoutMs} ms`,
            { actor: rec.name },
          ),
        );
      });
      const target: AskTarget = {
        resolve: (v) => {
          if (settled) return;
          settled = true;
          this.#timeouts.delete(seq);
          resolve(v);
        },
        reject: (e) => {
          if (settled) return;
          settled = true;
          this.#timeouts.delete(seq);
          reject(e);
        },
      };
      this.#enqueue(rec, { seq, type, msg, attempts: 0, from, ask: target }, opts.onFull)
        .catch((e) => target.reject(e));
    });
  }

  #enqueue(rec: ActorRecord, env: Envelope, onFull: Overflow | undefined): Promise<void> {
    if (
      rec.status === "stopping" || rec.status === "stopped" || rec.gaveUp ||
      this.#state === "stopped"
    ) {
      return Promise.reject(
        new ActorError("actor_stopped", `actor ${JSON.stringify(rec.name)} is stopped`, {
          actor: rec.name,
        }),
      );
    }
    if (rec.mailbox.offer(env)) {
      this.#pump(rec);
      return RESOLVED;
    }
    const mode = onFull ?? rec.overflow;
    if (mode === "fail") rec.rejectedFull++;
    return rec.mailbox.put(env, mode).then(() => this.#pump(rec));
  }

  #pump(rec: ActorRecord): void {
    if ((rec.status !== "running" && rec.status !== "stopping") || !this.#delivering) return;
    while (rec.mailbox.inFlight < rec.prefetch) {
      const env = rec.mailbox.take();
      if (!env) return;
      const direct = env.ask?.direct;
      if (direct && direct.iso !== rec.isolate.id) this.#link(rec.isolate, direct.iso);
      rec.isolate.post(
        direct
          ? {
            t: "d",
            a: rec.id,
            i: rec.inc,
            s: env.seq,
            y: env.type,
            m: env.msg,
            k: 1,
            r: direct.iso,
            q: direct.id,
          }
          : {
            t: "d",
            a: rec.id,
            i: rec.inc,
            s: env.seq,
            y: env.type,
            m: env.msg,
            k: env.ask ? 1 : 0,
          },
      );
    }
  }

  /**
   * Makes sure isolates `a` and `b` share a MessageChannel, so `a` can answer asks from `b`
   * directly (one hop instead of two through this thread). Sent before the delivery that needs it,
   * so message order guarantees the port is there.
   */
  #link(a: Isolate, bId: number): void {
    const key = a.id < bId ? `${a.id}:${bId}` : `${bId}:${a.id}`;
    if (this.#links.has(key)) return;
    const b = this.#pool.all().find((i) => i.id === bId && i.alive);
    if (!b) return;
    this.#links.add(key);
    const ch = new MessageChannel();
    const wake = new MessageChannel();
    a.postTransfer({ t: "link", peer: b.id, port: ch.port1, ctl: b.ctl, wake: wake.port1 }, [
      ch.port1,
      wake.port1,
    ]);
    b.postTransfer({ t: "link", peer: a.id, port: ch.port2, ctl: a.ctl, wake: wake.port2 }, [
      ch.port2,
      wake.port2,
    ]);
  }

  /** Forgets the channels of an isolate whose worker was replaced. */
  #unlink(iso: Isolate): void {
    for (const key of [...this.#links]) {
      const [x, y] = key.split(":").map(Number);
      if (x === iso.id || y === iso.id) this.#links.delete(key);
    }
  }

  #route(iso: Isolate, m: Extract<FromIsolate, { t: "send" }>): void {
    const answer = (v: unknown, e?: unknown) => {
      if (iso.alive) {
        iso.post(
          e === undefined ? { t: "res", id: m.id, v } : { t: "res", id: m.id, e: toWireError(e) },
        );
      }
    };
    if (m.l !== undefined) return this.#routeAgain(iso, m, answer);
    try {
      if (this.#state === "stopped") throw this.#stoppingError();
      const rec = this.#lookup(m.to);
      parseMessage(rec.def.messages, m.to, m.y, m.m, "sender");
      if (m.k === 1) {
        // Success replies go straight from the target's isolate to the asker's (see #link);
        // failures (crash, poison, dead letter, invalid reply) come back through here.
        const target: AskTarget = {
          resolve: () => {},
          reject: (e) => answer(undefined, e),
          direct: { iso: iso.id, id: m.id },
        };
        this.#enqueue(rec, {
          seq: this.#seq++,
          type: m.y,
          msg: m.m,
          attempts: 0,
          from: m.f,
          ask: target,
        }, m.o)
          .catch((e) => target.reject(e));
      } else {
        this.#enqueue(rec, { seq: this.#seq++, type: m.y, msg: m.m, attempts: 0, from: m.f }, m.o)
          .then(() => answer(undefined), (e) => answer(undefined, e));
      }
      // Within one isolate only asks go directly (a tell there gives its lease back: see
      // isolate_host's leaseSend), so a tell does not start such a lease.
      if (m.k === 1 || rec.isolate !== iso) this.#maybeGrant(iso, rec, m.id);
    } catch (err) {
      answer(undefined, err);
    }
  }

  /**
   * A message sent under lease `m.l` that its target did not handle, sent again by the lessee:
   * it was already accepted, so it goes into the mailbox even while the actor is stopping, and
   * is dead-lettered (never refused) when the actor is gone or it has crashed it too often.
   */
  #routeAgain(
    iso: Isolate,
    m: Extract<FromIsolate, { t: "send" }>,
    answer: (v: unknown, e?: unknown) => void,
  ): void {
    const rec = this.#leases.get(m.l!)?.target ?? this.#byName.get(m.to);
    if (!rec) {
      return answer(
        undefined,
        new ActorError("not_found", `no actor named ${JSON.stringify(m.to)}`, { actor: m.to }),
      );
    }
    const env: Envelope = {
      seq: this.#seq++,
      type: m.y,
      msg: m.m,
      attempts: m.at ?? 0,
      from: m.f,
      ask: m.k === 1
        ? {
          resolve: () => {},
          reject: (e) => answer(undefined, e),
          direct: { iso: iso.id, id: m.id },
        }
        : undefined,
    };
    const gone = rec.status === "stopped" || rec.gaveUp || this.#byName.get(rec.name) !== rec;
    if (gone || this.#state === "stopped") {
      const err = this.#state === "stopped"
        ? this.#stoppingError()
        : new ActorError("actor_stopped", `actor ${JSON.stringify(rec.name)} is stopped`, {
          actor: rec.name,
        });
      this.#deadLetter(rec, env, gone ? "actor_stopped" : "shutdown", toWireError(err));
      return answer(undefined, err);
    }
    if (m.e && env.attempts > rec.sup.maxMessageRetries) {
      this.#poison(rec, env, fromWireError(m.e), "poison");
      if (!env.ask) answer(undefined);
      return;
    }
    rec.mailbox.put(env, "wait").then(() => {
      this.#pump(rec);
      if (!env.ask) answer(undefined);
    });
  }

  /**
   * After routing a send from `from` to `rec`: if `rec`'s mailbox is idle (nothing queued, nobody
   * waiting, room to spare), lend `from` a few of its slots so its actors can send to `rec`
   * directly. The grant leaves after `rec`'s isolate got every earlier delivery, and is taken
   * only if `from` routed nothing to `rec` after send `after`: so each sender's order holds.
   */
  #maybeGrant(from: Isolate, rec: ActorRecord, after: number): void {
    if (
      !this.#direct || this.#state !== "running" || rec.status !== "running" ||
      !rec.isolate.alive || !from.alive || rec.mailbox.queued > 0
    ) return;
    for (const l of rec.leases) if (l.from === from) return;
    // As many credits as the mailbox can spare: a mailbox of 64 with the ask just routed in it
    // cannot spare 32 and 32 more, but can lend 31.
    const credits = rec.mailbox.reserveUpTo(Math.min(rec.prefetch, LEASE_CREDITS));
    if (credits < 1) return;
    const lease: Lease = { id: this.#nextLease++, from, target: rec, iso: rec.isolate, credits };
    this.#leases.set(lease.id, lease);
    rec.leases.add(lease);
    // Two actors of one isolate need no channel: their direct messages stay in that isolate.
    if (rec.isolate !== from) this.#link(rec.isolate, from.id);
    rec.isolate.flush();
    from.post({
      t: "grant",
      l: lease.id,
      to: rec.name,
      a: rec.id,
      i: rec.inc,
      iso: rec.isolate.id,
      u: rec.def.module,
      x: rec.exportName,
      c: credits,
      after,
    });
  }

  /** The lessee gave lease `l` up: its slots come back. */
  #released(l: number): void {
    const lease = this.#leases.get(l);
    if (!lease) return;
    this.#leases.delete(l);
    lease.target.leases.delete(lease);
    lease.target.mailbox.unreserve(lease.credits);
    this.#pump(lease.target);
  }

  /** Asks the target's isolate to close every lease on `rec` (they come back as `released`). */
  #revokeLeases(rec: ActorRecord): void {
    if (rec.leases.size > 0 && rec.isolate.alive) {
      rec.isolate.post({ t: "closeLeases", a: rec.id });
    }
  }

  /**
   * Isolate `iso`'s worker is gone (crashed, replaced or retired): leases it held are void, and
   * every other isolate settles its leases to actors that were there (`crashed`: unhandled asks
   * fail with `isolate_crashed`; otherwise everything goes again through the router).
   */
  #isolateGone(
    iso: Isolate,
    crashed: boolean,
    culprit?: { l: number; n: number; e: WireError },
  ): void {
    let targets = false;
    for (const lease of [...this.#leases.values()]) {
      if (lease.from === iso) this.#released(lease.id);
      else if (lease.iso === iso) targets = true;
    }
    if (!targets && ![...this.#links].some((k) => k.split(":").includes(String(iso.id)))) return;
    for (const other of this.#pool.all()) {
      if (other !== iso && other.alive) {
        other.post({ t: "peerGone", iso: iso.id, crashed: crashed ? 1 : 0, c: culprit });
      }
    }
  }

  // ------------------------------------------------------------------ isolate events

  #onIsolateMessage(iso: Isolate, m: FromIsolate): void {
    if (m.t === "send") return this.#route(iso, m);
    if (m.t === "released") return this.#released(m.l);
    if (m.t === "dead") {
      const lease = this.#leases.get(m.l);
      if (lease) {
        this.#deadLetter(
          lease.target,
          {
            seq: 0,
            type: m.y,
            msg: m.m,
            attempts: m.at,
            from: m.f,
            ask: m.k === 1 ? { resolve: () => {}, reject: () => {} } : undefined,
          },
          "isolate_crashed",
          m.e,
        );
      }
      return;
    }
    const rec = this.#byId.get(m.a);
    if (m.t === "dd") {
      // A direct message was handled (or refused on receipt) under a lease.
      if (!rec || rec.isolate !== iso) return;
      rec.proc.add(m.ms);
      if (m.x) {
        this.#deadLetter(
          rec,
          {
            seq: 0,
            type: m.y,
            msg: m.m,
            attempts: 0,
            from: m.f,
            ask: m.k === 1 ? { resolve: () => {}, reject: () => {} } : undefined,
          },
          "invalid",
          m.e,
        );
      } else rec.handled++;
      return;
    }
    if (!rec || rec.isolate !== iso || rec.inc !== m.i) return; // stale incarnation
    switch (m.t) {
      case "done": {
        const env = rec.mailbox.complete(m.s);
        if (!env) return;
        rec.proc.add(m.ms);
        if (m.x) {
          this.#deadLetter(rec, env, "invalid", m.e);
          env.ask?.reject(fromWireError(m.e!));
        } else {
          rec.handled++;
          if (m.e) env.ask?.reject(fromWireError(m.e));
          else if (env.ask && !env.ask.direct) env.ask.resolve(m.v);
        }
        this.#pump(rec);
        return;
      }
      case "crash":
        rec.proc.add(m.ms);
        return this.#onCrash(rec, m.s, m.e, m.y);
      case "started":
        if (rec.status !== "starting") return;
        rec.status = "running";
        rec.everStarted = true;
        rec.firstStart.resolve();
        this.#pump(rec);
        return;
      case "startFailed":
        return this.#onCrash(rec, -1, m.e);
      case "exit":
        return this.#onExit(rec);
      case "stopped":
        rec.waitStop?.resolve(m.e);
        return;
      case "persisted":
        rec.waitPersist?.resolve(m.e);
        return;
    }
  }

  #onIsolateError(iso: Isolate, message: string): void {
    const recs = [...iso.actors].map((id) => this.#byId.get(id)!).filter(Boolean);
    this.#emit({
      type: "isolate_crashed",
      isolate: iso.id,
      error: message,
      actors: recs.map((r) => r.name),
    });
    iso.restart();
    this.#isolateGone(iso, true);
    this.#unlink(iso);
    const error = new ActorError("isolate_crashed", `isolate ${iso.id} crashed: ${message}`);
    for (const rec of recs) {
      this.#failed(rec, error);
      for (const env of rec.mailbox.reclaimInFlight()) {
        if (env.ask) {
          this.#deadLetter(rec, env, "isolate_crashed", toWireError(error));
          env.ask.reject(
            new ActorError(
              "isolate_crashed",
              `${error.message} (while ${JSON.stringify(rec.name)} had "${env.type}" in flight)`,
              { actor: rec.name },
            ),
          );
        } else {
          this.#retryOrDeadLetter(rec, env, error, "isolate_crashed");
        }
      }
      if (rec.status === "starting" || rec.status === "running") this.#supervise(rec, error);
      else if (rec.status === "restarting" && rec.timer === undefined) this.#start(rec);
    }
  }

  #failed(rec: ActorRecord, error: Error, messageType?: string): void {
    rec.failures++;
    rec.lastError = { at: Date.now(), message: error.message };
    this.#emit({
      type: "crashed",
      actor: rec.name,
      incarnation: rec.starts,
      error: toWireError(error),
      messageType,
    });
  }

  /** A message that was in flight when its actor crashed: retried at most maxMessageRetries times. */
  #retryOrDeadLetter(
    rec: ActorRecord,
    env: Envelope,
    error: Error,
    reason: DeadLetterReason,
  ): boolean {
    env.attempts++;
    if (env.attempts > rec.sup.maxMessageRetries) {
      this.#poison(rec, env, error, reason);
      return false;
    }
    rec.mailbox.requeueFront([env]);
    return true;
  }

  /** Dead-letters a message past its retries; its asker gets `poison_message`. */
  #poison(rec: ActorRecord, env: Envelope, error: Error, reason: DeadLetterReason): void {
    this.#deadLetter(rec, env, reason, toWireError(error));
    env.ask?.reject(
      new ActorError(
        "poison_message",
        `message ${JSON.stringify(env.type)} to ${
          JSON.stringify(rec.name)
        } failed ${env.attempts} times and was dead-lettered: ${error.message}`,
        { actor: rec.name, cause: error },
      ),
    );
  }

  /** `seq` -1 with `type`: the message was a direct one (its lessee sends it again). */
  #onCrash(rec: ActorRecord, seq: number, wire: WireError, type?: string): void {
    const error = fromWireError(wire);
    const inFlight = rec.mailbox.reclaimInFlight();
    const culprit = inFlight.find((e) => e.seq === seq);
    this.#failed(rec, error, culprit?.type ?? type);
    const rest = inFlight.filter((e) => e !== culprit);
    rec.mailbox.requeueFront(rest);
    if (culprit) this.#retryOrDeadLetter(rec, culprit, error, "poison");
    rec.inc++; // whatever the crashed incarnation still sends is stale
    this.#supervise(rec, error);
  }

  #onExit(rec: ActorRecord): void {
    rec.mailbox.requeueFront(rec.mailbox.reclaimInFlight());
    rec.inc++;
    if (rec.sup.restart === "permanent") {
      this.#restart(rec, 0, "stopped normally (permanent)");
    } else {
      this.#remove(
        rec,
        "actor_stopped",
        new ActorError("actor_stopped", `actor ${JSON.stringify(rec.name)} stopped`, {
          actor: rec.name,
        }),
      );
    }
  }

  // ------------------------------------------------------------------ supervision

  #supervise(rec: ActorRecord, error: Error): void {
    if (this.#state === "stopped") return;
    if (rec.sup.restart === "temporary") {
      this.#remove(rec, "actor_stopped", error);
      return;
    }
    const { recent, exceeded } = rec.window.record(Date.now());
    if (exceeded) {
      this.#escalate(rec, error);
      return;
    }
    const delay = backoffDelay(recent, rec.sup.backoff);
    if (rec.parent.opts.strategy === "all_for_one") {
      for (const sib of rec.parent.children) {
        if (sib !== rec) {
          this.#restartNode(sib, delay, false, `sibling ${rec.name} crashed (all_for_one)`);
        }
      }
    }
    this.#restart(rec, delay, error.message);
  }

  /** Restarts `rec` after `delay` ms: interrupts a running incarnation, keeps the mailbox. */
  #restart(rec: ActorRecord, delay: number, reason: string): void {
    if (rec.status === "stopping" || rec.status === "stopped") return;
    if (rec.status === "running" || rec.status === "starting") {
      rec.mailbox.requeueFront(rec.mailbox.reclaimInFlight());
      rec.inc++;
      this.#revokeLeases(rec);
    }
    rec.status = "restarting";
    rec.restarts++;
    if (rec.timer !== undefined) clearTimeout(rec.timer);
    this.#emit({
      type: "restarting",
      actor: rec.name,
      delayMs: delay,
      restarts: rec.restarts,
      reason,
    });
    rec.timer = setTimeout(() => {
      rec.timer = undefined;
      if (rec.status === "restarting" && this.#state !== "stopped") this.#start(rec);
    }, delay);
  }

  #restartNode(node: Node, delay: number, fresh: boolean, reason: string): void {
    if (node.kind === "actor") {
      if (fresh) node.window.reset();
      this.#restart(node, delay, reason);
    } else {
      if (fresh) node.window.reset();
      for (const c of node.children) this.#restartNode(c, delay, fresh, reason);
    }
  }

  /** Halts a subtree (no deliveries) while its parent decides. */
  #halt(node: Node): void {
    if (node.kind === "group") {
      for (const c of node.children) this.#halt(c);
      return;
    }
    if (node.status === "stopping" || node.status === "stopped") return;
    if (node.timer !== undefined) clearTimeout(node.timer);
    node.timer = undefined;
    if (node.status === "running" || node.status === "starting") {
      node.mailbox.requeueFront(node.mailbox.reclaimInFlight());
      node.inc++;
      if (node.isolate.alive) node.isolate.post({ t: "stop", a: node.id, i: node.inc, p: 0 });
    }
    node.status = "failed";
  }

  #escalate(node: Node, error: Error): void {
    const parent = node.parent!;
    const from = node.kind === "actor" ? node.name : node.path;
    this.#halt(node);
    this.#emit({ type: "escalated", from, to: parent.path, error: toWireError(error) });
    const { recent, exceeded } = parent.window.record(Date.now());
    if (exceeded) {
      if (parent.parent) this.#escalate(parent, error);
      else this.#fatal(node, error);
      return;
    }
    const delay = backoffDelay(recent, parent.opts.backoff);
    const reason = `escalated to ${parent.path} (${parent.opts.strategy}): ${error.message}`;
    if (parent.opts.strategy === "all_for_one") {
      for (const c of parent.children) this.#restartNode(c, delay, true, reason);
    } else {
      this.#restartNode(node, delay, true, reason);
    }
  }

  /** The root gave up on `node`: it stays down, its messages are dead-lettered, the node decides. */
  #fatal(node: Node, error: Error): void {
    const path = node.kind === "actor" ? node.name : node.path;
    const drop = (n: Node) => {
      if (n.kind === "group") return n.children.forEach(drop);
      n.status = "failed";
      n.gaveUp = true;
      const err = new ActorError(
        "actor_stopped",
        `actor ${JSON.stringify(n.name)} gave up (escalated to root): ${error.message}`,
        {
          actor: n.name,
        },
      );
      for (const env of [...n.mailbox.reclaimInFlight(), ...n.mailbox.drainQueued()]) {
        this.#deadLetter(n, env, "escalated", toWireError(error));
        env.ask?.reject(err);
      }
      n.firstStart.reject(err);
    };
    drop(node);
    this.#emit({ type: "fatal", node: path, error: toWireError(error) });
  }

  /** Removes an actor for good; everything it still owed is dead-lettered. */
  #remove(rec: ActorRecord, reason: DeadLetterReason, error: Error): void {
    if (rec.status === "stopped") return;
    if (rec.timer !== undefined) clearTimeout(rec.timer);
    rec.timer = undefined;
    rec.status = "stopped";
    const err = new ActorError(
      "actor_stopped",
      `actor ${JSON.stringify(rec.name)} stopped: ${error.message}`,
      { actor: rec.name },
    );
    for (const env of [...rec.mailbox.reclaimInFlight(), ...rec.mailbox.drainQueued()]) {
      this.#deadLetter(rec, env, reason, toWireError(error));
      env.ask?.reject(err);
    }
    rec.firstStart.reject(err);
    this.#byName.delete(rec.name);
    this.#byId.delete(rec.id);
    rec.isolate.actors.delete(rec.id);
    if (rec.isolate.alive) rec.isolate.post({ t: "stop", a: rec.id, i: rec.inc, p: 0 });
    this.#pool.release(rec.isolate);
    if (!rec.isolate.alive) this.#isolateGone(rec.isolate, false); // a retired dedicated worker
    const siblings = rec.parent.children;
    siblings.splice(siblings.indexOf(rec), 1);
    this.#emit({ type: "stopped", actor: rec.name });
  }

  // ------------------------------------------------------------------ watchdog

  #ensureWatchdog(): void {
    if (this.#watchdogTimer !== undefined) return;
    this.#watchdogTimer = setInterval(() => this.#checkWatchdog(), this.#opts.checkMs);
  }

  #checkWatchdog(): void {
    this.#pool.drainNow(); // lazy reports of direct messages do not wait longer than this
    for (const iso of this.#pool.all()) {
      if (!iso.alive || iso.actors.size === 0) continue;
      const min = Math.min(...[...iso.actors].map((id) => this.#byId.get(id)?.blockMs ?? Infinity));
      const b = iso.blockedActor(min);
      if (!b) continue;
      const rec = this.#byId.get(b.actor);
      if (!rec || rec.inc !== b.incarnation || b.ms <= rec.blockMs) continue;
      this.#onBlocked(iso, rec, b.ms, b.lease ? { l: b.lease, n: b.seq } : undefined);
    }
  }

  /**
   * `rec` has blocked `iso` for `ms`: the worker is replaced (only way to stop a synchronous
   * loop). The culprit's current message counts as a crash (retries, then dead letter); the
   * culprit moves to a dedicated worker if so configured; the other actors of the isolate are
   * re-started on the fresh worker with their in-flight messages re-delivered.
   */
  /** `direct`: the blocking handler was running a direct message (lease `l`, seq `n`). */
  #onBlocked(iso: Isolate, rec: ActorRecord, ms: number, direct?: { l: number; n: number }): void {
    const dedicate = rec.onBlock === "dedicate" && iso.kind === "pool";
    this.#emit({
      type: "watchdog",
      actor: rec.name,
      isolate: iso.id,
      blockedMs: ms,
      action: dedicate ? "dedicated" : "restarted_isolate",
    });
    const error = new ActorError(
      "actor_crashed",
      `handler of ${JSON.stringify(rec.name)} blocked its isolate for ${
        Math.round(ms)
      } ms (watchdog)`,
      {
        actor: rec.name,
      },
    );
    const others = [...iso.actors].filter((id) => id !== rec.id).map((id) => this.#byId.get(id)!)
      .filter(Boolean);
    iso.restart();
    // Replaced, not crashed: what lessees sent there comes back to the mailboxes (the culprit
    // with its crash counted), as the routed in-flight messages do.
    this.#isolateGone(iso, false, direct && { ...direct, e: toWireError(error) });
    this.#unlink(iso);
    if (dedicate) {
      iso.actors.delete(rec.id);
      rec.isolate = this.#pool.place("dedicated");
      rec.isolate.actors.add(rec.id);
      rec.placement = "dedicated";
    }
    // Culprit: its oldest in-flight message is the one that was running (unless that was a
    // direct one, which its lessee sends again with the crash counted).
    const inFlight = rec.mailbox.reclaimInFlight();
    const culprit = direct ? undefined : inFlight.shift();
    this.#failed(rec, error, culprit?.type);
    rec.mailbox.requeueFront(inFlight);
    if (culprit) this.#retryOrDeadLetter(rec, culprit, error, "poison");
    rec.inc++;
    this.#supervise(rec, error);
    // Bystanders lost their state with the worker: restart them at once, messages kept.
    for (const o of others) {
      if (o.status === "running" || o.status === "starting") {
        this.#restart(o, 0, `isolate ${iso.id} replaced (watchdog)`);
      } else if (o.status === "restarting" && o.timer === undefined) this.#start(o);
    }
  }

  // ------------------------------------------------------------------ dead letters, events

  #deadLetter(rec: ActorRecord, env: Envelope, reason: DeadLetterReason, error?: WireError): void {
    rec.deadLettered++;
    const letter: DeadLetter = {
      at: Date.now(),
      to: rec.name,
      type: env.type,
      message: env.msg,
      from: env.from,
      ask: env.ask !== undefined,
      attempts: env.attempts,
      reason,
      error,
    };
    this.#dead.add(letter);
    this.#emit({ type: "dead_letter", letter });
  }

  #emit(e: SystemEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch { /* a listener's bug must not break supervision */ }
    }
  }

  // ------------------------------------------------------------------ shutdown

  async #shutdown(deadlineMs: number, persistMs: number): Promise<ShutdownReport> {
    this.#state = "draining";
    // Leases end: what lessees sent and their actors did not handle comes back to the mailboxes.
    for (const iso of this.#pool.all()) if (iso.alive) iso.post({ t: "closeLeases", a: 0 });
    const until = Date.now() + deadlineMs;
    const busy = () => {
      this.#pool.drainNow();
      return this.#leases.size > 0 ||
        [...this.#byName.values()].some((r) =>
          r.status !== "failed" && r.mailbox.depth + r.mailbox.waiting > 0
        );
    };
    while (busy() && Date.now() < until) await sleep(5);
    const drained = !busy();
    this.#delivering = false;
    let deadLettered = 0;
    const err = this.#stoppingError();
    for (const rec of this.#byName.values()) {
      if (rec.timer !== undefined) clearTimeout(rec.timer);
      rec.timer = undefined;
      for (const env of [...rec.mailbox.reclaimInFlight(), ...rec.mailbox.drainQueued()]) {
        this.#deadLetter(rec, env, "shutdown", toWireError(err));
        env.ask?.reject(err);
        deadLettered++;
      }
      rec.firstStart.reject(err);
    }
    // Persist hooks, all isolates in parallel.
    const persisted: string[] = [];
    const persistFailed: { actor: string; error: string }[] = [];
    await Promise.all([...this.#byName.values()].map(async (rec) => {
      if (rec.status !== "running" || !rec.isolate.alive) return;
      if (!rec.def.persist) return void persisted.push(rec.name);
      rec.waitPersist = Promise.withResolvers();
      rec.isolate.post({ t: "persist", a: rec.id, i: rec.inc });
      const r = await withTimeout(rec.waitPersist.promise, persistMs);
      if (r === TIMEOUT) {
        persistFailed.push({
          actor: rec.name,
          error: `persist did not finish within ${persistMs} ms`,
        });
      } else if (r) persistFailed.push({ actor: rec.name, error: r.message });
      else persisted.push(rec.name);
    }));
    this.#state = "stopped";
    for (const rec of this.#byName.values()) rec.status = "stopped";
    if (this.#watchdogTimer !== undefined) clearInterval(this.#watchdogTimer);
    this.#watchdogTimer = undefined;
    this.#pool.terminateAll();
    this.#links.clear();
    this.#timeouts.clear();
    this.#uninstallSignals?.();
    return { drained, deadLettered, persisted, persistFailed };
  }
}

const exportNames = new WeakMap<AnyActorDefinition, Promise<string>>();

/**
 * The name under which `def` is exported from its module (found by importing the module here,
 * which returns the instance the caller already has); "" lets the worker pick the only one.
 */
function exportNameOf(def: AnyActorDefinition): Promise<string> {
  let p = exportNames.get(def);
  if (!p) {
    p = (import(def.module) as Promise<Record<string, unknown>>).then(
      (mod) => Object.entries(mod).find(([, v]) => v === def)?.[0] ?? "",
      () => "",
    );
    exportNames.set(def, p);
  }
  return p;
}

const TIMEOUT = Symbol("timeout");

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<typeof TIMEOUT>((r) => (timer = setTimeout(() => r(TIMEOUT), ms))),
  ]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
