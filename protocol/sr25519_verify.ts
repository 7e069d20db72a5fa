/**
 * @module
 * The axon's sr25519 verifier: schnorrkel compiled to wasm by `@polkadot-labs/schnorrkel-wasm`,
 * about 1.5–2x faster per verification than `@polkadot/wasm-crypto` here and half its memory,
 * which matters because verification bounds an axon's throughput. Same semantics as
 * `sr25519_wasm.ts` (context `substrate`, raw message, then the `<Bytes>…</Bytes>` fallback).
 *
 * That module panics (a wasm trap, with a console message) on a signature without schnorrkel's
 * marker bit, a non-canonical scalar, or a public key that is not a ristretto255 point, and a
 * trap can leave a wasm instance's stack unbalanced. Those inputs come from the network, so
 * they are checked here first and answered `false` (what wasm-crypto answers) without reaching
 * the wasm; public keys are checked once (pure-JS ristretto255 decoding) and remembered.
 */
import { ristretto255 } from "@noble/curves/ed25519.js";
import { bytesWrapped } from "./bytes_wrap.ts";

type VerifyFn = (pubkey: Uint8Array, msg: Uint8Array, signature: Uint8Array) => boolean;
let wasmVerify: VerifyFn | null = null;
let ready: Promise<void> | undefined;

/** Loads the wasm once. */
export function sr25519VerifierReady(): Promise<void> {
  ready ??= import("@polkadot-labs/schnorrkel-wasm").then((m) => {
    wasmVerify = m.sr25519_verify;
  });
  return ready;
}

/** The group order ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian. */
export const GROUP_ORDER_LE: Uint8Array = Uint8Array.from(
  ("edd3f55c1a631258d69cf7a2def9de14" + "00".repeat(15) + "10").match(/../g)!,
  (h) => parseInt(h, 16),
);

/**
 * Whether schnorrkel's `Signature::from_bytes` accepts the signature: the marker bit is set,
 * and the scalar (marker cleared) is canonical whenever its top nibble is not zero.
 */
export function signatureWellFormed(signature: Uint8Array): boolean {
  if (signature.length !== 64 || (signature[63] & 0x80) === 0) return false;
  const top = signature[63] & 0x7f;
  if ((top & 0xf0) === 0) return true;
  for (let i = 31; i >= 0; i--) {
    const b = i === 31 ? top : signature[32 + i];
    if (b !== GROUP_ORDER_LE[i]) return b < GROUP_ORDER_LE[i];
  }
  return false; // equal to ℓ
}

const validKeys = new Set<string>();
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** Whether `publicKey` decodes as a ristretto255 point (remembered for the last 4096 keys). */
export function publicKeyWellFormed(publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32) return false;
  const key = hex(publicKey);
  if (validKeys.has(key)) return true;
  try {
    ristretto255.Point.fromBytes(publicKey);
  } catch {
    return false;
  }
  if (validKeys.size >= 4096) validKeys.delete(validKeys.values().next().value!);
  validKeys.add(key);
  return true;
}

/**
 * Verifies `signature` (64 bytes) of `message` by `publicKey` (32 bytes), then the
 * `<Bytes>`-wrapped message. Call {@link sr25519VerifierReady} once first.
 *
 * @example
 * ```ts ignore
 * await sr25519VerifierReady();
 * sr25519VerifyMessage(msg, sig, pub); // true or false
 * ```
 */
export function sr25519VerifyMessage(
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  const verify = wasmVerify;
  if (!verify) throw new Error("sr25519 verifier not loaded: await sr25519VerifierReady() first");
  if (!signatureWellFormed(signature) || !publicKeyWellFormed(publicKey)) return false;
  if (verify(publicKey, message, signature)) return true;
  return verify(publicKey, bytesWrapped(message), signature);
}
