/**
 * @module
 * IP addresses as the chain stores them: a u128 integer (IPv4 `a<<24|b<<16|c<<8|d`, IPv6 its
 * 128-bit value) plus an `ip_type` of 4 or 6, like the SDK's `ip_to_int` / `ip_version`
 * (netaddr). Reading back, a value up to 2^32-1 is IPv4 and anything larger IPv6.
 */

/** Raised for text that is not an IPv4/IPv6 address or an integer out of u128 range. */
export class IpError extends Error {
  override name = "IpError";
}

const U32_MAX = 0xffff_ffffn;
const U128_MAX = (1n << 128n) - 1n;

/** 4 or 6 for an address text; throws {@link IpError} for anything else. */
export function ipVersion(ip: string): 4 | 6 {
  if (parseIpv4(ip) !== undefined) return 4;
  if (parseIpv6(ip) !== undefined) return 6;
  throw new IpError(`not an IP address: ${JSON.stringify(ip)}`);
}

/** Address text to its integer (IPv4 or IPv6). */
export function ipToInt(ip: string): bigint {
  const v4 = parseIpv4(ip);
  if (v4 !== undefined) return v4;
  const v6 = parseIpv6(ip);
  if (v6 !== undefined) return v6;
  throw new IpError(`not an IP address: ${JSON.stringify(ip)}`);
}

/**
 * Integer to address text: IPv4 dotted quad when `n <= 2^32-1`, else compressed IPv6 (RFC 5952),
 * as netaddr's `IPAddress(int)` prints them.
 */
export function intToIp(n: bigint | number): string {
  const v = BigInt(n);
  if (v < 0n || v > U128_MAX) throw new IpError(`ip integer out of u128 range: ${v}`);
  if (v <= U32_MAX) {
    const x = Number(v);
    return `${x >>> 24}.${(x >>> 16) & 0xff}.${(x >>> 8) & 0xff}.${x & 0xff}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
  // longest run (>= 2) of zero groups becomes "::"
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

/** The chain's `ip_type` for an integer read back: 4 when it fits 32 bits, else 6. */
export function ipTypeOfInt(n: bigint | number): 4 | 6 {
  return BigInt(n) <= U32_MAX ? 4 : 6;
}

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIpv6(input: string): bigint | undefined {
  let s = input.startsWith("[") && input.endsWith("]") ? input.slice(1, -1) : input;
  if (s.includes("%")) return undefined; // zone ids are not addresses the chain can hold
  // embedded IPv4 tail (::ffff:1.2.3.4)
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.slice(lastColon + 1).includes(".")) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${((v4 >> 16n) & 0xffffn).toString(16)}:${
      (v4 & 0xffffn).toString(16)
    }`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (h: string): string[] | undefined => (h === "" ? [] : h.split(":"));
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return undefined;
  const explicit = head.length + tail.length;
  if (halves.length === 1 && explicit !== 8) return undefined;
  if (halves.length === 2 && explicit > 7) return undefined;
  const all = [...head, ...Array(8 - explicit).fill("0"), ...tail];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}
