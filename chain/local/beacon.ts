/**
 * @module
 * The local chain's own drand-style beacon. The local chain cannot sign real quicknet rounds for
 * "now", so it runs a beacon of the same scheme (`bls-unchained-g1-rfc9380`, like quicknet):
 * signatures in G1, public key in G2, message `sha256(round as u64 big-endian)` hashed to G1 with
 * the DST `BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_`. Ciphertexts made with `tle` for this
 * public key decrypt with `tld` and this beacon's round signature, exactly as quicknet ones do.
 */
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { sha256, sha384 } from "@noble/hashes/sha2.js";

/** Quicknet's DST for G1 signatures (RFC 9380 suite used by drand quicknet). */
export const BEACON_DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";
/** Quicknet genesis time (unix seconds); the local beacon numbers rounds the same way. */
export const QUICKNET_GENESIS_TIME = 1692803367;
/** Quicknet period in seconds. */
export const QUICKNET_PERIOD_S = 3;

/** One beacon output: the round, its G1 signature (48 bytes) and randomness = sha256(sig). */
export interface BeaconPulse {
  round: bigint;
  signature: Uint8Array;
  randomness: Uint8Array;
}

/** The drand identity of a round: sha256 of the round as u64 big-endian. */
export function roundMessage(round: bigint): Uint8Array {
  const be = new Uint8Array(8);
  new DataView(be.buffer).setBigUint64(0, round, false);
  return sha256(be);
}

/** Round in effect at unix time `seconds` for a quicknet-style clock (0 before genesis). */
export function roundAt(
  seconds: number,
  genesis = QUICKNET_GENESIS_TIME,
  period = QUICKNET_PERIOD_S,
): bigint {
  if (seconds < genesis) return 0n;
  return BigInt(Math.floor((seconds - genesis) / period) + 1);
}

/** A BLS12-381 short-signature beacon with a fixed secret key. */
export class LocalBeacon {
  readonly #secretKey: Uint8Array;
  /** Compressed G2 public key, 96 bytes (what `tle` encrypts to). */
  readonly publicKey: Uint8Array;
  readonly genesisTime: number;
  readonly period: number;

  /** `seed` (any bytes) derives the secret key deterministically; omit for a fixed dev key. */
  constructor(
    seed: Uint8Array = new TextEncoder().encode("cgp-node local drand beacon"),
    genesisTime = QUICKNET_GENESIS_TIME,
    period = QUICKNET_PERIOD_S,
  ) {
    const { secretKey } = bls12_381.shortSignatures.keygen(sha384(seed));
    this.#secretKey = secretKey;
    this.publicKey = bls12_381.shortSignatures.getPublicKey(secretKey).toBytes(true);
    this.genesisTime = genesisTime;
    this.period = period;
  }

  /** Signs round `round`: the pulse the local chain stores in `Drand.Pulses`. */
  pulse(round: bigint): BeaconPulse {
    const msg = bls12_381.shortSignatures.hash(roundMessage(round), BEACON_DST);
    const signature = bls12_381.shortSignatures.sign(msg, this.#secretKey).toBytes(true);
    return { round, signature, randomness: sha256(signature) };
  }

  /** Checks a pulse signature against this beacon's public key. */
  verify(round: bigint, signature: Uint8Array): boolean {
    try {
      const msg = bls12_381.shortSignatures.hash(roundMessage(round), BEACON_DST);
      return bls12_381.shortSignatures.verify(signature, msg, this.publicKey);
    } catch {
      return false;
    }
  }

  /** Round in effect at unix time `seconds`. */
  roundAt(seconds: number): bigint {
    return roundAt(seconds, this.genesisTime, this.period);
  }
}
