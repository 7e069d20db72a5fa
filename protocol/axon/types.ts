/**
 * @module
 * Types shared by the axon middlewares: the options of {@link ../axon/create_axon.ts createAxon},
 * the per-synapse handlers, and the per-request state the middlewares pass along.
 */
import type { Signer } from "../../wallet/keypair.ts";
import type { HeaderSynapse } from "../headers.ts";
import type { NonceStore } from "../nonce.ts";
import type { FieldsOf, FieldSpec, Synapse, SynapseBase, SynapseDef } from "../synapse.ts";
import type { Limiter } from "./limiter.ts";
import type { Verifier } from "./verifier.ts";

/** What a blacklist decides: `true`/`[true, reason]`/`{blacklisted: true, reason}` refuses. */
export type BlacklistResult =
  | boolean
  | readonly [boolean, string]
  | { blacklisted: boolean; reason?: string };

/** What blacklist and priority functions see: the request as its (signed) headers say. */
export interface RequestInfo {
  /** The synapse class name (route). */
  name: string;
  /** `bt_header_dendrite_hotkey`; `null` when missing (verification then refuses it). */
  hotkey: string | null;
  /** The synapse parsed from the headers (no body yet). */
  headers: HeaderSynapse;
}

/** Passed to a forward function next to the synapse. */
export interface ForwardContext {
  /** The verified hotkey of the caller (equals `synapse.dendrite.hotkey`). */
  hotkey: string;
  /** Aborted when the caller goes away. */
  signal: AbortSignal;
}

/** How the axon answers one synapse class. */
export interface SynapseHandler<S extends Record<string, FieldSpec<unknown>>> {
  /** The synapse class (from `defineSynapse`), e.g. `CgSynapse`. */
  schema: SynapseDef<S>;
  /**
   * Computes the answer: receives the verified, schema-valid synapse and returns the fields to
   * set (e.g. `{ cgp_output: [...] }`). It may also set `synapse.axon.status_code` and
   * `status_message` to answer with another status (echoing the synapse), or throw
   * `AxonError` for an error answer; any other exception gives 500 "Internal Server Error #id".
   */
  forward(
    synapse: Synapse<FieldsOf<S>>,
    ctx: ForwardContext,
  ): Partial<FieldsOf<S>> | void | Promise<Partial<FieldsOf<S>> | void>;
  /** Refuses callers (403) before verification; overrides the axon-wide blacklist. */
  blacklist?(req: RequestInfo): BlacklistResult | Promise<BlacklistResult>;
  /** Orders waiting requests (higher first); overrides the axon-wide priority. */
  priority?(req: RequestInfo): number | Promise<number>;
}

/** Builds a handler with its type inferred from the schema. */
export function handler<S extends Record<string, FieldSpec<unknown>>>(
  h: SynapseHandler<S>,
): SynapseHandler<S> {
  return h;
}

/** Field declarations of each synapse an axon serves, by class name. */
export type SynapseFieldsMap = Record<string, Record<string, FieldSpec<unknown>>>;

/** Options of `createAxon`. Defaults are listed in {@link AXON_DEFAULTS}. */
// deno-lint-ignore no-explicit-any
export interface AxonOptions<T extends SynapseFieldsMap = any> {
  /** The axon's hotkey: dendrites sign for it; it signs error answers. */
  keypair: Signer;
  /** Handlers by synapse class name (must equal `schema.name`); each forward is typed. */
  synapses: { [K in keyof T]: SynapseHandler<T[K]> };
  /** Largest accepted request body (413 above). */
  maxBodyBytes?: number;
  /** Requests in forward at once per hotkey. */
  perHotkeyConcurrency?: number;
  /** Requests in forward at once overall. */
  maxConcurrency?: number;
  /** Requests of one hotkey that may wait for a slot (429 above). */
  maxQueuePerHotkey?: number;
  /** Axon-wide blacklist (a handler's own blacklist wins). */
  blacklist?(req: RequestInfo): BlacklistResult | Promise<BlacklistResult>;
  /** Axon-wide priority by hotkey, e.g. stake (a handler's own priority wins). */
  priority?(hotkey: string): number;
  /** How signatures are verified: in-thread by default, or `createVerifyPool(n)`. */
  verifier?: Verifier;
  /** The nonce store (one per axon by default). */
  nonceStore?: NonceStore;
  /** Serve upstream's default `/Synapse` ping route (verified echo). */
  ping?: boolean;
}

/** The defaults of the optional {@link AxonOptions}. */
export const AXON_DEFAULTS = {
  maxBodyBytes: 8 * 1024 * 1024,
  perHotkeyConcurrency: 4,
  maxConcurrency: 64,
  maxQueuePerHotkey: 16,
  ping: true,
} as const;

/** A registered synapse route. */
export interface Route {
  // deno-lint-ignore no-explicit-any
  handler: SynapseHandler<any>;
}

/** The axon's fixed parts every middleware may need. */
export interface AxonCore {
  keypair: Signer;
  uuid: string;
  routes: Map<string, Route>;
  limiter: Limiter;
  verifier: Verifier;
  nonces: NonceStore;
  maxBodyBytes: number;
  blacklist?: AxonOptions["blacklist"];
  priority?: AxonOptions["priority"];
}

/** Per-request state passed between middlewares (Hono variables). */
export interface AxonVariables {
  /** `performance.now()` when the request arrived. */
  start: number;
  /** The route of the request. */
  route: Route;
  /** The synapse as the headers say, with the axon terminal filled in (for error answers). */
  headerSynapse: SynapseBase;
  /** The parsed headers. */
  info: RequestInfo;
  /** The verified hotkey. */
  hotkey: string;
  /** The verified, schema-valid body synapse. */
  // deno-lint-ignore no-explicit-any
  body: Synapse<any>;
}

/** The Hono environment of the axon app. */
export interface AxonEnv {
  Variables: AxonVariables;
}
