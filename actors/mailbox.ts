/**
 * @module
 * A bounded mailbox: queued messages plus the ones handed to the isolate but not yet handled
 * ("in flight"). Both count against the capacity, and so do slots reserved for direct sends
 * (leases: docs/actors.md). When full, a sender either waits in FIFO order for room or is
 * refused; nothing is dropped. Pure data structure, no I/O.
 */
import { Deque } from "./deque.ts";
import { ActorError } from "./errors.ts";

/** What a sender does when the mailbox is full. */
export type Overflow = "wait" | "fail";

interface Waiter<T> {
  item: T;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Bounded FIFO with in-flight tracking by sequence number.
 *
 * @example
 * ```ts
 * import { Mailbox } from "./mailbox.ts";
 * const mb = new Mailbox<{ seq: number }>("a", 1);
 * await mb.put({ seq: 1 }, "fail");
 * const m = mb.take()!;             // now in flight
 * mb.complete(m.seq);               // handled: room again
 * ```
 */
export class Mailbox<T extends { seq: number }> {
  #queue = new Deque<T>();
  #inFlight = new Map<number, T>();
  #waiters = new Deque<Waiter<T>>();
  #reserved = 0;

  /** `owner` is the actor name (for errors); `capacity` ≥ 1. */
  constructor(readonly owner: string, readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`mailbox capacity must be a positive integer, got ${capacity}`);
    }
  }

  /** Queued + in flight. */
  get depth(): number {
    return this.#queue.length + this.#inFlight.size;
  }
  /** Messages waiting to be handed to the isolate. */
  get queued(): number {
    return this.#queue.length;
  }
  /** Messages handed to the isolate and not yet handled. */
  get inFlight(): number {
    return this.#inFlight.size;
  }
  /** Senders waiting for room. */
  get waiting(): number {
    return this.#waiters.length;
  }
  /** Slots reserved for messages sent directly by another isolate (a lease's credits). */
  get reserved(): number {
    return this.#reserved;
  }

  /**
   * Reserves as many slots as it can up to `max`, leaving at least as many free as it reserves
   * (so routed senders keep room); none while anybody waits. Returns how many it reserved.
   */
  reserveUpTo(max: number): number {
    if (this.#waiters.length > 0) return 0;
    const n = Math.max(0, Math.min(max, Math.floor((this.capacity - this.#used) / 2)));
    this.#reserved += n;
    return n;
  }

  /** Gives back `n` reserved slots (waiting senders may get in). */
  unreserve(n: number): void {
    this.#reserved = Math.max(0, this.#reserved - n);
    this.#admit();
  }

  get #used(): number {
    return this.#queue.length + this.#inFlight.size + this.#reserved;
  }

  /** Adds `item` if there is room (and nobody waiting before it); false otherwise. */
  offer(item: T): boolean {
    if (this.#used < this.capacity && this.#waiters.length === 0) {
      this.#queue.push(item);
      return true;
    }
    return false;
  }

  /**
   * Adds `item`; when full, waits for room (`"wait"`) or throws `mailbox_full` (`"fail"`).
   * Resolves once the item is in the mailbox.
   */
  put(item: T, onFull: Overflow): Promise<void> {
    if (this.#used < this.capacity && this.#waiters.length === 0) {
      this.#queue.push(item);
      return Promise.resolve();
    }
    if (onFull === "fail") {
      return Promise.reject(
        new ActorError(
          "mailbox_full",
          `mailbox of ${JSON.stringify(this.owner)} is full (${this.capacity} messages)`,
          { actor: this.owner },
        ),
      );
    }
    return new Promise((resolve, reject) => this.#waiters.push({ item, resolve, reject }));
  }

  /** Next queued message, now counted as in flight; undefined when none. */
  take(): T | undefined {
    const item = this.#queue.shift();
    if (item !== undefined) this.#inFlight.set(item.seq, item);
    return item;
  }

  /** The in-flight message `seq` is done (handled, rejected or dead-lettered): frees its room. */
  complete(seq: number): T | undefined {
    const item = this.#inFlight.get(seq);
    if (item === undefined) return undefined;
    this.#inFlight.delete(seq);
    this.#admit();
    return item;
  }

  /** The in-flight message `seq`, if any. */
  peekInFlight(seq: number): T | undefined {
    return this.#inFlight.get(seq);
  }

  /**
   * Takes every in-flight message back (e.g. the isolate lost them): returned in send order and
   * no longer counted; the caller re-queues (with {@link requeueFront}) or dead-letters them.
   */
  reclaimInFlight(): T[] {
    const items = [...this.#inFlight.values()].sort((a, b) => a.seq - b.seq);
    this.#inFlight.clear();
    return items;
  }

  /** Puts messages back at the head, in the given order (retries go before newer messages). */
  requeueFront(items: T[]): void {
    for (let i = items.length - 1; i >= 0; i--) this.#queue.unshift(items[i]);
    this.#admit();
  }

  /** Removes and returns every queued message and every waiting sender's item (waiters resolve). */
  drainQueued(): T[] {
    const items = this.#queue.drain();
    for (const w of this.#waiters.drain()) {
      items.push(w.item);
      w.resolve();
    }
    return items;
  }

  /** Refuses every waiting sender with `err` (the actor went away). */
  rejectWaiters(err: unknown): void {
    for (const w of this.#waiters.drain()) w.reject(err);
  }

  #admit(): void {
    while (this.#waiters.length && this.#used < this.capacity) {
      const w = this.#waiters.shift()!;
      this.#queue.push(w.item);
      w.resolve();
    }
  }
}
