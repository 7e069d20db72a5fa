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
