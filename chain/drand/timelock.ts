/**
 * @module
 * Timelock encryption for commit-reveal v4: TLE IBE over drand quicknet, serialised as the
 * `TLECiphertext<TinyBLS381>` layout (ark-serialize compressed) that subtensor's pinned `tle`
 * crate reads at reveal time. Encryption and decryption call `@ideallabs/timelock_wasm_wrapper`
 * 1.0.0 directly (the build whose format matches the chain's; see
 * `../shared/vectors/drand/README.md`). The chain drops a commit it cannot parse without any
 * error, so every ciphertext made here is checked against the layout before it leaves.
 */
import init, { decrypt as wasmDecrypt, tld, tle } from "@ideallabs/timelock_wasm_wrapper";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { quicknetPublicKey } from "./quicknet.ts";

/** The curve argument wasm 1.0.0 expects (any other string throws). */
const CURVE = "bls12_381";

/** Bytes the layout adds to the plaintext: U, V, W, the length prefixes, tag, nonce and suite. */
export const TLE_OVERHEAD = 244;

/** Domain separation tag of quicknet's G1 signatures (`bls-unchained-g1-rfc9380`). */
const QUICKNET_DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";

/** Raised for any timelock failure: bad input, an incompatible ciphertext, a failed decryption. */
export class TimelockError extends Error {
  override name = "TimelockError";
}

let ready: Promise<unknown> | undefined;

/** Loads the wasm module once (Deno reads the `.wasm` next to the package through `file:`). */
export function timelockReady(): Promise<unknown> {
  ready ??= init();
  return ready;
}

/** The IBE identity of a round: `sha256(round as u64 big-endian)`. */
export async function roundIdentity(round: number | bigint): Promise<Uint8Array> {
  const r = BigInt(round);
  if (r < 0n || r > 0xffff_ffff_ffff_ffffn) throw new TimelockError(`round out of u64 range: ${r}`);
  const be = new Uint8Array(8);
  new DataView(be.buffer).setBigUint64(0, r, false);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", be));
}

/** Options of {@link timelockEncrypt}. */
export interface EncryptOptions {
  /** Beacon public key (96-byte G2); quicknet when omitted. */
  publicKey?: Uint8Array;
}

/**
 * Encrypts `plaintext` so it opens with the beacon signature of `round`. A fresh 32-byte
 * ephemeral key is drawn for every call and never leaves this function (with it, anyone could
 * open the ciphertext before the round). The result is checked against the chain's layout.
 *
 * @example
 * ```ts
 * const ct = await timelockEncrypt(payload, 32340463);
 * ```
 */
export async function timelockEncrypt(
  plaintext: Uint8Array,
  round: number | bigint,
  opts: EncryptOptions = {},
): Promise<Uint8Array> {
  await timelockReady();
  const pk = opts.publicKey ?? quicknetPublicKey();
  if (pk.length !== 96) {
    throw new TimelockError(`beacon public key must be 96 bytes, got ${pk.length}`);
  }
  const id = await roundIdentity(round);
  const esk = crypto.getRandomValues(new Uint8Array(32));
  let ct: Uint8Array;
  try {
    ct = new Uint8Array(tle(id, plaintext, esk, pk, CURVE) as number[]);
  } catch (e) {
    throw new TimelockError(`timelock encryption failed: ${errorText(e)}`);
  } finally {
    esk.fill(0);
  }
  if (ct.length !== TLE_OVERHEAD + plaintext.length) {
    throw new TimelockError(
      `incompatible timelock build: ciphertext is ${ct.length} bytes, expected ${
        TLE_OVERHEAD + plaintext.length
      }`,
    );
  }
  parseCiphertext(ct);
  return ct;
}

/**
 * Decrypts with the beacon signature (48-byte G1) of the round the ciphertext was made for.
 * Throws {@link TimelockError} for a wrong signature, a tampered or incompatible ciphertext.
 */
export async function timelockDecrypt(
  ciphertext: Uint8Array,
  signature: Uint8Array,
): Promise<Uint8Array> {
  await timelockReady();
  try {
    return new Uint8Array(tld(ciphertext, signature, CURVE) as number[]);
  } catch (e) {
    throw new TimelockError(`timelock decryption failed: ${errorText(e)}`);
  }
}

/** Opens only the AES layer with the ephemeral key (test vectors carry theirs). */
export async function decryptWithEphemeralKey(
  ciphertext: Uint8Array,
  esk: Uint8Array,
): Promise<Uint8Array> {
  await timelockReady();
  try {
    return new Uint8Array(wasmDecrypt(ciphertext, esk, CURVE) as number[]);
  } catch (e) {
    throw new TimelockError(`AES-layer decryption failed: ${errorText(e)}`);
  }
}

/** The fields of a `TLECiphertext<TinyBLS381>`. */
export interface ParsedCiphertext {
  /** U = r·G2, compressed (96 bytes). */
  u: Uint8Array;
  /** V = sigma XOR H(e(Q_id, r·P_pub)) (32 bytes). */
  v: Uint8Array;
  /** W = esk XOR H(sigma) (32 bytes). */
  w: Uint8Array;
  /** AES-256-GCM ciphertext followed by its 16-byte tag. */
  aesCiphertextWithTag: Uint8Array;
  /** 96-bit AES nonce. */
  nonce: Uint8Array;
  /** Always `AES_GCM_`. */
  cipherSuite: string;
  /** Length of the plaintext inside. */
  plaintextLength: number;
}

/**
 * Parses a ciphertext with the layout the chain deserialises (u64 LE length prefixes) and
 * rejects anything else: the 0.3.0 wasm format without V/W prefixes, truncation, trailing bytes,
 * or a U that is not a G2 point of the prime-order subgroup.
 */
export function parseCiphertext(ct: Uint8Array): ParsedCiphertext {
  const fail = (why: string): never => {
    throw new TimelockError(`not a TLECiphertext<TinyBLS381> (${ct.length} bytes): ${why}`);
  };
  if (ct.length < TLE_OVERHEAD) fail(`shorter than the ${TLE_OVERHEAD}-byte minimum`);
  const dv = new DataView(ct.buffer, ct.byteOffset, ct.byteLength);
  let at = 0;
  const lenAt = (what: string): number => {
    if (at + 8 > ct.length) fail(`truncated before len(${what})`);
    const n = dv.getBigUint64(at, true);
    if (n > BigInt(ct.length)) fail(`bad length of ${what}: ${n}`);
    at += 8;
    return Number(n);
  };
  const take = (n: number, what: string): Uint8Array => {
    if (at + n > ct.length) fail(`truncated inside ${what}`);
    const out = ct.slice(at, at + n);
    at += n;
    return out;
  };
  const u = take(96, "U");
  const vLen = lenAt("V");
  if (vLen !== 32) fail(`len(V) is ${vLen}, expected 32`);
  const v = take(32, "V");
  const wLen = lenAt("W");
  if (wLen !== 32) fail(`len(W) is ${wLen}, expected 32`);
  const w = take(32, "W");
  const bodyLen = lenAt("body");
  const aesLen = lenAt("AES ciphertext");
  if (aesLen < 16) fail(`AES ciphertext of ${aesLen} bytes has no room for its tag`);
  const aes = take(aesLen, "AES ciphertext");
  const nonceLen = lenAt("nonce");
  if (nonceLen !== 12) fail(`len(nonce) is ${nonceLen}, expected 12`);
  const nonce = take(12, "nonce");
  if (bodyLen !== 8 + aesLen + 8 + 12) fail(`len(body) ${bodyLen} does not match its contents`);
  const suiteLen = lenAt("cipher suite");
  if (suiteLen !== 8) fail(`len(cipher suite) is ${suiteLen}, expected 8`);
  const suite = new TextDecoder().decode(take(8, "cipher suite"));
  if (suite !== "AES_GCM_") fail(`cipher suite is ${JSON.stringify(suite)}`);
  if (at !== ct.length) fail(`${ct.length - at} trailing bytes`);
  try {
    bls12_381.G2.Point.fromBytes(u).assertValidity();
  } catch (e) {
    fail(`U is not a valid G2 point: ${errorText(e)}`);
  }
  return {
    u,
    v,
    w,
    aesCiphertextWithTag: aes,
    nonce,
    cipherSuite: suite,
    plaintextLength: aesLen - 16,
  };
}

/**
 * BLS check of a beacon pulse: `e(sig, G2) == e(H(sha256(round_be)), pk)` (quicknet scheme,
 * signatures on G1). Use it before trusting a pulse read from somewhere else.
 */
export async function verifyPulse(
  round: number | bigint,
  signature: Uint8Array,
  publicKey: Uint8Array = quicknetPublicKey(),
): Promise<boolean> {
  const msg = await roundIdentity(round);
  try {
    const sigs = bls12_381.shortSignatures;
    return sigs.verify(signature, sigs.hash(msg, QUICKNET_DST), publicKey);
  } catch {
    return false;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
