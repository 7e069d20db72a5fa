/**
 * @module
 * `TerminalInfo`: the per-side metadata of a request (status, timing, ip/port, version, nonce,
 * uuid, hotkey, signature), in the upstream declaration order, which is also the JSON key order
 * and the `bt_header_<side>_<field>` header order. Integer fields accept what pydantic's
 * `int(raw)` accepts; the nonce is a `bigint` because it is nanoseconds (> 2^53).
 */
import { z } from "zod";

/** Field names in upstream declaration order. */
export const TERMINAL_FIELDS = [
  "status_code",
  "status_message",
  "process_time",
  "ip",
  "port",
  "version",
  "nonce",
  "uuid",
  "hotkey",
  "signature",
] as const;

/** One of {@link TERMINAL_FIELDS}. */
export type TerminalField = typeof TERMINAL_FIELDS[number];

/** The Python type of each terminal field. */
export const TERMINAL_TYPES: Record<TerminalField, "int" | "float" | "str" | "nonce"> = {
  status_code: "int",
  status_message: "str",
  process_time: "float",
  ip: "str",
  port: "int",
  version: "int",
  nonce: "nonce",
  uuid: "str",
  hotkey: "str",
  signature: "str",
};

/** Python `int(text)` for a header or JSON string: optional sign, digits, surrounding blanks. */
export const INT_TEXT = /^\s*[+-]?\d+\s*$/;

const intLike = z.union([
  z.number().int().refine(Number.isSafeInteger, "integer out of range"),
  z.bigint().transform((b, ctx) => {
    if (b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)) {
      ctx.addIssue({ code: "custom", message: "integer out of range" });
      return z.NEVER;
    }
    return Number(b);
  }),
  z.string().regex(INT_TEXT, "not an integer").transform((s) => Number(s.trim())),
]).nullable().default(null);

const nonceLike = z.union([
  z.bigint(),
  z.number().int().refine(Number.isSafeInteger, "nonce above 2^53 must keep its digits")
    .transform(BigInt),
  z.string().regex(INT_TEXT, "not an integer").transform((s) => BigInt(s.trim())),
]).nullable().default(null);

const floatLike = z.union([
  z.number(),
  z.string().refine((s) => s.trim() !== "" && !Number.isNaN(Number(s)), "not a float")
    .transform(Number),
]).nullable().default(null);

const str = z.string().nullable().default(null);

/** The schema of a terminal object, as pydantic validates it. */
export const terminalInfoSchema = z.object({
  status_code: intLike,
  status_message: str,
  process_time: floatLike,
  ip: str,
  port: intLike,
  version: intLike,
  nonce: nonceLike,
  uuid: str,
  hotkey: str,
  signature: str,
});

/** A terminal (dendrite or axon side) of a synapse. */
export type TerminalInfo = z.infer<typeof terminalInfoSchema>;

/**
 * A terminal with every field `null`.
 *
 * @example
 * ```ts
 * import { blankTerminal } from "./terminal_info.ts";
 * blankTerminal().nonce; // null
 * ```
 */
export function blankTerminal(): TerminalInfo {
  return {
    status_code: null,
    status_message: null,
    process_time: null,
    ip: null,
    port: null,
    version: null,
    nonce: null,
    uuid: null,
    hotkey: null,
    signature: null,
  };
}
