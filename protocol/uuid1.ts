/**
 * @module
 * RFC 4122 version-1 (time-based) uuids, as Python's `uuid.uuid1()` makes them. Axons and
 * dendrites take one per instance; the axon keys its nonce store by `hotkey:uuid`. The node id
 * is random (multicast bit set, as the RFC asks when no MAC address is used).
 */

// 100-ns intervals between 1582-10-15 and 1970-01-01.
const GREGORIAN_OFFSET = 122192928000000000n;
let lastTimestamp = 0n;

/**
 * A new version-1 uuid string.
 *
 * @example
 * ```ts
 * import { uuid1 } from "./uuid1.ts";
 * /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid1()); // true
 * ```
 */
export function uuid1(): string {
  const nowNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  let ts = nowNs / 100n + GREGORIAN_OFFSET;
  if (ts <= lastTimestamp) ts = lastTimestamp + 1n;
  lastTimestamp = ts;
  const rnd = crypto.getRandomValues(new Uint8Array(8));
  const clockSeq = ((rnd[0] << 8) | rnd[1]) & 0x3fff;
  const timeLow = ts & 0xffffffffn;
  const timeMid = (ts >> 32n) & 0xffffn;
  const timeHi = ((ts >> 48n) & 0x0fffn) | 0x1000n;
  const node = [...rnd.subarray(2)];
  node[0] |= 0x01;
  const h = (n: bigint | number, w: number) => n.toString(16).padStart(w, "0");
  return [
    h(timeLow, 8),
    h(timeMid, 4),
    h(timeHi, 4),
    h(0x8000 | clockSeq, 4),
    node.map((b) => h(b, 2)).join(""),
  ].join("-");
}
