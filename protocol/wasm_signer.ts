/**
 * @module
 * A {@link Signer} that signs in wasm (`@polkadot/wasm-crypto`), for hot paths such as load
 * generators; it derives the same key as `Keypair.fromSeed`.
 */
import { sr25519KeypairFromSeed, sr25519Sign } from "@polkadot/wasm-crypto";
import { type Signer, ss58Encode } from "../wallet/keypair.ts";
import { sr25519WasmReady } from "./sr25519_wasm.ts";

const enc = new TextEncoder();

/** A {@link Signer} signing in wasm, from a 32-byte mini-secret (`secretSeed`); for hot paths
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
