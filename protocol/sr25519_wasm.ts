/**
 * @module
 * sr25519 through `@polkadot/wasm-crypto` (schnorrkel compiled to wasm): several times faster
 * than the pure-JS verifier `@polkadot/util-crypto` 14 uses, which matters because signature
 * verification bounds an axon's throughput. Same semantics as `wallet/keypair.ts`: context
 * `substrate`, raw message bytes, and the `<Bytes>…</Bytes>` fallback. Imports nothing else, so
 * verify workers stay small.
 */
import { isReady, sr25519Verify, waitReady } from "@polkadot/wasm-crypto";
import { bytesWrapped } from "./bytes_wrap.ts";

let ready: Promise<boolean> | undefined;

/** Loads the wasm once. */
export function sr25519WasmReady(): Promise<boolean> {
  ready ??= waitReady();
  return ready;
}

/**
 * Verifies `signature` (64 bytes) of `message` by `publicKey` (32 bytes), then the
 * `<Bytes>`-wrapped message. Call {@link sr25519WasmReady} once first.
 *
 * @example
 * ```ts ignore
 * await sr25519WasmReady();
 * sr25519WasmVerify(msg, sig, pub); // true or false
 * ```
 */
export function sr25519WasmVerify(
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (!isReady()) throw new Error("sr25519 wasm not loaded: await sr25519WasmReady() first");
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  if (sr25519Verify(signature, message, publicKey)) return true;
  return sr25519Verify(signature, bytesWrapped(message), publicKey);
}
