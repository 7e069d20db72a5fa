/**
 * @module
 * sr25519 signing in the project's own wasm module (`sr25519_sign.wasm`, built from
 * `sr25519_sign/`: schnorrkel's signature with curve25519-dalek's precomputed basepoint table).
 * Every request a dendrite sends is signed, so this is on the validator's hot path: it signs in
 * about 60 µs where `@polkadot-labs/schnorrkel-wasm` takes about 100 µs and `@polkadot/wasm-crypto`
 * about 200 µs. Signatures are the same kind (context `substrate`, randomised nonce) and verify
 * with any sr25519 verifier.
 */

/** What the module exports (see `sr25519_sign/src/lib.rs`). */
interface SignModule {
  memory: WebAssembly.Memory;
  io(): number;
  message_capacity(): number;
  sign(len: number): number;
}

/** Offsets in the module's exchange area. */
const SECRET = 0, PUBLIC = 64, RANDOM = 96, SIGNATURE = 128, MESSAGE = 192;

let loading: Promise<void> | undefined;
let mod: SignModule | null = null;
let io = 0;
let capacity = 0;

/** Loads and instantiates the module once. */
export function sr25519SignReady(): Promise<void> {
  loading ??= import("./sr25519_sign.wasm").then((m) => {
    mod = m as unknown as SignModule;
    io = mod.io();
    capacity = mod.message_capacity();
  });
  return loading;
}

/**
 * Signs `message` with a 64-byte ed25519-form secret (scalar·8 ‖ nonce) and its 32-byte public
 * key. Returns null where this signer cannot: module not loaded yet ({@link sr25519SignReady}),
 * or a message longer than its exchange area (16 KiB); the caller then signs another way.
 * Throws for a secret that is not a valid key.
 */
export function sr25519SignFast(
  publicKey: Uint8Array,
  secretKey: Uint8Array,
  message: Uint8Array,
): Uint8Array | null {
  if (!mod || message.length > capacity) return null;
  if (secretKey.length !== 64 || publicKey.length !== 32) {
    throw new Error(`sr25519 sign: secret must be 64 bytes and public key 32 bytes`);
  }
  const mem = new Uint8Array(mod.memory.buffer);
  mem.set(secretKey, io + SECRET);
  mem.set(publicKey, io + PUBLIC);
  crypto.getRandomValues(mem.subarray(io + RANDOM, io + RANDOM + 32));
  mem.set(message, io + MESSAGE);
  // The module zeroes the secret and the randomness before it returns, whatever the outcome.
  if (mod.sign(message.length) !== 0) {
    throw new Error("sr25519 sign: the secret is not a valid key");
  }
  return mem.slice(io + SIGNATURE, io + SIGNATURE + 64);
}
