/**
 * @module
 * A FIFO queue with O(1) push, shift and unshift (a growable ring buffer). Mailboxes can hold
 * tens of thousands of waiting messages; `Array.prototype.shift` would make draining quadratic.
 */

/**
 * Ring-buffer deque.
 *
 * @example
 * ```ts
 * import { Deque } from "./deque.ts";
 * const q = new Deque<number>();
 * q.push(1); q.push(2); q.unshift(0);
 * q.shift(); // 0
 * ```
 */
export class Deque<T> {
  #buf: (T | undefined)[] = new Array(16);
  #head = 0;
  #size = 0;

  /** Number of items. */
  get length(): number {
    return this.#size;
  }

  /** Adds at the tail. */
  push(item: T): void {
    if (this.#size === this.#buf.length) this.#grow();
    this.#buf[(this.#head + this.#size) % this.#buf.length] = item;
    this.#size++;
  }

  /** Adds at the head. */
  unshift(item: T): void {
    if (this.#size === this.#buf.length) this.#grow();
    this.#head = (this.#head - 1 + this.#buf.length) % this.#buf.length;
    this.#buf[this.#head] = item;
    this.#size++;
  }

  /** Removes from the head; undefined when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#buf[this.#head];
    this.#buf[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#buf.length;
    this.#size--;
    return item;
  }

  /** The head item without removing it; undefined when empty. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#buf[this.#head];
  }

  /** Removes and returns everything, head first. */
  drain(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#buf[(this.#head + i) % this.#buf.length]!);
    this.#buf = new Array(16);
    this.#head = 0;
    this.#size = 0;
    return out;
  }

  #grow(): void {
    const old = this.#buf;
    const next: (T | undefined)[] = new Array(old.length * 2);
    for (let i = 0; i < this.#size; i++) next[i] = old[(this.#head + i) % old.length];
    this.#buf = next;
    this.#head = 0;
  }
}
