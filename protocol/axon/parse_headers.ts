/**
 * @module
 * Middleware 1 of the axon: finds the synapse class from the path (`/{Name}`, 404 with
 * upstream's message when unknown), parses the bt headers (400 naming the bad header, where
 * upstream answers 500), and fills in the axon terminal (version, uuid, nonce, peer ip/port).
 */
import type { MiddlewareHandler } from "hono";
import { HeaderError, parseSynapseHeaders } from "../headers.ts";
import type { SynapseBase } from "../synapse.ts";
import { AxonError } from "./axon_error.ts";
import { stampAxonTerminal } from "./respond.ts";
import type { AxonCore, AxonEnv } from "./types.ts";

/** Python's `str(list_of_str)`, for the "Available synapses [...]" message. */
function pyList(names: string[]): string {
  return `[${names.map((n) => `'${n.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`).join(", ")}]`;
}

/**
 * Creates the header-parsing middleware.
 *
 * @example
 * ```ts ignore
 * app.use("*", parseHeaders(core));
 * ```
 */
export function parseHeaders(core: AxonCore): MiddlewareHandler<AxonEnv> {
  return async function parseHeaders(c, next) {
    c.set("start", performance.now());
    const name = new URL(c.req.url).pathname.split("/")[1] ?? "";
    const route = core.routes.get(name);
    if (!route) {
      throw new AxonError(
        404,
        `Synapse name '${name}' not found. Available synapses ${pyList([...core.routes.keys()])}`,
      );
    }
    if (c.req.method !== "POST" && c.req.method !== "GET") {
      throw new AxonError(405, "Method Not Allowed");
    }
    let parsed;
    try {
      // The axon builds its synapse from the body; input_obj headers (which upstream decodes
      // and skips when undecodable) carry nothing it uses, so terminal headers are read by name.
      parsed = parseSynapseHeaders(c.req.raw.headers, { inputObj: false });
    } catch (e) {
      if (e instanceof HeaderError) throw new AxonError(400, `Invalid headers: ${e.message}`);
      throw e;
    }
    const s: SynapseBase = {
      name,
      timeout: parsed.timeout ?? 12.0,
      total_size: parsed.total_size ?? 0,
      header_size: parsed.header_size ?? 0,
      dendrite: parsed.dendrite,
      axon: parsed.axon,
      computed_body_hash: parsed.computed_body_hash ?? "",
    };
    stampAxonTerminal(s, core.uuid);
    const peer = (c.env as { remoteAddr?: { hostname?: string; port?: number } } | undefined)
      ?.remoteAddr;
    if (peer?.hostname) s.dendrite.ip = peer.hostname;
    if (peer?.port) s.dendrite.port = peer.port;
    c.set("route", route);
    c.set("headerSynapse", s);
    c.set("info", { name, hotkey: parsed.dendrite.hotkey, headers: parsed });
    await next();
  };
}
