/**
 * @module
 * One error type for the actor runtime, {@link ActorError}, with a machine-readable
 * {@link ActorErrorCode}, plus {@link ValidationError} that lists the offending fields. Errors
 * cross worker boundaries as plain {@link WireError} data and are rebuilt on the other side.
 */

/** What went wrong, as a stable code callers can switch on. */
export type ActorErrorCode =
  | "validation"
  | "not_found"
  | "duplicate_name"
  | "invalid_name"
  | "mailbox_full"
  | "ask_timeout"
  | "actor_crashed"
  | "poison_message"
  | "isolate_crashed"
  | "actor_stopped"
  | "shutting_down"
  | "start_failed"
  | "remote";

/** One failed check of a message, reply or spawn argument: where (dotted path) and why. */
export interface FieldIssue {
  /** Dotted path of the field, e.g. `window.turns.0.text`; empty for the message itself. */
  path: string;
  /** Why it was rejected. */
  message: string;
}

/** An error as plain structured-clone-able data, for sending between worker and main thread. */
export interface WireError {
  name: string;
  message: string;
  code?: ActorErrorCode;
  actor?: string;
  issues?: FieldIssue[];
  stack?: string;
}

/**
 * Every failure the runtime reports: a code, the actor it concerns, and for crashes the error
 * that caused it (`cause`).
 *
 * @example
 * ```ts
 * import { ActorError } from "./errors.ts";
 * try { throw new ActorError("not_found", "no actor named \"x\"", { actor: "x" }); }
 * catch (e) { if (e instanceof ActorError && e.code === "not_found") console.log(e.actor); }
 * ```
 */
export class ActorError extends Error {
  override name = "ActorError";
  /** Machine-readable reason. */
  readonly code: ActorErrorCode;
  /** The actor concerned, when there is one. */
  readonly actor?: string;

  constructor(
    code: ActorErrorCode,
    message: string,
    opts: { actor?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.actor = opts.actor;
  }
}

/** A message, reply or spawn argument that failed its schema; `issues` names each field. */
export class ValidationError extends ActorError {
  override name = "ValidationError";
  /** Each failed field with its reason. */
  readonly issues: FieldIssue[];

  constructor(message: string, issues: FieldIssue[], opts: { actor?: string } = {}) {
    super("validation", message, opts);
    this.issues = issues;
  }
}

/** Turns anything thrown into {@link WireError} data that survives `postMessage`. */
export function toWireError(err: unknown): WireError {
  if (err instanceof ValidationError) {
    return {
      name: err.name,
      message: err.message,
      code: err.code,
      actor: err.actor,
      issues: err.issues,
    };
  }
  if (err instanceof ActorError) {
    return {
      name: err.name,
      message: err.message,
      code: err.code,
      actor: err.actor,
      stack: err.stack,
    };
  }
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: "Error", message: typeof err === "string" ? err : safeString(err) };
}

/** Rebuilds an error from {@link WireError} data: runtime errors keep their class and code. */
export function fromWireError(w: WireError): Error {
  if (w.code === "validation" && w.issues) return new ValidationError(w.message, w.issues, w);
  if (w.code) {
    const e = new ActorError(w.code, w.message, { actor: w.actor });
    if (w.stack) e.stack = w.stack;
    return e;
  }
  const e = new Error(w.message);
  e.name = w.name;
  if (w.stack) e.stack = w.stack;
  return e;
}

function safeString(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
