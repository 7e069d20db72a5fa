/**
 * @module
 * A synapse input checked, written as JSON and hashed once, so that one input sent to several
 * axons (a validator's task to each of its sampled miners) pays that work once: a dendrite then
 * writes only the base fields (nonce, axon, signature, sizes) per request. Light on imports, so
 * the validator's main thread can encode a task and hand the text to the actors that send it.
 */
import { EMPTY_BODY_HASH } from "./body_hash.ts";
import { parsePyJson } from "./py_json.ts";
import type { PyDict } from "./py_value.ts";
import {
  bodyHashOfBody,
  createSynapse,
  type FieldsOf,
  type FieldSpec,
  type InputOf,
  type Synapse,
  type SynapseDef,
  synapseFieldsJson,
} from "./synapse.ts";

/**
 * An input of synapse class `def`, ready to send. Its field values are shared by every request
 * built from it and must not be changed. Build with {@link encodeInput} (or, for text written
 * by it in another isolate, {@link encodedInputFromJson}).
 */
export class EncodedInput<S extends Record<string, FieldSpec<unknown>>> {
  /** Use {@link encodeInput} or {@link encodedInputFromJson}. */
  constructor(
    /** The synapse class. */
    readonly def: SynapseDef<S>,
    /** The checked synapse, base fields at their defaults. */
    readonly synapse: Synapse<FieldsOf<S>>,
    /** {@link synapseFieldsJson} of it: the tail of every request body. */
    readonly fieldsJson: string,
    /** The body hash: it covers only hash fields, so it is the same for every request. */
    readonly bodyHash: string,
  ) {}
}

/** The body hash of a fields part: hash fields are subclass fields, so the rest of the body never changes it. */
function fieldsBodyHash<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S>,
  fieldsJson: string,
): string {
  // In a whole body a repeated key keeps its last value, which is the subclass field's: the
  // fields part alone gives the same hash field values.
  return def.hashFields.length
    ? bodyHashOfBody(def, parsePyJson(`{${fieldsJson.slice(1)}}`) as PyDict)
    : EMPTY_BODY_HASH;
}

/**
 * Checks `input` against `def` (throws a zod error naming the field, as {@link createSynapse}
 * does), writes its fields as JSON and computes the body hash.
 */
export function encodeInput<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S>,
  input: InputOf<S>,
): EncodedInput<S> {
  const synapse = createSynapse(def, input);
  const fieldsJson = synapseFieldsJson(def, synapse);
  return new EncodedInput(def, synapse, fieldsJson, fieldsBodyHash(def, fieldsJson));
}

/**
 * The {@link EncodedInput} for `fieldsJson`, the {@link EncodedInput.fieldsJson} that
 * {@link encodeInput} wrote for class `def` in another isolate. The text is sent as it is; its
 * values are read back (plain `JSON.parse`) and checked against `def` only for the local copy of
 * the synapse a call returns.
 */
export function encodedInputFromJson<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S>,
  fieldsJson: string,
): EncodedInput<S> {
  const values = fieldsJson ? JSON.parse(`{${fieldsJson.slice(1)}}`) : {};
  return new EncodedInput(
    def,
    createSynapse(def, values),
    fieldsJson,
    fieldsBodyHash(def, fieldsJson),
  );
}
