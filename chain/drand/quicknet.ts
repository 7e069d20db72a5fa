/**
 * @module
 * drand quicknet constants: the beacon that subtensor's Drand pallet stores and that
 * commit-reveal v4 encrypts against (subtensor `pallets/drand/src/lib.rs`, `DefaultBeaconConfig`).
 */

/** quicknet genesis time, unix seconds (round 1 is at genesis). */
export const QUICKNET_GENESIS_TIME = 1692803367;

/** Seconds between quicknet rounds. */
export const QUICKNET_PERIOD_SECONDS = 3;

/** quicknet chain hash (hex, no `0x`). */
export const QUICKNET_CHAIN_HASH =
  "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971";

/** quicknet public key: a 96-byte compressed G2 point (hex, no `0x`). */
export const QUICKNET_PUBLIC_KEY_HEX =
  "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c" +
  "8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb" +
  "5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a";

/** The quicknet public key as bytes. */
export function quicknetPublicKey(): Uint8Array {
  return hexToBytes(QUICKNET_PUBLIC_KEY_HEX);
}

/** Unix time (seconds) at which `round` is published: `genesis + (round - 1) * period`. */
export function roundTime(round: number): number {
  return QUICKNET_GENESIS_TIME + (round - 1) * QUICKNET_PERIOD_SECONDS;
}

/** Lowercase hex (optional `0x`) to bytes; throws on odd length or non-hex characters. */
export function hexToBytes(hex: string): Uint8Array {
  const h = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) {
    throw new Error(`not a hex string: ${JSON.stringify(hex.slice(0, 20))}`);
  }
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes to lowercase hex without `0x`. */
export function bytesToHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}
