/**
 * @module
 * Checking data against an actor's zod schemas, on both sides of a worker boundary, with errors
 * that name the field. Also the rules for actor names (`scorer`, `miner-client/17`).
 */
import type { z } from "zod";
import { ActorError, type FieldIssue, ValidationError } from "./errors.ts";

/** Allowed actor names: path segments of `[A-Za-z0-9_.-]`, separated by `/` (`miner-client/17`). */
export const ACTOR_NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/**
 * A parametrised actor name: `actorName("miner-client", 17)` is `"miner-client/17"`.
 *
 * @example
 * ```ts
 * import { actorName } from "./message_schema.ts";
 * console.log(actorName("miner-client", 17)); // "miner-client/17"
 * ```
 */
export function actorName(kind: string, ...params: (string | number)[]): string {
  const name = [kind, ...params.map(String)].join("/");
  checkActorName(name);
  return name;
}

/** Throws `invalid_name` unless `name` follows {@link ACTOR_NAME}. */
export function checkActorName(name: unknown): asserts name is string {
  if (typeof name !== "string" || !ACTOR_NAME.test(name)) {
    throw new ActorError(
      "invalid_name",
      `invalid actor name ${JSON.stringify(name)}: use segments of [A-Za-z0-9_.-] separated by "/"`,
    );
  }
}

/** Zod issues as {@link FieldIssue}s with dotted paths. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => String(p)).join("."),
    message: i.message,
  }));
}

function describe(issues: FieldIssue[]): string {
  return issues.map((i) => (i.path ? `field "${i.path}": ${i.message}` : i.message)).join("; ");
}

/**
 * Parses `value` with `schema`; on failure throws a {@link ValidationError} whose message says
 * what was checked (`what`, e.g. `message "ping" to "pinger"`) and names every bad field.
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  actor?: string,
): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = fieldIssues(r.error);
  throw new ValidationError(`invalid ${what}: ${describe(issues)}`, issues, { actor });
}

/**
 * Validates message `type` with payload `msg` for the actor `actor` against `messages`:
 * an unknown type is a validation error too (naming the known types).
 */
export function parseMessage(
  messages: Record<string, z.ZodType>,
  actor: string,
  type: string,
  msg: unknown,
  side: "sender" | "receiver",
): unknown {
  const schema = Object.hasOwn(messages, type) ? messages[type] : undefined;
  if (!schema) {
    const known = Object.keys(messages).map((k) => JSON.stringify(k)).join(", ");
    throw new ValidationError(
      `invalid message to ${JSON.stringify(actor)} (${side} side): unknown type ${
        JSON.stringify(type)
      } (known: ${known})`,
      [{ path: "", message: `unknown message type ${JSON.stringify(type)}` }],
      { actor },
    );
  }
  return parseWith(
    schema,
    msg,
    `message ${JSON.stringify(type)} to ${JSON.stringify(actor)} (${side} side)`,
    actor,
  );
}
