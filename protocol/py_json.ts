/**
 * @module
 * A JSON reader that yields {@link PyValue}s exactly as Python's `json.loads` would: integers of
 * any size as `bigint`, `1.0` as a float, dict keys in insertion order (a repeated key keeps its
 * first position and its last value, like a Python dict), and `NaN`/`Infinity` accepted.
 */
import { PyDict, PyFloat, type PyValue } from "./py_value.ts";

/** Raised for text that is not JSON; the message names the position. */
export class JsonSyntaxError extends Error {
  override name = "JsonSyntaxError";
}

const MAX_DEPTH = 512;

/**
 * Parses JSON text into Python values.
 *
 * @example
 * ```ts
 * import { parsePyJson } from "./py_json.ts";
 * parsePyJson('{"n": 1767225600000000000}'); // PyDict [["n", 1767225600000000000n]]
 * ```
 */
export function parsePyJson(text: string): PyValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at position ${i}`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const value = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) fail("nesting too deep");
    ws();
    const c = text[i];
    if (c === "{") return object(depth);
    if (c === "[") return array(depth);
    if (c === '"') return string();
    if (c === "t" && text.startsWith("true", i)) return (i += 4, true);
    if (c === "f" && text.startsWith("false", i)) return (i += 5, false);
    if (c === "n" && text.startsWith("null", i)) return (i += 4, null);
    if (c === "N" && text.startsWith("NaN", i)) return (i += 3, new PyFloat(NaN));
    if (c === "I" && text.startsWith("Infinity", i)) return (i += 8, new PyFloat(Infinity));
    if (c === "-" && text.startsWith("-Infinity", i)) return (i += 9, new PyFloat(-Infinity));
    return number();
  };
  const number = (): PyValue => {
    const m = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = i;
    const r = m.exec(text);
    if (!r) return fail(i >= text.length ? "unexpected end of JSON" : "unexpected character");
    i += r[0].length;
    return r[1] === undefined && r[2] === undefined ? BigInt(r[0]) : new PyFloat(Number(r[0]));
  };
  const string = (): string => {
    i++; // opening quote
    let out = "";
    let start = i;
    while (true) {
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c === 92) {
        out += text.slice(start, i);
        const e = text[i + 1];
        const simple: Record<string, string> = {
          '"': '"',
          "\\": "\\",
          "/": "/",
          b: "\b",
          f: "\f",
          n: "\n",
          r: "\r",
          t: "\t",
        };
        if (e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === "u") {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("invalid \\u escape");
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else fail("invalid escape");
        start = i;
        continue;
      }
      if (c < 32) fail("control character in string");
      i++;
    }
  };
  const array = (depth: number): PyValue[] => {
    i++;
    const out: PyValue[] = [];
    ws();
    if (text[i] === "]") return (i++, out);
    while (true) {
      out.push(value(depth + 1));
      ws();
      if (text[i] === ",") i++;
      else if (text[i] === "]") return (i++, out);
      else fail("expected ',' or ']'");
    }
  };
  const object = (depth: number): PyDict => {
    i++;
    const entries: [string, PyValue][] = [];
    const index = new Map<string, number>();
    ws();
    if (text[i] === "}") return (i++, new PyDict(entries));
    while (true) {
      ws();
      if (text[i] !== '"') fail("expected a string key");
      const k = string();
      ws();
      if (text[i] !== ":") fail("expected ':'");
      i++;
      const v = value(depth + 1);
      const at = index.get(k);
      if (at === undefined) {
        index.set(k, entries.length);
        entries.push([k, v]);
      } else entries[at] = [k, v];
      ws();
      if (text[i] === ",") i++;
      else if (text[i] === "}") return (i++, new PyDict(entries));
      else fail("expected ',' or '}'");
    }
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail("extra data after JSON value");
  return v;
}

/**
 * `toJs(parsePyJson(text))`, the same value or the same error, in one pass without the Python
 * value objects in between: what a dendrite needs to read an answer (JS values, ints past 2^53
 * as `bigint`).
 *
 * @example
 * ```ts
 * import { parseJsonToJs } from "./py_json.ts";
 * parseJsonToJs('{"n": 1, "big": 12345678901234567890}'); // { n: 1, big: 12345678901234567890n }
 * ```
 */
export function parseJsonToJs(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at position ${i}`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail("nesting too deep");
    ws();
    const c = text.charCodeAt(i);
    if (c === 123) return object(depth); // {
    if (c === 91) return array(depth); // [
    if (c === 34) return string(); // "
    if (c === 116 && text.startsWith("true", i)) return (i += 4, true);
    if (c === 102 && text.startsWith("false", i)) return (i += 5, false);
    if (c === 110 && text.startsWith("null", i)) return (i += 4, null);
    if (c === 78 && text.startsWith("NaN", i)) return (i += 3, NaN);
    if (c === 73 && text.startsWith("Infinity", i)) return (i += 8, Infinity);
    if (c === 45 && text.startsWith("-Infinity", i)) return (i += 9, -Infinity);
    return number();
  };
  const number = (): unknown => {
    NUMBER.lastIndex = i;
    const r = NUMBER.exec(text);
    if (!r) return fail(i >= text.length ? "unexpected end of JSON" : "unexpected character");
    i += r[0].length;
    if (r[1] !== undefined || r[2] !== undefined) return Number(r[0]);
    // An int: up to 15 digits it is a safe integer (and `-0` is the int 0).
    if (r[0].length <= 15) return Number(r[0]) + 0;
    const big = BigInt(r[0]);
    return big >= MIN_SAFE && big <= MAX_SAFE ? Number(big) : big;
  };
  const string = (): string => {
    i++; // opening quote
    let out = "";
    while (true) {
      PLAIN.lastIndex = i;
      PLAIN.exec(text);
      out += text.slice(i, PLAIN.lastIndex);
      i = PLAIN.lastIndex;
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return out;
      }
      if (c !== 92) fail("control character in string");
      const e = text[i + 1];
      const simple = ESCAPES.get(e);
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (e === "u") {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("invalid \\u escape");
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else fail("invalid escape");
    }
  };
  const array = (depth: number): unknown[] => {
    i++;
    const out: unknown[] = [];
    ws();
    if (text[i] === "]") return (i++, out);
    while (true) {
      out.push(value(depth + 1));
      ws();
      if (text[i] === ",") i++;
      else if (text[i] === "]") return (i++, out);
      else fail("expected ',' or ']'");
    }
  };
  const object = (depth: number): Record<string, unknown> => {
    i++;
    const out: Record<string, unknown> = {};
    ws();
    if (text[i] === "}") return (i++, out);
    while (true) {
      ws();
      if (text[i] !== '"') fail("expected a string key");
      const k = string();
      ws();
      if (text[i] !== ":") fail("expected ':'");
      i++;
      const v = value(depth + 1);
      // A repeated key keeps its first position and takes the last value, as a Python dict;
      // `__proto__` is an own key like any other.
      if (k === "__proto__") {
        Object.defineProperty(out, k, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else out[k] = v;
      ws();
      if (text[i] === ",") i++;
      else if (text[i] === "}") return (i++, out);
      else fail("expected ',' or '}'");
    }
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail("extra data after JSON value");
  return v;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
/** A run of string characters needing no care: no quote, backslash or control character. */
// deno-lint-ignore no-control-regex
const PLAIN = /[^"\\\x00-\x1f]*/y;
const ESCAPES = new Map([
  ['"', '"'],
  ["\\", "\\"],
  ["/", "/"],
  ["b", "\b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
]);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
