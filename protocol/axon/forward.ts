/**
 * @module
 * The last step of the axon: runs the synapse's forward function on the verified body synapse,
 * sets the returned fields, re-validates the answer against the schema and answers with the
 * whole synapse (upstream `synapse_to_response`). Exceptions other than `AxonError` become 500
 * `Internal Server Error #<id>` with the details only in the log.
 */
import type { Handler } from "hono";
import { logger } from "../../config/logging.ts";
import { AxonError } from "./axon_error.ts";
import { synapseResponse } from "./respond.ts";
import type { AxonEnv } from "./types.ts";

const log = logger("axon");

/** A 500 whose details go to the log under a fresh id, never to the caller. */
export function internalError(what: string, e: unknown): AxonError {
  const id = crypto.randomUUID();
  log.error("{what} failed (#{id}): {error}", {
    what,
    id,
    error: String((e as Error)?.stack ?? e),
  });
  return new AxonError(500, `Internal Server Error #${id}`);
}

/**
 * Creates the forward handler.
 *
 * @example
 * ```ts ignore
 * app.all("*", forward());
 * ```
 */
export function forward(): Handler<AxonEnv> {
  return async function forward(c) {
    const { handler } = c.get("route");
    const def = handler.schema;
    const synapse = c.get("body");
    let out: unknown;
    try {
      const raw = c.req.raw;
      const ctx = {
        hotkey: c.get("hotkey"),
        // read lazily: touching request.signal in Deno.serve has a cost (and a warning)
        get signal() {
          return raw.signal;
        },
      };
      out = await handler.forward(synapse, ctx);
    } catch (e) {
      if (e instanceof AxonError) throw e;
      throw internalError(`forward of ${def.name}`, e);
    }
    if (out !== undefined && out !== null) {
      if (typeof out !== "object") {
        throw internalError(
          `forward of ${def.name}`,
          new TypeError("forward returned a non-object"),
        );
      }
      for (const [k, v] of Object.entries(out)) {
        if (k in def.fields) synapse[k] = v;
      }
    }
    const checked = def.schema.safeParse(synapse);
    if (!checked.success) {
      throw internalError(
        `forward of ${def.name}`,
        new Error(`answer fails the schema: ${checked.error.message}`),
      );
    }
    const answer = { ...checked.data, axon: synapse.axon, dendrite: synapse.dendrite };
    const status = answer.axon.status_code;
    if (status !== null && !(Number.isInteger(status) && status >= 200 && status <= 599)) {
      throw internalError(`forward of ${def.name}`, new Error(`bad status code ${status}`));
    }
    return synapseResponse(def, answer, c.get("start"));
  };
}
