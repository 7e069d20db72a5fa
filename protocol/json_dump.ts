/**
 * @module
 * Writes JS values as JSON the way the Python peers write them for a declared field type:
 * `float` fields as Python floats (`12.0`, not `12`), `bigint` as plain digits (nonces above
 * 2^53), everything else as standard JSON, object keys in JS order.
 */
import type { PyType } from "./py_types.ts";
import { pyFloatRepr } from "./python_str.ts";

/** Raised for a value JSON cannot carry (NaN/Infinity, functions, cycles). */
export class JsonDumpError extends Error {
  override name = "JsonDumpError";
}

/**
 * JSON text of `v` as a field of Python type `t` (`undefined` type: untyped JSON).
 *
 * @example
 * ```ts
 * import { dumpJson } from "./json_dump.ts";
 * import { py } from "./py_types.ts";
 * dumpJson(12, py.float); // "12.0"
 * ```
 */
export function dumpJson(v: unknown, t?: PyType, depth = 0): string {
  if (depth > 512) throw new JsonDumpError("value nested too deep");
  if (v === null || v === undefined) return "null";
  const kind = t?.kind === "optional" ? t.of!.kind : t?.kind;
  const inner = t?.kind === "optional" ? t.of : t;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new JsonDumpError(`${v} is not valid JSON`);
    if (kind === "float") return pyFloatRepr(v);
    // A safe integer's decimal form is the same as its BigInt's (and -0 prints "0" either way);
    // BigInt is only needed for the exact digits of larger integral doubles.
    if (Number.isSafeInteger(v)) return String(v);
    return Number.isInteger(v) && Math.abs(v) < 1e21 ? BigInt(v).toString() : JSON.stringify(v);
  }
  if (typeof v === "bigint") return kind === "float" ? pyFloatRepr(Number(v)) : v.toString();
  if (typeof v === "string" || typeof v === "boolean") return JSON.stringify(v);
  if (Array.isArray(v)) {
    const item = kind === "list" || kind === "tuple" ? inner!.of : undefined;
    return `[${v.map((x) => dumpJson(x, item, depth + 1)).join(",")}]`;
  }
  if (typeof v === "object") {
    const value = kind === "dict" ? inner!.of : undefined;
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined) continue;
      parts.push(`${JSON.stringify(k)}:${dumpJson(x, value, depth + 1)}`);
    }
    return `{${parts.join(",")}}`;
  }
  throw new JsonDumpError(`a ${typeof v} cannot be written as JSON`);
}
