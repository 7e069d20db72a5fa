/**
 * @module
 * Middleware 5 of the axon: reads the body under a size cap (413), decodes it as JSON the way
 * Python does (400), checks the body hash against the signed `computed_body_hash` header (400;
 * upstream 500), validates it against the synapse schema (400) and requires the body's
 * `dendrite.hotkey` to be the verified one (400), so forward only ever sees a verified,
 * schema-valid synapse.
 */
import type { MiddlewareHandler } from "hono";
import { bodyHashOfBody, parseBodyDict, SynapseBodyError, synapseFromDict } from "../synapse.ts";
import { AxonError } from "./axon_error.ts";
import type { AxonCore, AxonEnv } from "./types.ts";

/** Reads at most `limit` bytes of a request body; throws 413 beyond. */
export async function readCapped(req: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = (n: string) =>
    new AxonError(413, `Request body too large: ${n} bytes exceeds the limit of ${limit} bytes`);
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(declared);
  if (!req.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(`more than ${limit}`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const ch of chunks) (out.set(ch, at), at += ch.length);
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Creates the body middleware.
 *
 * @example
 * ```ts ignore
 * app.use("*", body(core));
 * ```
 */
export function body(core: AxonCore): MiddlewareHandler<AxonEnv> {
  return async function body(c, next) {
    const def = c.get("route").handler.schema;
    const type = c.req.header("content-type");
    if (type && !/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type)) {
      throw new AxonError(415, `Unsupported content-type ${type}: the body must be JSON`);
    }
    const bytes = await readCapped(c.req.raw, core.maxBodyBytes);
    if (bytes.length === 0) {
      throw new AxonError(400, `Empty body: a ${def.name} JSON object is required`);
    }
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw new AxonError(400, "Invalid body: not UTF-8");
    }
    try {
      const raw = parseBodyDict(text);
      const headerHash = c.get("info").headers.computed_body_hash;
      const hash = bodyHashOfBody(def, raw);
      if (hash !== headerHash) {
        throw new AxonError(
          400,
          `Body hash mismatch: the body hashes to ${hash}, the signed header says ${headerHash}`,
        );
      }
      const synapse = synapseFromDict(def, raw);
      const hotkey = c.get("hotkey");
      if (synapse.dendrite.hotkey !== hotkey) {
        throw new AxonError(
          400,
          `Body dendrite.hotkey ${synapse.dendrite.hotkey} does not match the signed header hotkey ${hotkey}`,
        );
      }
      // echo the signed header nonce (exact digits), whatever form the body gave it in
      synapse.dendrite.nonce = c.get("info").headers.dendrite.nonce;
      c.set("body", synapse);
    } catch (e) {
      if (e instanceof SynapseBodyError) throw new AxonError(400, `Invalid body: ${e.message}`);
      throw e;
    }
    await next();
  };
}
