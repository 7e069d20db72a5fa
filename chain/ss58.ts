/**
 * @module
 * Fast SS58 encoding of 32-byte account ids (prefix 42), for decoding hundreds of hotkeys and
 * coldkeys per metagraph sync: blake2b-512 checksum over `"SS58PRE" ‖ prefix ‖ key`, then
 * base58 of the 35 bytes (a small fixed-size loop instead of generic big-number base58). Same output as `@polkadot/util-crypto` `encodeAddress(key, 42)`.
 */
import { blake2AsU8a } from "@polkadot/util-crypto";

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const PRE = new TextEncoder().encode("SS58PRE");

/** SS58 (single-byte prefix, default 42) of a 32-byte public key. */
export function ss58Fast(key: Uint8Array, prefix = 42): string {
  if (key.length !== 32) throw new RangeError(`account id must be 32 bytes, got ${key.length}`);
  if (prefix < 0 || prefix > 63) {
    throw new RangeError(`single-byte SS58 prefix expected, got ${prefix}`);
  }
  const body = new Uint8Array(PRE.length + 33);
  body.set(PRE, 0);
  body[PRE.length] = prefix;
  body.set(key, PRE.length + 1);
  // wasm blake2 once `cryptoWaitReady()` has run (the client awaits it), JS before that
  const sum = blake2AsU8a(body, 512);
  const data = new Uint8Array(35);
  data[0] = prefix;
  data.set(key, 1);
  data[33] = sum[0];
  data[34] = sum[1];
  return base58(data);
}

const BASE = 58 ** 5; // limbs of 5 base-58 digits: limb * 256 + carry stays below 2^53

function base58(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  // little-endian limbs in base 58^5, built by multiply-add over the input bytes
  const limbs: number[] = [];
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i];
    for (let j = 0; j < limbs.length; j++) {
      const v = limbs[j] * 256 + carry;
      carry = Math.floor(v / BASE);
      limbs[j] = v - carry * BASE;
    }
    while (carry > 0) {
      const q = Math.floor(carry / BASE);
      limbs.push(carry - q * BASE);
      carry = q;
    }
  }
  let out = "";
  for (let j = 0; j < limbs.length; j++) {
    let limb = limbs[j];
    const last = j === limbs.length - 1;
    for (let k = 0; k < 5 && (!last || limb > 0); k++) {
      const q = Math.floor(limb / 58);
      out = ALPHABET[limb - q * 58] + out;
      limb = q;
    }
  }
  return "1".repeat(zeros) + out;
}

/**
 * A per-call memo of {@link ss58Fast}: one decode sees the same coldkey many times (an owner
 * holds many hotkeys; each stake entry repeats it). Keyed by the raw bytes.
 */
export class Ss58Memo {
  readonly #m = new Map<string, string>();
  /** SS58 of `key` (32 bytes, prefix 42), computed once per distinct key. */
  get(key: Uint8Array): string {
    const k = String.fromCharCode.apply(null, key as unknown as number[]);
    let v = this.#m.get(k);
    if (v === undefined) {
      v = ss58Fast(key, 42);
      this.#m.set(k, v);
    }
    return v;
  }
}
