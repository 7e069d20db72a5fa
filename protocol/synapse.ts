/**
 * @module
 * The synapse data model: the upstream base fields (`name`, `timeout`, `total_size`,
 * `header_size`, `dendrite`, `axon`, `computed_body_hash`) followed by a subclass's own fields,
 * each declared with its Python type. {@link defineSynapse} turns such a declaration into one
 * zod schema plus what the wire needs: JSON in upstream key order, the body hash over the
 * Python-coerced values (modern `required_hash_fields` tuple or the legacy list field), and the
 * list of required fields (which get `bt_header_input_obj_*` headers).
 */
import { z } from "zod";
import { bodyHashOfStrings } from "./body_hash.ts";
import { dumpJson } from "./json_dump.ts";
import { parsePyJson } from "./py_json.ts";
import { coerce, py, type PyType, PyTypeError } from "./py_types.ts";
import { fromJs, PyDict, type PyValue, toJs } from "./py_value.ts";
import { pyStr } from "./python_str.ts";
import {
  blankTerminal,
  TERMINAL_FIELDS,
  TERMINAL_TYPES,
  type TerminalInfo,
  terminalInfoSchema,
} from "./terminal_info.ts";

/** The base fields every synapse has, in upstream order. */
export interface SynapseBase {
  /** The Python class name (always overwritten with it on parse). */
  name: string;
  /** Seconds the caller waits; `12.0` by default. */
  timeout: number | null;
  total_size: number | null;
  header_size: number | null;
  dendrite: TerminalInfo;
  axon: TerminalInfo;
  computed_body_hash: string | null;
}

/** A full synapse: base fields plus the subclass fields `F`. */
export type Synapse<F> = SynapseBase & F;

/** Names of the base fields, in upstream order. */
export const BASE_FIELDS = [
  "name",
  "timeout",
  "total_size",
  "header_size",
  "dendrite",
  "axon",
  "computed_body_hash",
] as const;

/** One declared subclass field. */
export interface FieldSpec<T> {
  readonly py: PyType<T>;
  /** True when the field has no default (pydantic "required"). */
  readonly required: boolean;
  /** The default when not required. */
  readonly default?: T;
}

/** Field declarations: `field.required(py.list(py.dict()))`, `field.optional(py.int, 0)`. */
export const field = {
  /** A field without default: it must be sent, and gets a `bt_header_input_obj_*` header. */
  required<T>(t: PyType<T>): FieldSpec<T> {
    return { py: t, required: true };
  },
  /** A field with a default value. */
  optional<T>(t: PyType<T>, defaultValue: T): FieldSpec<T> {
    return { py: t, required: false, default: defaultValue };
  },
};

/** The TS type of the subclass fields declared by `S`. */
export type FieldsOf<S> = { [K in keyof S]: S[K] extends FieldSpec<infer T> ? T : never };

/** Keys of `S` that are required. */
type RequiredKeys<S> = { [K in keyof S]: S[K] extends { required: true } ? K : never }[keyof S];

/** What a caller must give to build a synapse: required fields, and optionally the others. */
export type InputOf<S> =
  & { [K in RequiredKeys<S>]: FieldsOf<S>[K] }
  & { [K in Exclude<keyof S, RequiredKeys<S>>]?: FieldsOf<S>[K] };

/** Raised for a synapse body that is not JSON or does not match the schema. */
export class SynapseBodyError extends Error {
  override name = "SynapseBodyError";
}

/** A declared synapse class. */
export interface SynapseDef<S extends Record<string, FieldSpec<unknown>>> {
  /** The Python class name: the route `/{name}` and the `name` header. */
  readonly name: string;
  /** Subclass field declarations, in declaration order. */
  readonly fields: S;
  /** Hash fields in hashing order (empty: the body hash is SHA3-256("")). */
  readonly hashFields: readonly string[];
  /** Whether `required_hash_fields` is the legacy serialized list field. */
  readonly legacyHashFields: boolean;
  /** Names of required subclass fields, in declaration order. */
  readonly requiredFields: readonly string[];
  /** The one schema of the whole synapse (base + subclass fields, defaults applied). */
  readonly schema: z.ZodType<Synapse<FieldsOf<S>>>;
}

const floatOrNull = z.union([
  z.number(),
  z.string().refine((s) => s.trim() !== "" && !Number.isNaN(Number(s)), "not a float")
    .transform(Number),
]).nullable();
const intOrNull = z.union([
  z.number().int().refine(Number.isSafeInteger, "integer out of range"),
  z.string().regex(/^\s*[+-]?\d+\s*$/, "not an integer").transform((s) => Number(s.trim())),
]).nullable();
const terminal = terminalInfoSchema.nullable().default(null).transform((t) => t ?? blankTerminal());

/**
 * Declares a synapse class the way a subnet's Python `class X(bt.Synapse)` does.
 *
 * @example
 * ```ts
 * import { defineSynapse, field } from "./synapse.ts";
 * import { py } from "./py_types.ts";
 * const Dummy = defineSynapse("Dummy", {
 *   dummy_input: field.required(py.int),
 *   dummy_output: field.optional(py.optional(py.int), null),
 * });
 * Dummy.requiredFields; // ["dummy_input"]
 * ```
 */
export function defineSynapse<S extends Record<string, FieldSpec<unknown>>>(
  name: string,
  fields: S,
  opts: { requiredHashFields?: readonly string[]; legacyHashFields?: readonly string[] } = {},
): SynapseDef<S> {
  if (opts.requiredHashFields && opts.legacyHashFields) {
    throw new Error("declare either requiredHashFields or legacyHashFields, not both");
  }
  const all: Record<string, FieldSpec<unknown>> = { ...fields };
  let hashFields: string[] = [];
  if (opts.legacyHashFields) {
    // The legacy form is a pydantic field (serialized); the hash walks declaration order.
    all.required_hash_fields = field.optional(py.list(py.str), [...opts.legacyHashFields]);
    const wanted = new Set(opts.legacyHashFields);
    hashFields = Object.keys(all).filter((k) => wanted.has(k));
  } else if (opts.requiredHashFields) {
    hashFields = [...opts.requiredHashFields];
  }
  for (const h of hashFields) {
    if (!(h in all)) throw new Error(`hash field ${h} is not a field of ${name}`);
  }
  const shape: Record<string, z.ZodType> = {
    name: z.unknown().optional().transform(() => name),
    timeout: floatOrNull.default(12.0),
    total_size: intOrNull.default(0),
    header_size: intOrNull.default(0),
    dendrite: terminal,
    axon: terminal,
    computed_body_hash: z.string().nullable().default(""),
  };
  for (const [k, f] of Object.entries(all)) {
    shape[k] = f.required ? f.py.zod : f.py.zod.default(structuredClone(f.default) as never);
  }
  return {
    name,
    fields: all as S,
    hashFields,
    legacyHashFields: Boolean(opts.legacyHashFields),
    requiredFields: Object.entries(all).filter(([, f]) => f.required).map(([k]) => k),
    schema: z.object(shape) as unknown as z.ZodType<Synapse<FieldsOf<S>>>,
  };
}

/**
 * A new synapse of class `def` with default base fields and the given subclass fields.
 * Throws a zod error naming the field when a value does not fit its declared type.
 */
export function createSynapse<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S>,
  input: InputOf<S>,
): Synapse<FieldsOf<S>> {
  return def.schema.parse({ ...input });
}

const TERMINAL_PY: Record<string, PyType> = {
  int: py.int,
  float: py.float,
  str: py.str,
  nonce: py.int,
};

function dumpTerminal(t: TerminalInfo): string {
  return `{${
    TERMINAL_FIELDS.map((f) =>
      `${JSON.stringify(f)}:${dumpJson(t[f], TERMINAL_PY[TERMINAL_TYPES[f]])}`
    ).join(",")
  }}`;
}

/**
 * The synapse as compact JSON in upstream key order (base fields, then subclass fields), with
 * Python float forms and nonces as exact integers: {@link synapseHeadJson} +
 * {@link synapseFieldsJson} + `}`.
 */
export function synapseToJson<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S>,
  s: Synapse<FieldsOf<S>>,
): string {
  return `${synapseHeadJson(def, s)}${synapseFieldsJson(def, s)}}`;
}

/**
 * The start of {@link synapseToJson}: `{` and the base fields, without the closing brace. A
 * dendrite writes this part per request (nonce, signature, axon) and the fields part once.
 */
export function synapseHeadJson<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S>,
  s: SynapseBase,
): string {
  return `{"name":${JSON.stringify(def.name)},"timeout":${dumpJson(s.timeout, py.float)},` +
    `"total_size":${dumpJson(s.total_size, py.int)},` +
    `"header_size":${dumpJson(s.header_size, py.int)},"dendrite":${dumpTerminal(s.dendrite)},` +
    `"axon":${dumpTerminal(s.axon)},"computed_body_hash":${dumpJson(s.computed_body_hash, py.str)}`;
}

/**
 * The subclass fields' part of {@link synapseToJson}: `,"key":value` for each declared field, in
 * declaration order (empty for a synapse without fields).
 */
export function synapseFieldsJson<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S>,
  fields: FieldsOf<S>,
): string {
  const rec = fields as unknown as Record<string, unknown>;
  let out = "";
  for (const [k, f] of Object.entries(def.fields)) {
    out += `,${JSON.stringify(k)}:${dumpJson(rec[k], f.py)}`;
  }
  return out;
}

/**
 * Python `str()` of each hash field of a JSON-decoded body, after the coercion pydantic applies
 * for the declared type (absent fields take their default). Throws {@link SynapseBodyError}.
 */
export function hashFieldStrings<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S>,
  body: PyDict,
): string[] {
  return def.hashFields.map((name) => {
    const f = def.fields[name];
    let v: PyValue | undefined = body.get(name);
    if (v === undefined) {
      if (f.required) throw new SynapseBodyError(`missing required field ${name}`);
      v = fromJs(f.default);
    }
    try {
      return pyStr(coerce(v, f.py, name));
    } catch (e) {
      if (e instanceof PyTypeError) throw new SynapseBodyError(e.message);
      throw e;
    }
  });
}

/** The body hash of a JSON-decoded body, as the Python axon computes it. */
export function bodyHashOfBody<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S>,
  body: PyDict,
): string {
  return bodyHashOfStrings(hashFieldStrings(def, body));
}

/** The body hash of a synapse, computed over the JSON a peer receives for it. */
export function bodyHashOf<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S>,
  s: Synapse<FieldsOf<S>>,
): string {
  if (def.hashFields.length === 0) return bodyHashOfStrings([]);
  return bodyHashOfBody(def, parsePyJson(synapseToJson(def, s)) as PyDict);
}

/** A parsed request or response body: the validated synapse and the raw Python dict. */
export interface ParsedBody<F> {
  synapse: Synapse<F>;
  raw: PyDict;
}

/** Decodes JSON text into a Python dict (throws {@link SynapseBodyError}). */
export function parseBodyDict(text: string): PyDict {
  let raw: PyValue;
  try {
    raw = parsePyJson(text);
  } catch (e) {
    throw new SynapseBodyError(`body is not JSON: ${(e as Error).message}`);
  }
  if (!(raw instanceof PyDict)) throw new SynapseBodyError("body is not a JSON object");
  return raw;
}

/** Validates a decoded body against the synapse schema (throws {@link SynapseBodyError}). */
export function synapseFromDict<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S>,
  raw: PyDict,
): Synapse<FieldsOf<S>> {
  return synapseFromJs(def, toJs(raw));
}

/**
 * Validates a decoded body already converted to JS values (`toJs`, or
 * {@link parseJsonToJs}) against the synapse schema (throws {@link SynapseBodyError}).
 */
export function synapseFromJs<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S>,
  value: unknown,
): Synapse<FieldsOf<S>> {
  const r = def.schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? issue.path.join(".") : "body";
    throw new SynapseBodyError(`invalid ${def.name} body: ${where}: ${issue.message}`);
  }
  return r.data;
}

/** Parses and validates a JSON body of class `def`. */
export function parseSynapseJson<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S>,
  text: string,
): ParsedBody<FieldsOf<S>> {
  const raw = parseBodyDict(text);
  return { synapse: synapseFromDict(def, raw), raw };
}
