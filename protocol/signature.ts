/**
 * @module
 * The request signature (bittensor-wire.md §3.1): sr25519, context `substrate`, over the raw
 * UTF-8 bytes of `"{nonce}.{dendriteHotkey}.{axonHotkey}.{uuid}.{bodyHash}"`, sent as `0x` +
 * 128 lowercase hex chars. Verification accepts the `<Bytes>…</Bytes>` wrapped form too.
 */
import { type Signer, verifySignatureSync } from "../wallet/keypair.ts";

/** The parts of a signed request message. */
export interface SignedParts {
  nonce: bigint;
  dendriteHotkey: string;
  axonHotkey: string;
  uuid: string | null;
  /** The `computed_body_hash` header; `null` prints as Python's `None`. */
  bodyHash: string | null;
}

/**
 * The message the dendrite signs and the axon verifies.
 *
 * @example
 * ```ts
 * import { signatureMessage } from "./signature.ts";
 * signatureMessage({ nonce: 1n, dendriteHotkey: "5D", axonHotkey: "5A", uuid: "u", bodyHash: "h" });
 * // "1.5D.5A.u.h"
 * ```
 */
export function signatureMessage(p: SignedParts): string {
  return `${p.nonce}.${p.dendriteHotkey}.${p.axonHotkey}.${p.uuid ?? "None"}.${
    p.bodyHash ?? "None"
  }`;
}

const HEX = "0123456789abcdef";

/** `0x` + lowercase hex of bytes. */
export function toHex0x(bytes: Uint8Array): string {
  let s = "0x";
  for (const b of bytes) s += HEX[b >> 4] + HEX[b & 15];
  return s;
}

/** Signs `message` (UTF-8) and returns the `0x`-hex header value. */
export function signToHex(signer: Signer, message: string): string {
  return toHex0x(signer.sign(message));
}

/** Raised for a signature header that is not `0x` + hex. */
export class SignatureFormatError extends Error {
  override name = "SignatureFormatError";
}

/** Decodes a `0x`-hex signature; the error message is upstream's for a non-hex value. */
export function decodeSignatureHex(sig: string): Uint8Array {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(sig)) {
    throw new SignatureFormatError("Invalid signature format. Expected hex string.");
  }
  const out = new Uint8Array((sig.length - 2) / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(sig.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

/** Verifies a `0x`-hex signature of `message` by the ss58 `hotkey` (with the `<Bytes>` form). */
export function verifyHexSignature(message: string, sigHex: string, hotkey: string): boolean {
  return verifySignatureSync(message, decodeSignatureHex(sigHex), hotkey);
}
