/**
 * @module
 * sr25519 keypairs as btwallet derives them: from a BIP39 phrase (substrate-bip39 mini-secret),
 * a 32-byte mini-secret seed, or a 64-byte secret key (canonical btwallet form or the
 * polkadot-js "ed25519" form). Signing uses the `substrate` context, like the Python SDK.
 */
import {
  cryptoWaitReady,
  decodeAddress,
  encodeAddress,
  mnemonicGenerate,
  mnemonicToMiniSecret,
  mnemonicValidate,
  sr25519PairFromSeed,
  sr25519Sign,
  sr25519Verify,
} from "@polkadot/util-crypto";
import { u8aToHex } from "@polkadot/util";
import { getPublicKey as scurePublic } from "@scure/sr25519";
import {
  isReady as wasmIsReady,
  sr25519Sign as wasmSign,
  sr25519Verify as wasmVerify,
  waitReady as wasmWaitReady,
} from "@polkadot/wasm-crypto";
import { sr25519SignFast, sr25519SignReady } from "./sr25519_sign.ts";

/** Bittensor's SS58 prefix (generic substrate). */
export const SS58_PREFIX = 42;

/** Anything that can sign a message as a hotkey: what the axon, dendrite and chain need. */
export interface Signer {
  /** SS58 address (prefix 42). */
  readonly ss58Address: string;
  /** 32-byte sr25519 public key. */
  readonly publicKey: Uint8Array;
  /** sr25519 signature (64 bytes) over the raw message bytes, context `substrate`. */
  sign(message: Uint8Array | string): Uint8Array;
}

/** Raised for malformed key material; never carries the secret itself. */
export class KeyError extends Error {
  override name = "KeyError";
}

let ready: Promise<boolean> | undefined;

/** Initialises the sr25519 code once (JS and wasm); every keypair function awaits it. */
export function cryptoReady(): Promise<boolean> {
  // The signing module loads here, not at module level, so isolates that never make a keypair
  // never compile it.
  ready ??= Promise.all([cryptoWaitReady(), wasmWaitReady(), sr25519SignReady()]).then(([a]) => a);
  return ready;
}

const enc = new TextEncoder();
const toBytes = (m: Uint8Array | string) => typeof m === "string" ? enc.encode(m) : m;

/** An sr25519 keypair with its secret (ed25519-form 64 bytes) kept private to the instance. */
export class Keypair implements Signer {
  readonly ss58Address: string;
  readonly publicKey: Uint8Array;
  readonly #secretKey: Uint8Array;
  /** The 32-byte mini-secret, when the key came from a phrase or seed. */
  readonly miniSecret?: Uint8Array;
  /** The BIP39 phrase, when the key came from one. */
  readonly mnemonic?: string;

  private constructor(
    publicKey: Uint8Array,
    secretKey: Uint8Array,
    extra: { miniSecret?: Uint8Array; mnemonic?: string },
  ) {
    this.publicKey = publicKey;
    this.#secretKey = secretKey;
    this.ss58Address = encodeAddress(publicKey, SS58_PREFIX);
    this.miniSecret = extra.miniSecret;
    this.mnemonic = extra.mnemonic;
  }

  /** From a BIP39 phrase (English, checksummed), via the substrate-bip39 mini-secret. */
  static async fromMnemonic(mnemonic: string): Promise<Keypair> {
    await cryptoReady();
    const phrase = mnemonic.trim().split(/\s+/).join(" ");
    if (!mnemonicValidate(phrase)) throw new KeyError("invalid BIP39 mnemonic (word or checksum)");
    const mini = mnemonicToMiniSecret(phrase);
    const kp = await Keypair.fromSeed(mini);
    return new Keypair(kp.publicKey, kp.#secretKey, { miniSecret: mini, mnemonic: phrase });
  }

  /** From a 32-byte mini-secret (`secretSeed`). */
  static async fromSeed(seed: Uint8Array): Promise<Keypair> {
    await cryptoReady();
    if (seed.length !== 32) throw new KeyError(`seed must be 32 bytes, got ${seed.length}`);
    const pair = sr25519PairFromSeed(seed);
    return new Keypair(pair.publicKey, pair.secretKey, { miniSecret: seed.slice() });
  }

  /**
   * From btwallet's canonical 64-byte `privateKey` (scalar/8 ‖ nonce): the scalar is multiplied
   * by 8 to get the form polkadot-js signs with.
   */
  static async fromCanonicalPrivateKey(priv: Uint8Array): Promise<Keypair> {
    await cryptoReady();
    if (priv.length !== 64) throw new KeyError(`privateKey must be 64 bytes, got ${priv.length}`);
    const secret = new Uint8Array(64);
    secret.set(multiplyScalarBy8(priv.subarray(0, 32)), 0);
    secret.set(priv.subarray(32), 32);
    return Keypair.#fromEd25519FormSecret(secret);
  }

  /**
   * A fresh key from a new random BIP39 phrase (12 words unless told), as `btcli wallet create`
   * makes them. The phrase is kept in {@link Keypair.mnemonic} so it can be written and shown.
   */
  static async generate(words: 12 | 15 | 18 | 21 | 24 = 12): Promise<Keypair> {
    await cryptoReady();
    return await Keypair.fromMnemonic(mnemonicGenerate(words));
  }

  /**
   * From a 64-byte secret in the polkadot-js/scure "ed25519" form (scalar·8 ‖ nonce), as found in
   * polkadot-js exported JSON (PKCS8).
   */
  static async fromEd25519FormSecret(secret: Uint8Array): Promise<Keypair> {
    await cryptoReady();
    if (secret.length !== 64) throw new KeyError(`secret must be 64 bytes, got ${secret.length}`);
    return Keypair.#fromEd25519FormSecret(secret.slice());
  }

  static #fromEd25519FormSecret(secret: Uint8Array): Keypair {
    // polkadot's wasm has no secret -> public; @scure computes it from the same 64-byte form.
    const pub = scurePublic(secret);
    return new Keypair(pub, secret, {});
  }

  /** Signs raw bytes (strings are UTF-8 encoded), context `substrate`. */
  sign(message: Uint8Array | string): Uint8Array {
    const msg = toBytes(message);
    // Every request a dendrite sends is signed, so this is on the validator's hot path: the
    // project's own wasm signer first (sr25519_sign.ts), polkadot's wasm-crypto for messages
    // longer than its 16 KiB, util-crypto's pure JS (several times slower) before either loads.
    // Same keys and same kind of signature (randomised) from each.
    const fast = sr25519SignFast(this.publicKey, this.#secretKey, msg);
    if (fast) return fast;
    if (wasmIsReady()) return wasmSign(this.publicKey, this.#secretKey, msg);
    return sr25519Sign(msg, { publicKey: this.publicKey, secretKey: this.#secretKey });
  }

  /** btwallet's canonical `privateKey` (scalar/8 ‖ nonce), for writing keyfiles. */
  canonicalPrivateKey(): Uint8Array {
    const out = new Uint8Array(64);
    out.set(divideScalarBy8(this.#secretKey.subarray(0, 32)), 0);
    out.set(this.#secretKey.subarray(32), 32);
    return out;
  }

  /** `0x`-hex public key. */
  get publicKeyHex(): string {
    return u8aToHex(this.publicKey);
  }

  /** Never print secrets. */
  toJSON(): { ss58Address: string } {
    return { ss58Address: this.ss58Address };
  }
}

/** sr25519 verification of raw bytes; with the `<Bytes>` wrapper fallback the Python side has. */
export async function verifySignature(
  message: Uint8Array | string,
  signature: Uint8Array,
  publicKeyOrSs58: Uint8Array | string,
): Promise<boolean> {
  await cryptoReady();
  return verifySignatureSync(message, signature, publicKeyOrSs58);
}

const BYTES_OPEN = enc.encode("<Bytes>");
const BYTES_CLOSE = enc.encode("</Bytes>");

/** Synchronous variant of {@link verifySignature}; call {@link cryptoReady} once first. */
export function verifySignatureSync(
  message: Uint8Array | string,
  signature: Uint8Array,
  publicKeyOrSs58: Uint8Array | string,
): boolean {
  const pub = typeof publicKeyOrSs58 === "string"
    ? decodeAddress(publicKeyOrSs58)
    : publicKeyOrSs58;
  if (signature.length !== 64 || pub.length !== 32) return false;
  const msg = toBytes(message);
  const verify = wasmIsReady()
    ? (m: Uint8Array) => wasmVerify(signature, m, pub)
    : (m: Uint8Array) => sr25519Verify(m, signature, pub);
  if (verify(msg)) return true;
  const wrapped = new Uint8Array(BYTES_OPEN.length + msg.length + BYTES_CLOSE.length);
  wrapped.set(BYTES_OPEN, 0);
  wrapped.set(msg, BYTES_OPEN.length);
  wrapped.set(BYTES_CLOSE, BYTES_OPEN.length + msg.length);
  return verify(wrapped);
}

/** Decodes any known-prefix SS58 address to its 32-byte public key, or throws KeyError. */
export function ss58Decode(address: string): Uint8Array {
  try {
    const pub = decodeAddress(address);
    if (pub.length !== 32) throw new Error("not 32 bytes");
    return pub;
  } catch (e) {
    throw new KeyError(`invalid SS58 address ${JSON.stringify(address)}: ${(e as Error).message}`);
  }
}

/** Encodes a 32-byte public key as an SS58 address (prefix 42). */
export function ss58Encode(publicKey: Uint8Array): string {
  return encodeAddress(publicKey, SS58_PREFIX);
}

// --- scalar helpers (little-endian 256-bit) -------------------------------------------------

function multiplyScalarBy8(k: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const v = (k[i] << 3) | carry;
    out[i] = v & 0xff;
    carry = v >> 8;
  }
  return out;
}

function divideScalarBy8(k: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    const hi = i + 1 < 32 ? k[i + 1] : 0;
    out[i] = ((k[i] >> 3) | (hi << 5)) & 0xff;
  }
  return out;
}
