/**
 * @module
 * Builds the axon's answers in one place: errors as upstream's `create_error_response`
 * (`{"message": ...}`, status, bt headers of the header-derived synapse, axon-signed) and
 * successes as upstream's `synapse_to_response` (full synapse JSON echoing every field,
 * `axon.status_code` 200/"Success", `process_time`, headers recomputed over the answer).
 */
import type { Context } from "hono";
import type { Signer } from "../../wallet/keypair.ts";
import { EMPTY_BODY_HASH } from "../body_hash.ts";
import { synapseHeaders } from "../headers.ts";
import { signToHex } from "../signature.ts";
import {
  bodyHashOf,
  type FieldSpec,
  type Synapse,
  type SynapseBase,
  type SynapseDef,
  synapseToJson,
} from "../synapse.ts";
import { blankTerminal } from "../terminal_info.ts";
import { VERSION_AS_INT } from "../version.ts";
import { nowNs } from "../nonce.ts";
import type { AxonEnv } from "./types.ts";

/** Seconds since `start` (a `performance.now()` value). */
export function elapsedSeconds(start: number): number {
  return (performance.now() - start) / 1000;
}

/** The header synapse of a request whose headers could not be used: upstream's blank `Synapse()`. */
export function blankSynapseBase(): SynapseBase {
  return {
    name: "Synapse",
    timeout: 12.0,
    total_size: 0,
    header_size: 0,
    dendrite: blankTerminal(),
    axon: blankTerminal(),
    computed_body_hash: "",
  };
}

/** Fills the axon terminal as upstream `preprocess` does (signature added when answering). */
export function stampAxonTerminal(s: SynapseBase, uuid: string): void {
  s.axon.version = VERSION_AS_INT;
  s.axon.uuid = uuid;
  s.axon.nonce = nowNs();
  s.axon.status_code = 100;
}

/** The error answer for `status`/`message`, built from the header-derived synapse. */
export function errorResponse(
  c: Context<AxonEnv>,
  keypair: Signer,
  uuid: string,
  status: number,
  message: string,
): Response {
  const s = c.get("headerSynapse") ?? blankSynapseBase();
  if (s.axon.uuid === null) stampAxonTerminal(s, uuid);
  s.axon.status_code = status;
  s.axon.status_message = message;
  s.axon.process_time = elapsedSeconds(c.get("start") ?? performance.now());
  if (s.axon.signature === null) {
    const py = (v: unknown) => (v === null || v === undefined ? "None" : String(v));
    const msg = `${py(s.axon.nonce)}.${py(s.dendrite.hotkey)}.${py(s.axon.hotkey)}.${
      py(s.axon.uuid)
    }`;
    s.axon.signature = signToHex(keypair, msg);
  }
  const headers = synapseHeaders(null, s, { bodyHash: EMPTY_BODY_HASH });
  const body = JSON.stringify({ message });
  return new Response(body, {
    status,
    headers: { ...headers, "content-type": "application/json" },
  });
}

/** The success (or forward-chosen status) answer echoing the whole synapse. */
export function synapseResponse<S extends Record<string, FieldSpec<unknown>>>(
  def: SynapseDef<S>,
  s: Synapse<Record<string, unknown>>,
  start: number,
): Response {
  if (s.axon.status_code === null) s.axon.status_code = 200;
  if (s.axon.status_code === 200 && !s.axon.status_message) s.axon.status_message = "Success";
  s.axon.process_time = elapsedSeconds(start);
  // deno-lint-ignore no-explicit-any
  const typed = s as any;
  const body = synapseToJson(def, typed);
  const headers = synapseHeaders(def, s, {
    bodyHash: def.hashFields.length ? bodyHashOf(def, typed) : EMPTY_BODY_HASH,
    totalSize: s.total_size ?? 0,
  });
  return new Response(body, {
    status: s.axon.status_code,
    headers: { ...headers, "content-type": "application/json" },
  });
}
