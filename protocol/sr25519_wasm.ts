/**
 * @module
 * sr25519 through `@polkadot/wasm-crypto` (schnorrkel compiled to wasm): several times faster
 * than the pure-JS verifier `@polkadot/util-crypto` 14 uses, which matters because signature
 * verification bounds an axon's throughput. Same semantics as `wallet/keypair.ts`: context
 * `substrate`, raw message bytes, and the `<Bytes>…</Bytes>` fallback on verify.
 */
import {
  isReady,
  sr25519KeypairFromSeed,
  sr25519Sign,
  sr25519Verify,
  waitReady,
} from "@polkadot/wasm-crypto";
import type { Signer } from "../wallet/keypair.ts";
import { ss58Encode } from "../wallet/keypair.ts";

let ready: Promise<boolean> | undefined;

/** Loads the wasm once. */
export function sr25519WasmReady(): Promise<boolean> {
  ready ??= waitReady();
  return ready;
}

const enc = new TextEncoder();
const OPEN = enc.encode("<Bytes>");
const CLOSE = enc.encode("</Bytes>");

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
  const wrapped = new Uint8Array(OPEN.length + message.length + CLOSE.length);
  wrapped.set(OPEN, 0);
  wrapped.set(message, OPEN.length);
  wrapped.set(CLOSE, OPEN.length + message.length);
  return sr25519Verify(signature, wrapped, publicKey);
}

/**
 * A {@link Signer} signing in wasm, from a 32-byte mini-secret (`secretSeed`); for hot paths
 * such as load generators. Derives the same key as `Keypair.fromSeed`.
 */
export class WasmSigner implements Signer {
  readonly ss58Address: string;
  readonly publicKey: Uint8Array;
  readonly #secret: Uint8Array;

  private constructor(pair: Uint8Array) {
    this.#secret = pair.slice(0, 64);
    this.publicKey = pair.slice(64, 96);
    this.ss58Address = ss58Encode(this.publicKey);
  }

  /** From a 32-byte mini-secret. */
  static async fromSeed(seed: Uint8Array): Promise<WasmSigner> {
    await sr25519WasmReady();
    if (seed.length !== 32) throw new Error(`seed must be 32 bytes, got ${seed.length}`);
    return new WasmSigner(sr25519KeypairFromSeed(seed));
  }

  sign(message: Uint8Array | string): Uint8Array {
    const m = typeof message === "string" ? enc.encode(message) : message;
    return sr25519Sign(this.publicKey, this.#secret, m);
  }
}
