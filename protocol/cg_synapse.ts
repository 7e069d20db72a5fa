/**
 * @module
 * `CgSynapse`, exactly as subnet 33 declares it: `cgp_input: list[dict]` (required),
 * `cgp_output: Optional[list[dict]] = None`, `time_elapsed: int = 0`, and no hash fields (so its
 * body hash is always SHA3-256("")).
 */
import { py } from "./py_types.ts";
import { defineSynapse, field, type FieldsOf, type InputOf, type Synapse } from "./synapse.ts";

const cgFields = {
  cgp_input: field.required(py.list(py.dict())),
  cgp_output: field.optional(py.optional(py.list(py.dict())), null),
  time_elapsed: field.optional(py.int, 0),
};

/** The `CgSynapse` class declaration (route `/CgSynapse`). */
export const CgSynapse = defineSynapse("CgSynapse", cgFields);

/** The subclass fields of a `CgSynapse`. */
export type CgFields = FieldsOf<typeof cgFields>;

/** What a caller gives to build a `CgSynapse` (only `cgp_input` is required). */
export type CgInput = InputOf<typeof cgFields>;

/** A full `CgSynapse` (base fields + subclass fields). */
export type CgSynapseValue = Synapse<CgFields>;
