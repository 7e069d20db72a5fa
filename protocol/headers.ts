/**
 * @module
 * Synapse headers (bittensor-wire.md §2.2): `name`, `timeout`, `bt_header_axon_<field>` and
 * `bt_header_dendrite_<field>` for each non-null terminal field, `bt_header_input_obj_<field>`
 * (base64 JSON of an empty value of the field's type) for each required field, `header_size`,
 * `total_size`, `computed_body_hash`. Names are lowercase; ints are plain decimal strings.
 */
import type { PyType } from "./py_types.ts";
import { pyFloatRepr } from "./python_str.ts";
import type { FieldSpec, SynapseBase, SynapseDef } from "./synapse.ts";
import {
  blankTerminal,
  INT_TEXT,
  TERMINAL_FIELDS,
  TERMINAL_TYPES,
  type TerminalField,
  type TerminalInfo,
} from "./terminal_info.ts";

/** Header name prefixes. */
export const AXON_PREFIX = "bt_header_axon_";
export const DENDRITE_PREFIX = "bt_header_dendrite_";
export const INPUT_OBJ_PREFIX = "bt_header_input_obj_";

/** Upper bound of one header line aiohttp accepts (8190); we keep values well below it. */
export const MAX_HEADER_VALUE = 4096;

/** Raised when a header does not parse into its declared type. */
export class HeaderError extends Error {
  override name = "HeaderError";
}

/**
 * Base64 of `json.dumps(type(value)())`: the JSON of an empty value of the field's type.
 *
 * @example
 * ```ts
 * import { inputObjHeaderValue } from "./headers.ts";
 * import { py } from "./py_types.ts";
 * inputObjHeaderValue(py.list(py.dict()), []); // "W10="
 * ```
 */
export function inputObjHeaderValue(t: PyType, value: unknown): string {
  const kind = t.kind === "optional" ? t.of!.kind : t.kind;
  let json: string;
  switch (kind) {
    case "int":
      json = "0";
      break;
    case "float":
      json = "0.0";
      break;
    case "str":
      json = '""';
      break;
    case "bool":
      json = "false";
      break;
    case "list":
    case "tuple":
      json = "[]";
      break;
    case "dict":
      json = "{}";
      break;
    default:
      json = typeof value === "string"
        ? '""'
        : typeof value === "boolean"
        ? "false"
        : typeof value === "bigint"
        ? "0"
        : typeof value === "number"
        ? (Number.isInteger(value) ? "0" : "0.0")
        : Array.isArray(value)
        ? "[]"
        : value !== null && typeof value === "object"
        ? "{}"
        : "null";
  }
  return btoa(json);
}

/** Header text of a terminal field value. */
function terminalValueText(f: TerminalField, v: unknown): string {
  if (TERMINAL_TYPES[f] === "float") return pyFloatRepr(v as number);
  return headerSafe(String(v));
}

/**
 * A value that can travel in an HTTP header: Latin-1 only (other characters become `?`), no
 * line breaks, at most {@link MAX_HEADER_VALUE} characters.
 */
export function headerSafe(v: string): string {
  // deno-lint-ignore no-control-regex
  let s = v.replace(/[\r\n\0]/g, " ").replace(/[^\x00-\xff]/g, "?");
  if (s.length > MAX_HEADER_VALUE) s = s.slice(0, MAX_HEADER_VALUE - 3) + "...";
  return s;
}

/** Options of {@link synapseHeaders}. */
export interface HeaderOptions {
  /** The body hash to announce (the caller computed it over the body it sends). */
  bodyHash: string;
  /** The body size in bytes, announced as `total_size`. */
  totalSize?: number;
}

/**
 * The headers of a synapse in upstream order (a plain object keeps insertion order for these
 * non-numeric names).
 */
export function synapseHeaders<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S> | null,
  s: SynapseBase,
  opts: HeaderOptions,
): Record<string, string> {
  const h: Record<string, string> = { name: def?.name ?? s.name };
  if (s.timeout !== null) h.timeout = pyFloatRepr(s.timeout);
  for (const [prefix, t] of [[AXON_PREFIX, s.axon], [DENDRITE_PREFIX, s.dendrite]] as const) {
    for (const f of TERMINAL_FIELDS) {
      const v = t[f];
      if (v !== null && v !== undefined) h[prefix + f] = terminalValueText(f, v);
    }
  }
  if (def) {
    const rec = s as unknown as Record<string, unknown>;
    for (const name of def.requiredFields) {
      const v = rec[name];
      if (v !== null && v !== undefined) {
        h[INPUT_OBJ_PREFIX + name] = inputObjHeaderValue(def.fields[name].py, v);
      }
    }
  }
  let size = 0;
  for (const [k, v] of Object.entries(h)) size += k.length + v.length;
  h.header_size = String(size);
  h.total_size = String(opts.totalSize ?? s.total_size ?? 0);
  h.computed_body_hash = opts.bodyHash;
  return h;
}

/** What the headers of a request or response say (upstream `Synapse.from_headers`). */
export interface HeaderSynapse {
  name: string | null;
  timeout: number | null;
  total_size: number | null;
  header_size: number | null;
  dendrite: TerminalInfo;
  axon: TerminalInfo;
  computed_body_hash: string | null;
  /** Decoded `bt_header_input_obj_*` values by field name (undecodable ones are skipped). */
  inputObj: Record<string, unknown>;
}

function parseInt10(name: string, v: string): number {
  if (!INT_TEXT.test(v)) {
    throw new HeaderError(`header ${name}: not an integer: ${JSON.stringify(v)}`);
  }
  const n = Number(v.trim());
  if (!Number.isSafeInteger(n)) throw new HeaderError(`header ${name}: integer out of range`);
  return n;
}

function parseFloat10(name: string, v: string): number {
  const t = v.trim().toLowerCase();
  const special: Record<string, number> = {
    inf: Infinity,
    "+inf": Infinity,
    "-inf": -Infinity,
    infinity: Infinity,
    "-infinity": -Infinity,
    nan: NaN,
  };
  if (t in special) return special[t];
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) {
    throw new HeaderError(`header ${name}: not a float: ${JSON.stringify(v)}`);
  }
  return Number(t);
}

function parseTerminalValue(name: string, f: TerminalField, v: string): unknown {
  switch (TERMINAL_TYPES[f]) {
    case "int":
      return parseInt10(name, v);
    case "float":
      return parseFloat10(name, v);
    case "nonce":
      if (!INT_TEXT.test(v)) {
        throw new HeaderError(`header ${name}: not an integer: ${JSON.stringify(v)}`);
      }
      return BigInt(v.trim());
    default:
      return v;
  }
}

const TERMINAL_SET = new Set<string>(TERMINAL_FIELDS);

/** Options of {@link parseSynapseHeaders}. */
export interface ParseHeaderOptions {
  /**
   * Decode the `bt_header_input_obj_*` headers into {@link HeaderSynapse.inputObj} (default
   * true). Without them only the known header names are looked up, which costs far less than
   * walking every header (a dendrite reading an answer does not need them).
   */
  inputObj?: boolean;
}

/** Terminal fields in the order header iteration (sorted by name) meets them. */
const SORTED_TERMINAL_FIELDS = [...TERMINAL_FIELDS].sort();

/** Headers as `fetch`'s `Headers` or the HTTP/1.1 client's give them (names lower case). */
export type HeaderSource = Pick<Headers, "get"> & Iterable<[string, string]>;

/**
 * Parses synapse headers like upstream `from_headers`; throws {@link HeaderError} naming the
 * header whose value does not fit its type (the first one in upstream's order: `timeout`,
 * `total_size`, `header_size`, then the `bt_header_*` ones by name).
 */
export function parseSynapseHeaders(
  headers: HeaderSource,
  opts: ParseHeaderOptions = {},
): HeaderSynapse {
  const out: HeaderSynapse = {
    name: headers.get("name"),
    timeout: null,
    total_size: null,
    header_size: null,
    dendrite: blankTerminal(),
    axon: blankTerminal(),
    computed_body_hash: headers.get("computed_body_hash"),
    inputObj: {},
  };
  const timeout = headers.get("timeout");
  if (timeout !== null) out.timeout = parseFloat10("timeout", timeout);
  for (const k of ["total_size", "header_size"] as const) {
    const v = headers.get(k);
    if (v !== null) out[k] = parseInt10(k, v);
  }
  if (opts.inputObj === false) {
    for (
      const [prefix, side] of [[AXON_PREFIX, out.axon], [DENDRITE_PREFIX, out.dendrite]] as const
    ) {
      for (const f of SORTED_TERMINAL_FIELDS) {
        const value = headers.get(prefix + f);
        if (value !== null) {
          (side as Record<string, unknown>)[f] = parseTerminalValue(prefix + f, f, value);
        }
      }
    }
    return out;
  }
  for (const [key, value] of headers) {
    let side: TerminalInfo | undefined;
    let f = "";
    if (key.startsWith(AXON_PREFIX)) [side, f] = [out.axon, key.slice(AXON_PREFIX.length)];
    else if (key.startsWith(DENDRITE_PREFIX)) {
      [side, f] = [out.dendrite, key.slice(DENDRITE_PREFIX.length)];
    } else if (key.startsWith(INPUT_OBJ_PREFIX)) {
      try {
        out.inputObj[key.slice(INPUT_OBJ_PREFIX.length)] = JSON.parse(atob(value));
      } catch { /* upstream logs and skips undecodable input_obj headers */ }
      continue;
    }
    if (side && TERMINAL_SET.has(f)) {
      (side as Record<string, unknown>)[f] = parseTerminalValue(key, f as TerminalField, value);
    }
  }
  return out;
}
