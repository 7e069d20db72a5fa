/**
 * @module
 * Bittensor version integers (bittensor-wire.md §6): `Σ part_i · 1000^i` over the reversed
 * `major.minor.patch`, so 10.2.0 is 10002000. Axons apply the nonce freshness window only to
 * dendrites at or above 7.2.0.
 */

/**
 * `version_as_int` of a `major.minor.patch` string.
 *
 * @example
 * ```ts
 * import { versionAsInt } from "./version.ts";
 * versionAsInt("10.2.0"); // 10002000
 * ```
 */
export function versionAsInt(version: string): number {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) throw new Error(`not a major.minor.patch version: ${JSON.stringify(version)}`);
  const v = Number(m[3]) + Number(m[2]) * 1000 + Number(m[1]) * 1_000_000;
  if (v >= 2 ** 31) throw new Error(`version ${version} does not fit in 31 bits`);
  return v;
}

/** 7.2.0: dendrites at or above this get the nonce freshness window. */
export const V_7_2_0 = 7_002_000;

/** The version our dendrite and axon announce (that of the upstream SDK the wire spec follows). */
export const PROTOCOL_VERSION = "10.2.0";

/** {@link PROTOCOL_VERSION} as an int: 10002000. */
export const VERSION_AS_INT = versionAsInt(PROTOCOL_VERSION);
