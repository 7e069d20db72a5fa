/**
 * @module
 * Dead letters: every message that was accepted but will never be handled (poison after its
 * retries, its actor stopped or gave up, invalid on the receiving side, lost with its isolate,
 * still queued at shutdown), with the reason. Kept in a bounded ring; `total` counts them all.
 */
import type { WireError } from "./errors.ts";

/** Why a message was dead-lettered. */
export type DeadLetterReason =
  | "poison"
  | "invalid"
  | "actor_stopped"
  | "escalated"
  | "isolate_crashed"
  | "shutdown";

/** One undeliverable message. */
export interface DeadLetter {
  /** When (ms since epoch). */
  at: number;
  /** Target actor. */
  to: string;
  /** Message type. */
  type: string;
  /** The payload as sent. */
  message: unknown;
  /** Sender actor name, or undefined for the main thread. */
  from?: string;
  /** Whether it was an `ask` (the asker got the error too). */
  ask: boolean;
  /** How many times a handler was started on it. */
  attempts: number;
  reason: DeadLetterReason;
  /** The error behind the reason. */
  error?: WireError;
}

/** Bounded ring of {@link DeadLetter}s plus a total count; listeners see each one. */
export class DeadLetters {
  #ring: DeadLetter[] = [];
  #total = 0;

  constructor(readonly capacity = 1000) {}

  /** Records one. */
  add(letter: DeadLetter): void {
    this.#total++;
    this.#ring.push(letter);
    if (this.#ring.length > this.capacity) this.#ring.shift();
  }

  /** The most recent letters (at most `capacity`), oldest first. */
  list(): DeadLetter[] {
    return [...this.#ring];
  }

  /** How many were ever recorded (including ones pushed out of the ring). */
  get total(): number {
    return this.#total;
  }
}
