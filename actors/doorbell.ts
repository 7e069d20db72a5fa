/**
 * @module
 * The transport between the threads of the actor runtime (main thread and isolates), the same
 * on both sides.
 *
 * Waking an idle Deno thread with `postMessage` costs tens of µs on a small VM (its event loop has
 * to be woken through the OS, its idle vCPU halts). So a thread that has just been active keeps
 * listening for a short while without going back to its event loop:
 *
 * - A sender posts a batch on the receiver's MessagePort (structured clone, FIFO), raises its
 *   per-source flag and rings the receiver's **doorbell**: an Int32 in a SharedArrayBuffer that it
 *   bumps and `Atomics.notify`s. The receiver reads its ports **synchronously**
 *   (`receiveMessageOnPort`) when the bell moves.
 * - A {@link ReceiveLoop} drives each thread. After activity (it read or posted messages) it
 *   watches its doorbell for up to the **spin window** (`spinUs`), like BEAM's scheduler
 *   busy-wait (`+sbwt`): an answer within the window costs no OS wake-up. The window counts from
 *   the last activity, so an idle thread stops after at most `spinUs` and burns nothing; each
 *   watch ends at a macrotask boundary (`setImmediate`), so the thread's timers and I/O wait at
 *   most one window.
 * - Then it **parks**: it raises its "parked" flag and goes back to its event loop. A sender that
 *   finds the flag raised takes it down (compare-and-swap: one sender per parking) and sends its
 *   batch on the receiver's **event channel** instead (`Worker.postMessage`, `self.postMessage`,
 *   or a peer's wake port): one message event, as without this transport. The flag is raised
 *   before the receiver's last look at the bell and checked by senders after they rang, so a
 *   message is never left unread; while a parked thread waits for that event it reads no port,
 *   so the event's batch is handled before anything its sender posted after it.
 *   (`Atomics.waitAsync` is not used: Deno does not tie it to its event loop,
 *   denoland/deno#15358, and a notified waiter may never run.)
 *
 Busy-waiting must not take the CPU from the threads it waits for (measured on 2 cores: three
 * spinning threads turn a 100 µs round trip into 500+ µs; one CPU-bound process beside two
 * spinners, 500 µs). So:
 * - a thread busy-polls only with one of the node's **spin slots** (a counter shared by all its
 *   threads, one per core); without one it sleeps on the doorbell with a bounded `Atomics.wait`
 *   (a futex: no CPU burnt, woken by the ring);
 * - it spins the whole window only while it waits for an answer (an ask of its own, an
 *   acknowledgement); otherwise the next message may come or not, and it spins at most
 *   {@link IDLE_SPIN_US};
 * - it gives up (parks) when the thread it last sent to, not parked, has not even started reading
 *   within {@link STALL_MS}: that thread is busy, or has no CPU because the cores are
 *   oversubscribed, and spinning would only keep it (or another process) off a CPU longer;
 * - no thread watches at all while other processes keep the cores busy (actors/contention.ts).
 * See docs/actors.md ("Transport").
 */
import { setImmediate } from "node:timers";

/** Slots of the main thread's shared buffer (Int32Array indices). */
export const MAIN_SLOTS = {
  /** The main thread's doorbell. */
  bell: 0,
  /** Threads busy-polling right now (see {@link ReceiveLoop}). */
  spinners: 1,
  /** 1 while the main thread is parked (senders then use its event channel). */
  parked: 2,
  /** The bell value the main thread last started reading at (see {@link Doorbell}.read). */
  read: 3,
  /** 1 while other processes keep the cores busy: no thread busy-polls (actors/contention.ts). */
  contended: 4,
  /** Slots in the buffer. */
  length: 6,
} as const;

/** A receiving thread's doorbell, parked flag, and how far it has started reading. */
export interface Doorbell {
  cells: Int32Array;
  bell: number;
  parked: number;
  /** Slot where the receiver writes the bell value it last started reading at. */
  read: number;
}

/** A sender's way to one receiving thread. */
export interface Channel {
  /** Where batches go while the receiver is awake. */
  port: MessagePort;
  /** The receiver's doorbell. */
  bell: Doorbell;
  /** This sender's "posted" flag, read by the receiver to know which ports to read. */
  flag: { cells: Int32Array; index: number };
  /** Posts on the receiver's event channel: a batch, or `null` to just wake it. */
  event: (batch: unknown, transfer?: Transferable[]) => void;
}

/** The last send of this thread: whom to, the bell value it must read at, and when. */
let lastSend: { bell: Doorbell; value: number; at: number } | undefined;

/** Takes the receiver's parked flag down if it was up; true when this caller did. */
function unpark(b: Doorbell): boolean {
  return Atomics.load(b.cells, b.parked) === 1 &&
    Atomics.compareExchange(b.cells, b.parked, 1, 0) === 1;
}

/**
 * Sends `batch` to the receiver of `ch`: on its event channel if it is parked, else on its port
 * with a ring of its doorbell. `ring: false` (reports nobody waits for) posts without ringing or
 * waking: the receiver reads them when it next reads that port.
 */
export function send(
  ch: Channel,
  batch: unknown,
  transfer: Transferable[] = [],
  ring = true,
): void {
  const { cells, bell } = ch.bell;
  if (ring && unpark(ch.bell)) {
    lastSend = undefined; // it has to be woken by its event loop: no telling when it reads
    return ch.event(batch, transfer);
  }
  ch.port.postMessage(batch, transfer);
  Atomics.store(ch.flag.cells, ch.flag.index, 1);
  if (!ring) return;
  const value = Atomics.add(cells, bell, 1) + 1;
  Atomics.notify(cells, bell);
  // It may have parked between our first look and the ring (it checks the bell after raising
  // its flag, we check the flag after ringing: one of us sees the other).
  if (unpark(ch.bell)) {
    lastSend = undefined;
    ch.event(null);
  } else {
    lastSend = { bell: ch.bell, value, at: performance.now() };
  }
}

/**
 * The node's spin slots: a shared counter, how many may spin at once, and this thread's own flag
 * (set while it holds a slot, so that whoever terminates the thread can give its slot back).
 */
export interface SpinSlots {
  counter: Int32Array;
  index: number;
  max: number;
  mine: Int32Array;
  mineIndex: number;
  /** The node's "cores are busy" flag ({@link MAIN_SLOTS}.contended, in `counter`). */
  contended: number;
}

/**
 * A spinner gives up when the thread it last sent to (not parked) has not started reading that
 * long after the ring. A thread that watches its doorbell reads within a few µs.
 */
export const STALL_MS = 0.05;
/** How long a thread that waits for no answer spins for the next message (µs, ≤ the window). */
export const IDLE_SPIN_US = 50;

/** Gives back the slot of a thread that was terminated while it held one. */
export function releaseSlotOf(slots: Omit<SpinSlots, "max" | "contended">): void {
  if (Atomics.exchange(slots.mine, slots.mineIndex, 0) === 1) {
    Atomics.sub(slots.counter, slots.index, 1);
  }
}

/** Drives the receive side of one thread (see the module doc). */
export class ReceiveLoop {
  /** Parked: the flag is (or was) up; until the event arrives, no port is read. */
  #parked = false;
  #tickQueued = false;
  #lastActivity = -Infinity;
  #stopped = false;

  /**
   * @param own the thread's doorbell and parked flag
   * @param drain reads and handles what is waiting on the ports (synchronously); returns how many
   * @param spinUs the spin window, µs (0 = park at once)
   * @param slots the node's spin slots (see the module doc)
   * @param expecting whether this thread waits for an answer (an ask, an acknowledgement): only
   *   then does it busy-poll; otherwise it sleeps on its doorbell for the window
   */
  constructor(
    private readonly own: Doorbell,
    private readonly drain: () => number,
    private readonly spinUs: number,
    private readonly slots: SpinSlots,
    private readonly expecting: () => boolean = () => true,
  ) {}

  /** Starts listening. */
  start(): void {
    this.activity();
  }

  /**
   * Something happened on this thread (it received or posted messages): watch the doorbell
   * closely for a window, once the current turn (its microtasks included) is over.
   */
  activity(): void {
    this.#lastActivity = performance.now();
    // Without a window a parked thread has nothing to watch for: it stays parked.
    if (this.#noWindow() && this.#parked) return;
    if (!this.#tickQueued && !this.#stopped) {
      this.#tickQueued = true;
      setImmediate(this.#tick);
    }
  }

  /**
   * An event arrived on this thread's event channel (a sender found it parked): `handle` runs its
   * batch (if any) and says how many messages in it called for an answer (lazy reports do not),
   * then the ports are read.
   */
  wake(handle?: () => number): void {
    if (this.#stopped) return;
    this.#parked = false;
    const { cells, bell, read } = this.own;
    Atomics.store(cells, read, Atomics.load(cells, bell));
    // Nothing to watch for after this turn (no window, or nothing that calls for an answer):
    // read and park now.
    if (!handle || handle() === 0 || this.#noWindow()) this.#tick();
    else this.activity();
  }

  /**
   * Reads the ports now unless an event is on its way (then it will): for readers outside the
   * loop, e.g. statistics. Returns whether it read.
   */
  drainNow(): boolean {
    if (this.#parked) {
      if (Atomics.compareExchange(this.own.cells, this.own.parked, 1, 0) !== 1) return false;
      this.#parked = false;
      this.activity();
    }
    this.drain();
    return true;
  }

  /** Stops listening for good. */
  stop(): void {
    this.#stopped = true;
    Atomics.store(this.own.cells, this.own.parked, 0);
  }

  #tick = (): void => {
    this.#tickQueued = false;
    if (this.#stopped) return;
    if (this.#parked) {
      // Our own activity while parked: go on unless a sender took the flag (its event is on
      // its way, and must be handled before anything it posted after).
      if (Atomics.compareExchange(this.own.cells, this.own.parked, 1, 0) !== 1) return;
      this.#parked = false;
    }
    const { cells, bell, read } = this.own;
    for (;;) {
      // Read the bell before draining: a ring after this read is never missed.
      const seen = Atomics.load(cells, bell);
      Atomics.store(cells, read, seen);
      if (this.drain() > 0) {
        if (this.#noWindow()) continue; // nothing to watch for: read until empty, then park
        return this.activity(); // watch after this turn's microtasks (our answers leave first)
      }
      const leftUs = this.#noWindow()
        ? 0
        : this.spinUs - (performance.now() - this.#lastActivity) * 1000;
      if (leftUs > 0 && this.#watch(seen, leftUs)) continue;
      Atomics.store(cells, this.own.parked, 1); // senders use the event channel from now on
      if (Atomics.load(cells, bell) === seen) {
        this.#parked = true;
        return;
      }
      // Rung meanwhile: take the flag back and read, unless a sender took it already.
      if (Atomics.compareExchange(cells, this.own.parked, 1, 0) !== 1) {
        this.#parked = true;
        return;
      }
    }
  };

  /**
   * No spin window now: none configured, or other processes keep the cores busy (then any
   * watching, spinning or a futex wake-up that waits for a core just as an event does, only slows
   * things down).
   */
  #noWindow(): boolean {
    return this.spinUs === 0 || Atomics.load(this.slots.counter, this.slots.contended) === 1;
  }

  /** Waits up to `us` for the doorbell to move from `seen`; true when it did. */
  #watch(seen: number, us: number): boolean {
    const now = performance.now();
    // Waiting for an answer: the whole window. Otherwise the next request may come or not, and
    // a long spin for it could keep the thread that has to send it off a busy CPU: a short one.
    const until = now + Math.min(us, this.expecting() ? us : IDLE_SPIN_US) / 1000;
    const spun = this.#spin(seen, until);
    if (spun !== undefined) return spun;
    // No spin slot (as many of our threads watch as there are cores): sleep on the doorbell.
    const leftMs = until - performance.now();
    return leftMs > 0 && Atomics.wait(this.own.cells, this.own.bell, seen, leftMs) !== "timed-out";
  }

  /**
   * Busy-polls the doorbell until `until` if a spin slot is free: true when it moved, false when
   * not or when the thread it last sent to stalls (see {@link STALL_MS}), undefined without a
   * slot.
   */
  #spin(seen: number, until: number): boolean | undefined {
    const slots = this.slots;
    // Flag first, then count: a terminator that clears the flag gives the slot back exactly once.
    Atomics.store(slots.mine, slots.mineIndex, 1);
    try {
      if (Atomics.add(slots.counter, slots.index, 1) >= slots.max) return undefined;
      let now = performance.now();
      while (now < until) {
        if (Atomics.load(this.own.cells, this.own.bell) !== seen) return true;
        now = performance.now();
        const ls = lastSend;
        if (ls && now - ls.at > STALL_MS) {
          const b = ls.bell;
          if (((Atomics.load(b.cells, b.read) - ls.value) | 0) >= 0) lastSend = undefined;
          else if (Atomics.load(b.cells, b.parked) === 0) return false; // it stalls: park
        }
      }
      return false;
    } finally {
      releaseSlotOf(slots);
    }
  }
}
