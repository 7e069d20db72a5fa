/**
 * @module
 * Python `str()` and `repr()` of {@link PyValue}s, as the body hash needs them
 * (bittensor-wire.md Appendix A): top-level strings raw, everything nested as `repr`, floats in
 * Python's shortest round-trip form (`1.0`, `1e+16`, `1.5e-05`, `-0.0`, `inf`, `nan`), strings
 * quoted and escaped like CPython, dicts in insertion order.
 */
import { PyDict, PyFloat, PyTuple, type PyValue } from "./py_value.ts";

/**
 * Python `repr(float)`.
 *
 * @example
 * ```ts
 * import { pyFloatRepr } from "./python_str.ts";
 * pyFloatRepr(1e16); // "1e+16"
 * pyFloatRepr(12); // "12.0"
 * ```
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expText] = x.toExponential().split("e");
  const e = Number(expText);
  const sign = x < 0 ? "-" : "";
  const digits = mant.replace("-", "").replace(".", "");
  if (e >= -4 && e < 16) {
    if (e >= 0) {
      const int = digits.slice(0, e + 1).padEnd(e + 1, "0");
      const frac = digits.slice(e + 1) || "0";
      return `${sign}${int}.${frac}`;
    }
    return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const exp = `${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  return `${sign}${m}e${exp}`;
}

// CPython's str.isprintable(): false for categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs except ' '.
const NOT_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/**
 * Python `repr(str)`: single quotes unless the text has `'` and no `"`.
 *
 * @example
 * ```ts
 * import { pyStrRepr } from "./python_str.ts";
 * pyStrRepr("it's"); // "\"it's\""
 * ```
 */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + hex(cp, 2);
    else if (cp < 0x7f) out += ch;
    else if (ch !== " " && NOT_PRINTABLE.test(ch)) {
      if (cp <= 0xff) out += "\\x" + hex(cp, 2);
      else if (cp <= 0xffff) out += "\\u" + hex(cp, 4);
      else out += "\\U" + hex(cp, 8);
    } else out += ch;
  }
  return out + quote;
}

/** Python `repr()` of a value. */
export function pyRepr(v: PyValue): string {
  if (typeof v === "string") return pyStrRepr(v);
  return pyStr(v);
}

/**
 * Python `str()` of a value: the raw text for a string, `repr` for everything inside a
 * container.
 *
 * @example
 * ```ts
 * import { pyStr } from "./python_str.ts";
 * import { PyDict, PyFloat } from "./py_value.ts";
 * pyStr(new PyDict([["n", new PyFloat(1.5e-5)], ["b", true]])); // "{'n': 1.5e-05, 'b': True}"
 * ```
 */
export function pyStr(v: PyValue): string {
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return v;
  if (typeof v === "bigint") return v.toString();
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (v instanceof PyTuple) {
    return v.items.length === 1
      ? `(${pyRepr(v.items[0])},)`
      : `(${v.items.map(pyRepr).join(", ")})`;
  }
  if (v instanceof PyDict) {
    return `{${v.entries.map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`).join(", ")}}`;
  }
  throw new TypeError("not a Python value");
}
