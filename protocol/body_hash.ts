/**
 * @module
 * The synapse body hash: SHA3-256 hex of the concatenated SHA3-256 hex digests of Python `str()`
 * of each hash field (bittensor-wire.md §2.4). With no hash fields it is SHA3-256("").
 */
import { sha3_256 } from "@noble/hashes/sha3.js";
import { bytesToHex } from "@noble/hashes/utils.js";

const enc = new TextEncoder();

/** SHA3-256 of the empty string: the body hash of every synapse without hash fields. */
export const EMPTY_BODY_HASH = "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a";

/** Lowercase hex SHA3-256 (FIPS-202) of the UTF-8 bytes of `text`. */
export function sha3Hex(text: string): string {
  return bytesToHex(sha3_256(enc.encode(text)));
}

/**
 * The body hash over the Python `str()` forms of the hash fields, in hash order.
 *
 * @example
 * ```ts
 * import { bodyHashOfStrings } from "./body_hash.ts";
 * bodyHashOfStrings(["1", "2", "['foobar']"]);
 * // "ae06397d08f30f75c91395c59f05c62ac3b62b88250eb78b109213258e6ced0c"
 * ```
 */
export function bodyHashOfStrings(fieldStrings: readonly string[]): string {
  if (fieldStrings.length === 0) return EMPTY_BODY_HASH;
  return sha3Hex(fieldStrings.map(sha3Hex).join(""));
}
