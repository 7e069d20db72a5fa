/**
 * @module
 * The bittensor wire protocol (axon, dendrite, synapse), wire-compatible with the Python SDK
 * (see `docs/protocol.md` and `../shared/reference/bittensor-wire.md`).
 *
 * ## Synapses
 * A synapse class is declared with its Python field types; `CgSynapse` is subnet 33's:
 *
 * ```ts ignore
 * import { CgSynapse, createSynapse, defineSynapse, field, py } from "./mod.ts";
 * const s = createSynapse(CgSynapse, { cgp_input: [{ guid: 1 }] }); // Synapse<CgFields>
 * const Other = defineSynapse("Other", { q: field.required(py.str) }, { requiredHashFields: ["q"] });
 * ```
 *
 * ## Axon (server)
 * ```ts ignore
 * import { CgSynapse, createAxon } from "./mod.ts";
 * const axon = createAxon({
 *   keypair,                                   // a Signer (wallet/keypair.ts Keypair)
 *   synapses: {
 *     CgSynapse: {
 *       schema: CgSynapse,
 *       forward: async (synapse, { hotkey, signal }) => ({ cgp_output: [{ tags: [] }] }),
 *       blacklist: ({ hotkey }) => [!registered(hotkey), "not registered"],   // optional
 *       priority: ({ hotkey }) => stakeOf(hotkey),                           // optional
 *     },
 *   },
 *   maxBodyBytes: 8 << 20,        // 413 above (default 8 MiB)
 *   perHotkeyConcurrency: 4,      // per-hotkey forward slots (default 4)
 *   maxConcurrency: 64,           // all hotkeys (default 64)
 *   maxQueuePerHotkey: 16,        // waiting per hotkey before 429 (default 16)
 *   priority: (hotkey) => stakeOf(hotkey), // axon-wide priority (higher first)
 *   blacklist: (req) => false,    // axon-wide blacklist
 *   verifier: createVerifyPool(2), // optional: verify sr25519 in Web Workers
 * });
 * const served = axon.serve({ port: 8091, hostname: "0.0.0.0" }); // Deno.serve
 * // axon.app is the Hono app (axon.app.fetch for tests); served.shutdown() stops it.
 * ```
 * The pipeline is parse headers → blacklist → verify → priority → body → forward, each a
 * middleware in `axon/`; any `AxonError(status, message)` becomes `{"message": ...}` with bt
 * headers. The forward receives a verified, schema-valid synapse and returns the fields to set.
 *
 * ## Dendrite (client)
 * ```ts ignore
 * import { CgSynapse, Dendrite } from "./mod.ts";
 * const dendrite = new Dendrite({ keypair, externalIp: "203.0.113.7" });
 * const answers = await dendrite.query(
 *   [{ ip: "198.51.100.20", port: 8091, hotkey: "5F..." }], CgSynapse,
 *   { cgp_input: [...] }, { timeout: 12 },
 * );
 * for (const a of answers) a.dendrite.status_code === 200 ? use(a.cgp_output) : log(a.dendrite.status_message);
 * ```
 */
export { type CgFields, type CgInput, CgSynapse, type CgSynapseValue } from "./cg_synapse.ts";
export {
  bodyHashOf,
  bodyHashOfBody,
  createSynapse,
  defineSynapse,
  field,
  type FieldsOf,
  type FieldSpec,
  hashFieldStrings,
  type InputOf,
  parseSynapseJson,
  type Synapse,
  type SynapseBase,
  SynapseBodyError,
  type SynapseDef,
  synapseFieldsJson,
  synapseHeadJson,
  synapseToJson,
} from "./synapse.ts";
export { EncodedInput, encodedInputFromJson, encodeInput } from "./encoded_input.ts";
export { blankTerminal, type TerminalInfo, terminalInfoSchema } from "./terminal_info.ts";
export { py, type PyType } from "./py_types.ts";
export { pyFloatRepr, pyStr, pyStrRepr } from "./python_str.ts";
export { parsePyJson } from "./py_json.ts";
export { bodyHashOfStrings, EMPTY_BODY_HASH, sha3Hex } from "./body_hash.ts";
export {
  HeaderError,
  type HeaderSynapse,
  inputObjHeaderValue,
  parseSynapseHeaders,
  synapseHeaders,
} from "./headers.ts";
export {
  decodeSignatureHex,
  signatureMessage,
  signToHex,
  verifyHexSignature,
} from "./signature.ts";
export {
  ALLOWED_DELTA_NS,
  allowedNonceWindowNs,
  NANOSECONDS_IN_SECOND,
  NonceClock,
  NonceError,
  NonceStore,
  nowNs,
} from "./nonce.ts";
export { V_7_2_0, VERSION_AS_INT, versionAsInt } from "./version.ts";
export { uuid1 } from "./uuid1.ts";
export { type Axon, createAxon, PingSynapse } from "./axon/create_axon.ts";
export { serveAxon, type ServeAxonOptions, type ServedAxon } from "./axon/serve_axon.ts";
export { AxonError } from "./axon/axon_error.ts";
export {
  AXON_DEFAULTS,
  type AxonOptions,
  type BlacklistResult,
  type ForwardContext,
  handler,
  type RequestInfo,
  type SynapseHandler,
} from "./axon/types.ts";
export { createVerifyPool, inlineVerifier, type Verifier } from "./axon/verifier.ts";
export { Limiter, type LimiterOptions } from "./axon/limiter.ts";
export {
  type AxonTarget,
  Dendrite,
  type DendriteOptions,
  hostPort,
  type QueryOptions,
} from "./dendrite/dendrite.ts";
export { type CallFailure, failureStatus } from "./dendrite/status_map.ts";
