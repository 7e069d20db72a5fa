/**
 * @module
 * The shared-memory job queue between the axon's request thread and its verify workers.
 *
 * Why: handing a job to a Web Worker with `postMessage` costs the request thread more than a
 * third of a verification here (structured clone plus waking the worker through the event
 * loop), so it ate the time the pool was meant to free. Instead the jobs live in one
 * `SharedArrayBuffer`: the request thread writes a job into a free slot and rings, workers block
 * in `Atomics.wait` (they have nothing else to do), take jobs with a compare-and-swap, write the
 * verdict into the slot and ring back; the request thread collects verdicts with
 * `Atomics.waitAsync`, many per wake-up under load.
 *
 * Layout: a control block of `Int32` counters, a ring of slot indices (the submission queue),
 * then `slots` fixed-size slots (state, message length, message bytes, signature, public key).
 */

/** Bytes of message a slot holds; longer messages are verified another way. */
export const SLOT_MESSAGE_BYTES = 1024;
const SIGNATURE_BYTES = 64;
const PUBLIC_KEY_BYTES = 32;
/** Per slot: state (i32), message length (i32), message, signature, public key. */
const SLOT_BYTES = 8 + SLOT_MESSAGE_BYTES + SIGNATURE_BYTES + PUBLIC_KEY_BYTES;

/** Control block indices (Int32). */
const HEAD = 0; // jobs submitted so far (written by the request thread)
const TAIL = 1; // jobs taken so far (claimed by workers with compare-and-swap)
const DONE = 2; // verdicts written so far (bumped by workers; the request thread waits on it)
const STOP = 3; // 1 once the pool closes
const CONTROL_INTS = 4;

/** Slot states. */
export const SlotState = { Free: 0, Queued: 1, Valid: 2, Invalid: 3 } as const;
/** One of {@link SlotState}. */
export type SlotState = typeof SlotState[keyof typeof SlotState];

/** A view of the queue's shared memory, the same on both sides. */
export class VerifyQueue {
  readonly control: Int32Array;
  readonly ring: Int32Array;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  private readonly ints: Int32Array;
  private readonly slotBase: number;

  /** Views `buffer`, or allocates a new one for `slots` slots. */
  constructor(readonly slots: number, readonly buffer: SharedArrayBuffer = allocate(slots)) {
    this.control = new Int32Array(buffer, 0, CONTROL_INTS);
    this.ring = new Int32Array(buffer, CONTROL_INTS * 4, slots);
    this.slotBase = (CONTROL_INTS + slots) * 4;
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.ints = new Int32Array(buffer);
  }

  private offset(slot: number): number {
    return this.slotBase + slot * SLOT_BYTES;
  }

  /** The slot's state. */
  state(slot: number): SlotState {
    return Atomics.load(this.ints, this.offset(slot) >> 2) as SlotState;
  }

  private setState(slot: number, s: SlotState): void {
    Atomics.store(this.ints, this.offset(slot) >> 2, s);
  }

  /** Request thread: writes a job into a free `slot` and submits it (false: message too long). */
  submit(slot: number, message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
    if (
      message.length > SLOT_MESSAGE_BYTES || signature.length !== SIGNATURE_BYTES ||
      publicKey.length !== PUBLIC_KEY_BYTES
    ) return false;
    const o = this.offset(slot);
    this.view.setInt32(o + 4, message.length, true);
    this.bytes.set(message, o + 8);
    this.bytes.set(signature, o + 8 + SLOT_MESSAGE_BYTES);
    this.bytes.set(publicKey, o + 8 + SLOT_MESSAGE_BYTES + SIGNATURE_BYTES);
    this.setState(slot, SlotState.Queued);
    const head = Atomics.load(this.control, HEAD);
    Atomics.store(this.ring, head % this.slots, slot);
    Atomics.store(this.control, HEAD, head + 1);
    Atomics.notify(this.control, HEAD, 1);
    return true;
  }

  /** Request thread: frees a slot whose verdict was read. */
  release(slot: number): void {
    this.setState(slot, SlotState.Free);
  }

  /** Verdicts written so far (the request thread waits for it to move). */
  done(): number {
    return Atomics.load(this.control, DONE);
  }

  /**
   * Request thread: resolves once a verdict after the `seen`-th was written, or after `maxMs`
   * (a Deno timer). The bound is a safety net: Deno does not tie `Atomics.waitAsync` to its event loop
   * (denoland/deno#15358), so a wake-up that is never delivered costs a short delay, not a hung
   * request.
   */
  async waitDone(seen: number, maxMs = 10): Promise<void> {
    const w = Atomics.waitAsync(this.control, DONE, seen);
    if (!w.async) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([w.value, new Promise<void>((r) => (timer = setTimeout(r, maxMs)))]);
    clearTimeout(timer);
  }

  /** Asks the workers to stop and wakes them. */
  stop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, HEAD);
    Atomics.add(this.control, DONE, 1);
    Atomics.notify(this.control, DONE);
  }

  /** Whether {@link stop} was called. */
  stopped(): boolean {
    return Atomics.load(this.control, STOP) === 1;
  }

  /**
   * Worker: blocks until a job is queued, claims it and returns its slot (-1 once stopped).
   * Blocking is right here: a verify worker has nothing else to do.
   */
  take(): number {
    while (true) {
      if (this.stopped()) return -1;
      const tail = Atomics.load(this.control, TAIL);
      const head = Atomics.load(this.control, HEAD);
      if (tail === head) {
        Atomics.wait(this.control, HEAD, head, 1000);
        continue;
      }
      if (Atomics.compareExchange(this.control, TAIL, tail, tail + 1) === tail) {
        return Atomics.load(this.ring, tail % this.slots);
      }
    }
  }

  /** Worker: the job in `slot` (views into shared memory, valid until {@link finish}). */
  job(slot: number): { message: Uint8Array; signature: Uint8Array; publicKey: Uint8Array } {
    const o = this.offset(slot);
    const len = this.view.getInt32(o + 4, true);
    const at = this.bytes.byteOffset + o + 8;
    return {
      // wasm copies its inputs, so views of the shared buffer are enough
      message: new Uint8Array(this.buffer, at, len),
      signature: new Uint8Array(this.buffer, at + SLOT_MESSAGE_BYTES, SIGNATURE_BYTES),
      publicKey: new Uint8Array(
        this.buffer,
        at + SLOT_MESSAGE_BYTES + SIGNATURE_BYTES,
        PUBLIC_KEY_BYTES,
      ),
    };
  }

  /** Worker: writes the verdict and wakes the request thread. */
  finish(slot: number, valid: boolean): void {
    this.setState(slot, valid ? SlotState.Valid : SlotState.Invalid);
    Atomics.add(this.control, DONE, 1);
    Atomics.notify(this.control, DONE);
  }
}

function allocate(slots: number): SharedArrayBuffer {
  if (!(Number.isInteger(slots) && slots >= 1)) {
    throw new Error(`verify queue slots must be an integer >= 1, got ${slots}`);
  }
  return new SharedArrayBuffer((CONTROL_INTS + slots) * 4 + slots * SLOT_BYTES);
}
