/**
 * @module
 * The receive side of the actor transport, the same on the main thread and in every isolate.
 *
 * Waking an idle Deno thread with `postMessage` costs ~80 µs on a small VM (its event loop has
 * to be woken through the OS). So messages still travel on MessagePorts (structured clone,
 * ordered), but the receiver reads them **synchronously** with `receiveMessageOnPort`, and every
 * post is followed by a ring of the receiver's **doorbell**: an Int32 in a SharedArrayBuffer that
 * the sender bumps and `Atomics.notify`s.
 *
 * A {@link ReceiveLoop} drives one thread:
 * - after activity (it drained messages, or its thread posted some), it keeps watching the
 *   doorbell for up to the **spin window** (`spinUs`) — the scheduler busy-wait of BEAM
 *   (`+sbwt`): an answer that comes back within the window is taken without any OS wake-up;
 * - the window is measured from the last activity, so an idle thread stops watching after at
 *   most `spinUs` and burns nothing; each watch ends in a macrotask boundary (`setImmediate`),
 *   so timers and I/O of the thread wait at most one window;
 * - then it parks: it raises its "parked" flag and waits on `Atomics.waitAsync` (cheaper to wake
 *   than a message event, and it does not keep the process alive). Deno does not tie waitAsync to
 *   its event loop (denoland/deno#15358: an idle loop may not run the wake-up), so a sender that
 *   finds the flag raised also posts a wake-up message (the old, reliable, slower way); the flag
 *   is raised before the last look at the doorbell and taken down with a compare-and-swap, so a
 *   ring is never missed and at most one wake-up message is sent per parking.
 *
 * During the window a thread busy-polls its doorbell only if it gets one of the node's **spin
 * slots** (a counter shared by all its threads, at most one slot per core): more spinners than
 * cores would take the CPU from the very threads they wait for (measured on 2 cores: three
 * spinning threads turn a 100 µs round trip into 500+ µs). Without a slot it sleeps on the
 * doorbell with a bounded `Atomics.wait` (a futex: no CPU burnt, woken by the ring, but the OS
 * wake-up costs tens of µs on a VM whose idle vCPUs halt). A spinner that finds it lost its
 * CPU meanwhile (a gap of more than {@link PREEMPTED_MS} between two polls: other processes want
 * the cores too) stops spinning and only sleeps on the doorbell for a while (20 ms, doubling
 * while it keeps happening, up to 1 s): busy-waiting on an oversubscribed machine slows down the
 * very threads it waits for. See docs/actors.md ("Transport").
 */
import { setImmediate } from "node:timers";

/** Slots of the main thread's shared buffer (Int32Array indices). */
export const MAIN_SLOTS = {
  /** The main thread's doorbell. */
  bell: 0,
  /** Threads busy-polling right now (see {@link ReceiveLoop}). */
  spinners: 1,
  /** 1 while the main thread is parked (a ring must also post it a wake-up message). */
  parked: 2,
  /** Slots in the buffer. */
  length: 4,
} as const;

/** How a sender rings a receiving thread. */
export interface Bell {
  /** Shared cells holding the receiver's doorbell and its parked flag. */
  cells: Int32Array;
  bell: number;
  parked: number;
  /** Posts the receiver a wake-up message (it reads its ports when that arrives). */
  wake: () => void;
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
}

/** A gap this long between two polls of a spinner means it lost its CPU to someone else. */
export const PREEMPTED_MS = 0.05;
const BACKOFF_MIN_MS = 20;
const BACKOFF_MAX_MS = 1_000;

/** Gives back the slot of a thread that was terminated while it held one. */
export function releaseSlotOf(slots: Omit<SpinSlots, "max">): void {
  if (Atomics.exchange(slots.mine, slots.mineIndex, 0) === 1) {
    Atomics.sub(slots.counter, slots.index, 1);
  }
}

/** Rings `b` (after posting to its thread): wakes it whether it watches, sleeps or is parked. */
export function ring(b: Bell): void {
  Atomics.add(b.cells, b.bell, 1);
  Atomics.notify(b.cells, b.bell);
  if (
    Atomics.load(b.cells, b.parked) === 1 && Atomics.compareExchange(b.cells, b.parked, 1, 0) === 1
  ) {
    b.wake();
  }
}

/** Drives the receive side of one thread (see the module doc). */
export class ReceiveLoop {
  #parked = false;
  #asyncPending = false;
  #tickQueued = false;
  #lastActivity = -Infinity;
  #stopped = false;
  /** No busy-polling before this time (the CPU was found oversubscribed). */
  #noSpinUntil = 0;
  #backoffMs = BACKOFF_MIN_MS;

  /**
   * @param own the thread's doorbell and parked flag (its `wake` is unused here)
   * @param drain reads and handles what is waiting (synchronously); returns how many it handled
   * @param spinUs the spin window, µs (0 = park at once)
   * @param slots the node's spin slots (see the module doc)
   */
  constructor(
    private readonly own: Omit<Bell, "wake">,
    private readonly drain: () => number,
    private readonly spinUs: number,
    private readonly slots: SpinSlots,
  ) {}

  /** A wake-up message arrived (see {@link ring}). */
  wake(): void {
    this.#woken();
  }

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
    if (!this.#tickQueued && !this.#stopped) {
      this.#tickQueued = true;
      setImmediate(this.#tick);
    }
  }

  /** Stops listening for good and releases the parked waiter. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    Atomics.store(this.own.cells, this.own.parked, 0);
    Atomics.add(this.own.cells, this.own.bell, 1);
    Atomics.notify(this.own.cells, this.own.bell);
  }

  #tick = (): void => {
    this.#tickQueued = false;
    if (this.#stopped) return;
    for (;;) {
      // Read the bell before draining: a ring after this read is never missed.
      const seen = Atomics.load(this.own.cells, this.own.bell);
      if (this.drain() > 0) return this.activity(); // handled after this turn's microtasks
      const leftUs = this.spinUs - (performance.now() - this.#lastActivity) * 1000;
      if (leftUs <= 0 || !this.#watch(seen, leftUs)) return this.#park(seen);
    }
  };

  /** Waits up to `us` for the doorbell to move from `seen`; true when it did. */
  #watch(seen: number, us: number): boolean {
    const { cells, bell } = this.own;
    const start = performance.now();
    const until = start + us / 1000;
    if (start >= this.#noSpinUntil && this.#spin(seen, until)) return true;
    const leftMs = until - performance.now();
    return leftMs > 0 && Atomics.wait(cells, bell, seen, leftMs) !== "timed-out";
  }

  /**
   * Busy-polls the doorbell until `until` if a spin slot is free; true when it moved. Stops early
   * (false) without a slot, or when preempted (then backs off from spinning).
   */
  #spin(seen: number, until: number): boolean {
    const slots = this.slots;
    // Flag first, then count: a terminator that clears the flag gives the slot back exactly once.
    Atomics.store(slots.mine, slots.mineIndex, 1);
    try {
      if (Atomics.add(slots.counter, slots.index, 1) >= slots.max) return false;
      let last = performance.now();
      while (last < until) {
        if (Atomics.load(this.own.cells, this.own.bell) !== seen) return true;
        const now = performance.now();
        if (now - last > PREEMPTED_MS) {
          this.#noSpinUntil = now + this.#backoffMs;
          this.#backoffMs = Math.min(BACKOFF_MAX_MS, this.#backoffMs * 2);
          return false;
        }
        last = now;
      }
      this.#backoffMs = BACKOFF_MIN_MS; // a whole window without losing the CPU
      return false;
    } finally {
      releaseSlotOf(slots);
    }
  }

  /** Waits (asynchronously) for a ring after `seen`, the bell's value before the last drain. */
  #park(seen: number): void {
    if (this.#parked || this.#stopped) return;
    const { cells, bell, parked } = this.own;
    Atomics.store(cells, parked, 1); // from now on, a ring also posts a wake-up message
    if (Atomics.load(cells, bell) !== seen) {
      // Rung meanwhile. If no sender took the flag down, do it and go on; else its wake-up
      // message is on its way and will find us parked.
      if (Atomics.compareExchange(cells, parked, 1, 0) === 1) return this.activity();
    }
    this.#parked = true;
    if (this.#asyncPending) return; // the pending waiter resolves on the next ring
    const w = Atomics.waitAsync(cells, bell, seen);
    if (!w.async) return queueMicrotask(this.#woken);
    this.#asyncPending = true;
    w.value.then(() => {
      this.#asyncPending = false;
      this.#woken();
    });
  }

  #woken = (): void => {
    if (!this.#parked || this.#stopped) return; // a late wake-up of an earlier parking
    this.#parked = false;
    Atomics.store(this.own.cells, this.own.parked, 0);
    const seen = Atomics.load(this.own.cells, this.own.bell);
    if (this.drain() > 0) this.activity();
    else this.#park(seen);
  };
}
