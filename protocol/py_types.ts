/**
 * @module
 * Python field types of a synapse (`int`, `float`, `str`, `list[dict]`, `Optional[...]`). Each
 * one carries the zod schema that validates the field in TS, the pydantic (lax mode) coercion
 * the Python axon applies before hashing, and how the field is written to JSON.
 */
import { z } from "zod";
import { PyDict, PyFloat, PyTuple, type PyValue } from "./py_value.ts";

/** The kinds of Python types a synapse field can declare. */
export type PyKind =
  | "int"
  | "float"
  | "str"
  | "bool"
  | "any"
  | "list"
  | "tuple"
  | "dict"
  | "optional";

/** A Python field type; `T` is its TS value type. */
export interface PyType<T = unknown> {
  readonly kind: PyKind;
  /** Item type of `list`/`tuple`, value type of `dict`, inner type of `optional`. */
  readonly of?: PyType;
  /** Validates a JS value of this field. */
  readonly zod: z.ZodType<T>;
}

const mk = <T>(kind: PyKind, zod: z.ZodType<T>, of?: PyType): PyType<T> => ({ kind, zod, of });

/** Python type constructors, e.g. `py.list(py.dict())` for `list[dict]`. */
export const py = {
  /** `int` (safe JS integers). */
  int: mk<number>("int", z.number().int().refine(Number.isSafeInteger, "integer out of range")),
  /** `float`. */
  float: mk<number>("float", z.number()),
  /** `str`. */
  str: mk<string>("str", z.string()),
  /** `bool`. */
  bool: mk<boolean>("bool", z.boolean()),
  /** `Any` (no coercion, any JSON value). */
  any: mk<unknown>("any", z.unknown()),
  /** `list[T]` */
  list<T>(item: PyType<T>): PyType<T[]> {
    return mk<T[]>("list", z.array(item.zod), item as PyType);
  },
  /** `tuple[T, ...]` (a JS array). */
  tuple<T>(item: PyType<T>): PyType<T[]> {
    return mk<T[]>("tuple", z.array(item.zod), item as PyType);
  },
  /** `dict` / `dict[str, T]`: a plain object with string keys. */
  dict<T = unknown>(value?: PyType<T>): PyType<Record<string, T>> {
    const v = (value ?? mk<unknown>("any", z.unknown())) as PyType<T>;
    return mk<Record<string, T>>("dict", z.record(z.string(), v.zod), v as PyType);
  },
  /** `Optional[T]`: `T` or `null`. */
  optional<T>(inner: PyType<T>): PyType<T | null> {
    return mk<T | null>("optional", inner.zod.nullable(), inner as PyType);
  },
} as const;

/** Raised when a value does not coerce to the declared Python type. */
export class PyTypeError extends Error {
  override name = "PyTypeError";
}

/**
 * The value pydantic (lax mode) stores for `v` in a field of type `t`, e.g. the int `1` in a
 * `float` field becomes `1.0`. Throws {@link PyTypeError} where pydantic would reject it.
 */
export function coerce(v: PyValue, t: PyType, path = "value"): PyValue {
  const bad = (want: string): never => {
    throw new PyTypeError(`${path}: expected ${want}`);
  };
  switch (t.kind) {
    case "any":
      return v;
    case "optional":
      return v === null ? null : coerce(v, t.of!, path);
    case "int":
      if (typeof v === "bigint") return v;
      if (typeof v === "boolean") return BigInt(v);
      if (v instanceof PyFloat && Number.isInteger(v.value)) return BigInt(v.value);
      if (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v)) return BigInt(v.trim());
      return bad("int");
    case "float":
      if (v instanceof PyFloat) return v;
      if (typeof v === "bigint" || typeof v === "boolean") return new PyFloat(Number(v));
      if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) {
        return new PyFloat(Number(v));
      }
      return bad("float");
    case "str":
      return typeof v === "string" ? v : bad("str");
    case "bool":
      if (typeof v === "boolean") return v;
      if (v === 0n || v === 1n) return v === 1n;
      return bad("bool");
    case "list":
    case "tuple": {
      const items = Array.isArray(v) ? v : v instanceof PyTuple ? v.items : bad(t.kind);
      const out = items.map((x, i) => coerce(x, t.of!, `${path}[${i}]`));
      return t.kind === "tuple" ? new PyTuple(out) : out;
    }
    case "dict":
      if (!(v instanceof PyDict)) return bad("dict");
      return new PyDict(v.entries.map(([k, x]) => [k, coerce(x, t.of!, `${path}.${k}`)]));
  }
}
