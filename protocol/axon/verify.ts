/**
 * @module
 * Middleware 3 of the axon: upstream `default_verify` on the header synapse (nonce rules, then
 * the sr25519 signature over `nonce.dendriteHotkey.axonHotkey.uuid.bodyHash`, where the axon
 * hotkey is our own), answering 401 `Not Verified with error: {detail}`. Stricter than
 * upstream: a missing or empty signature is refused instead of skipped.
 */
import type { MiddlewareHandler } from "hono";
import { ss58Decode } from "../../wallet/keypair.ts";
import { NonceError } from "../nonce.ts";
import { decodeSignatureHex, SignatureFormatError, signatureMessage } from "../signature.ts";
import { AxonError } from "./axon_error.ts";
import type { AxonCore, AxonEnv } from "./types.ts";

const enc = new TextEncoder();

// Decoding an ss58 address costs a blake2b checksum; hotkeys repeat, so keep the last few.
const publicKeys = new Map<string, Uint8Array>();
function publicKeyOf(hotkey: string): Uint8Array {
  let pk = publicKeys.get(hotkey);
  if (!pk) {
    pk = ss58Decode(hotkey);
    if (publicKeys.size >= 4096) publicKeys.delete(publicKeys.keys().next().value!);
    publicKeys.set(hotkey, pk);
  }
  return pk;
}

const notVerified = (detail: string) => new AxonError(401, `Not Verified with error: ${detail}`);

/**
 * Creates the verification middleware.
 *
 * @example
 * ```ts ignore
 * app.use("*", verify(core));
 * ```
 */
export function verify(core: AxonCore): MiddlewareHandler<AxonEnv> {
  return async function verify(c, next) {
    const s = c.get("headerSynapse");
    const d = c.get("info").headers.dendrite;
    const hotkey = d.hotkey;
    if (!hotkey) throw notVerified("No SS58 formatted address or public key provided.");
    let publicKey: Uint8Array;
    try {
      publicKey = publicKeyOf(hotkey);
    } catch (e) {
      throw notVerified((e as Error).message);
    }
    const nonceReq = {
      hotkey,
      uuid: d.uuid,
      nonce: d.nonce,
      version: d.version,
      timeout: c.get("info").headers.timeout,
    };
    const message = signatureMessage({
      nonce: d.nonce ?? 0n,
      dendriteHotkey: hotkey,
      axonHotkey: core.keypair.ss58Address,
      uuid: d.uuid,
      bodyHash: c.get("info").headers.computed_body_hash,
    });
    try {
      core.nonces.check(nonceReq);
      if (!d.signature) throw new Error("Missing signature");
      const sig = decodeSignatureHex(d.signature);
      const ok = sig.length === 64 &&
        await core.verifier.verify(enc.encode(message), sig, publicKey);
      if (!ok) throw new Error(`Signature mismatch with ${message} and ${d.signature}`);
      core.nonces.commit(nonceReq);
    } catch (e) {
      if (e instanceof NonceError || e instanceof SignatureFormatError || e instanceof Error) {
        throw notVerified(e.message);
      }
      throw e;
    }
    c.set("hotkey", hotkey);
    s.dendrite.hotkey = hotkey;
    await next();
  };
}
