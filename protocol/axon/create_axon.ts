/**
 * @module
 * `createAxon`: the axon as a Hono app, a chain of small middlewares in upstream order
 * (parse headers → blacklist → verify → priority → body → forward) with every `AxonError`
 * answered in one place.
 */
import { Hono } from "hono";
import { NonceStore } from "../nonce.ts";
import { defineSynapse } from "../synapse.ts";
import { uuid1 } from "../uuid1.ts";
import { AxonError } from "./axon_error.ts";
import { blacklist } from "./blacklist.ts";
import { body } from "./body.ts";
import { forward, internalError } from "./forward.ts";
import { Limiter } from "./limiter.ts";
import { parseHeaders } from "./parse_headers.ts";
import { priority } from "./priority.ts";
import { errorResponse } from "./respond.ts";
import { serveAxon, type ServeAxonOptions, type ServedAxon } from "./serve_axon.ts";
import {
  AXON_DEFAULTS,
  type AxonCore,
  type AxonEnv,
  type AxonOptions,
  type Route,
  type SynapseFieldsMap,
} from "./types.ts";
import { inlineVerifier } from "./verifier.ts";
import { verify } from "./verify.ts";

/** Upstream's default `Synapse` class: no fields, a verified echo ("ping"). */
export const PingSynapse = defineSynapse("Synapse", {});

/** A created axon. */
export interface Axon {
  /** The Hono app (`app.fetch` is the request handler). */
  app: Hono<AxonEnv>;
  /** The axon's hotkey ss58. */
  hotkey: string;
  /** The axon's instance uuid (uuid1). */
  uuid: string;
  /** Serves the app with `Deno.serve` (see {@link serveAxon}). */
  serve(opts?: ServeAxonOptions): ServedAxon;
  /** Releases the verifier (worker pool). */
  close(): void;
}

/**
 * Creates an axon.
 *
 * @example
 * ```ts ignore
 * const axon = createAxon({
 *   keypair,
 *   synapses: { CgSynapse: { schema: CgSynapse, forward: (s) => ({ cgp_output: [] }) } },
 * });
 * const served = axon.serve({ port: 8091 });
 * ```
 */
export function createAxon<T extends SynapseFieldsMap>(opts: AxonOptions<T>): Axon {
  const routes = new Map<string, Route>();
  if (opts.ping ?? AXON_DEFAULTS.ping) {
    routes.set("Synapse", { handler: { schema: PingSynapse, forward: () => {} } });
  }
  for (const [name, handler] of Object.entries(opts.synapses) as [string, Route["handler"]][]) {
    if (handler.schema.name !== name) {
      throw new Error(`synapse key ${name} differs from its schema name ${handler.schema.name}`);
    }
    routes.set(name, { handler });
  }
  const core: AxonCore = {
    keypair: opts.keypair,
    uuid: uuid1(),
    routes,
    limiter: new Limiter({
      maxConcurrency: opts.maxConcurrency ?? AXON_DEFAULTS.maxConcurrency,
      perHotkeyConcurrency: opts.perHotkeyConcurrency ?? AXON_DEFAULTS.perHotkeyConcurrency,
      maxQueuePerHotkey: opts.maxQueuePerHotkey ?? AXON_DEFAULTS.maxQueuePerHotkey,
    }),
    verifier: opts.verifier ?? inlineVerifier(),
    nonces: opts.nonceStore ?? new NonceStore(),
    maxBodyBytes: opts.maxBodyBytes ?? AXON_DEFAULTS.maxBodyBytes,
    blacklist: opts.blacklist,
    priority: opts.priority,
  };
  const app = new Hono<AxonEnv>();
  app.use("*", parseHeaders(core), blacklist(core), verify(core), priority(core), body(core));
  app.all("*", forward());
  app.onError((err, c) => {
    const e = err instanceof AxonError ? err : internalError("axon pipeline", err);
    return errorResponse(c, core.keypair, core.uuid, e.status, e.message);
  });
  return {
    app,
    hotkey: opts.keypair.ss58Address,
    uuid: core.uuid,
    serve: (serveOpts) => serveAxon(app, serveOpts),
    close: () => core.verifier.close(),
  };
}
