/**
 * @module
 * Python values as the Python peers see them after `json.loads`: ints (arbitrary precision),
 * floats (kept distinct from ints even when integral, e.g. `1.0`), strings, lists and dicts in
 * insertion order. The body hash is computed over these, never over JS values, because JS
 * objects reorder integer-like keys and JS numbers lose the int/float distinction.
 */

/** A Python `float` (JS numbers alone cannot say whether `1` was `1` or `1.0`). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A Python `tuple`. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A Python `dict` with string keys, in insertion order. */
export class PyDict {
  constructor(readonly entries: [string, PyValue][]) {}

  /** The value of `key`, or `undefined` when absent. */
  get(key: string): PyValue | undefined {
    for (const [k, v] of this.entries) if (k === key) return v;
    return undefined;
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return this.entries.some(([k]) => k === key);
  }
}

/** Any value `json.loads` can produce, plus tuples. `bigint` is a Python `int`. */
export type PyValue =
  | null
  | boolean
  | bigint
  | PyFloat
  | string
  | PyValue[]
  | PyTuple
  | PyDict;

/**
 * Converts a Python value to the plain JS value the rest of the node works with: ints become
 * numbers when they are safe integers and stay `bigint` otherwise; dicts become plain objects.
 *
 * @example
 * ```ts
 * import { PyDict, toJs } from "./py_value.ts";
 * toJs(new PyDict([["a", 1n]])); // { a: 1 }
 * ```
 */
export function toJs(v: PyValue): unknown {
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "bigint") {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v;
  }
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v.map(toJs);
  if (v instanceof PyTuple) return v.items.map(toJs);
  const out: Record<string, unknown> = {};
  for (const [k, val] of v.entries) {
    Object.defineProperty(out, k, {
      value: toJs(val),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * Converts a JS value to the Python value `json.loads` would give for its JSON text: integral
 * numbers become ints, other numbers floats, objects dicts (in JS key order).
 */
export function fromJs(v: unknown): PyValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean" || typeof v === "string" || typeof v === "bigint") return v;
  if (typeof v === "number") {
    return Number.isInteger(v) ? BigInt(v) : new PyFloat(v);
  }
  if (Array.isArray(v)) return v.map(fromJs);
  if (v instanceof PyFloat || v instanceof PyDict || v instanceof PyTuple) return v;
  if (typeof v === "object") {
    return new PyDict(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromJs(x)]));
  }
  throw new TypeError(`cannot represent a ${typeof v} as a Python value`);
}
