/**
 * @module
 * SCALE codec of `WeightsTlockPayload { hotkey: Vec<u8>, uids: Vec<u16>, values: Vec<u16>,
 * version_key: u64 }`, the plaintext of a commit-reveal v4 commit (subtensor
 * `pallets/subtensor/src/coinbase/reveal_commits.rs`). The chain drops a revealed payload whose
 * `hotkey` is not the committing account, so the hotkey is always included.
 */

/** The plaintext of a timelocked weight commit. */
export interface WeightsTlockPayload {
  /** The committing hotkey's 32-byte public key. */
  hotkey: Uint8Array;
  /** uids, each a u16. */
  uids: number[];
  /** u16 weights, one per uid. */
  values: number[];
  /** u64 version key. */
  versionKey: bigint;
}

/** Raised for a payload that cannot be encoded or bytes that do not decode. */
export class PayloadError extends Error {
  override name = "PayloadError";
}

/** SCALE-encodes a payload; rejects out-of-range values and unequal lengths. */
export function encodeTlockPayload(p: WeightsTlockPayload): Uint8Array {
  if (p.hotkey.length !== 32) {
    throw new PayloadError(`hotkey must be 32 bytes, got ${p.hotkey.length}`);
  }
  if (p.uids.length !== p.values.length) {
    throw new PayloadError(
      `uids (${p.uids.length}) and values (${p.values.length}) differ in length`,
    );
  }
  const checkU16 = (xs: number[], what: string) => {
    for (const x of xs) {
      if (!Number.isInteger(x) || x < 0 || x > 0xffff) {
        throw new PayloadError(`${what} not a u16: ${x}`);
      }
    }
  };
  checkU16(p.uids, "uid");
  checkU16(p.values, "value");
  if (p.versionKey < 0n || p.versionKey > 0xffff_ffff_ffff_ffffn) {
    throw new PayloadError(`version_key not a u64: ${p.versionKey}`);
  }
  const parts: Uint8Array[] = [compact(32), p.hotkey];
  for (const xs of [p.uids, p.values]) {
    parts.push(compact(xs.length));
    const b = new Uint8Array(xs.length * 2);
    xs.forEach((x, i) => {
      b[2 * i] = x & 0xff;
      b[2 * i + 1] = x >> 8;
    });
    parts.push(b);
  }
  const vk = new Uint8Array(8);
  new DataView(vk.buffer).setBigUint64(0, p.versionKey, true);
  parts.push(vk);
  return concat(parts);
}

/** Decodes a payload; throws {@link PayloadError} on truncated or trailing bytes. */
export function decodeTlockPayload(bytes: Uint8Array): WeightsTlockPayload {
  let at = 0;
  const readCompact = (): number => {
    if (at >= bytes.length) throw new PayloadError("truncated compact length");
    const mode = bytes[at] & 3;
    if (mode === 0) return bytes[at++] >> 2;
    if (mode === 1) {
      if (at + 2 > bytes.length) throw new PayloadError("truncated compact length");
      const v = (bytes[at] | (bytes[at + 1] << 8)) >> 2;
      at += 2;
      return v;
    }
    if (mode === 2) {
      if (at + 4 > bytes.length) throw new PayloadError("truncated compact length");
      const v = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true) >>> 2;
      at += 4;
      return v;
    }
    throw new PayloadError("compact length too large");
  };
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) throw new PayloadError("truncated payload");
    const out = bytes.slice(at, at + n);
    at += n;
    return out;
  };
  const hotkey = take(readCompact());
  const u16s = (): number[] => {
    const n = readCompact();
    const b = take(n * 2);
    return Array.from({ length: n }, (_, i) => b[2 * i] | (b[2 * i + 1] << 8));
  };
  const uids = u16s();
  const values = u16s();
  const vk = take(8);
  if (at !== bytes.length) throw new PayloadError(`${bytes.length - at} trailing bytes`);
  const versionKey = new DataView(vk.buffer, vk.byteOffset, 8).getBigUint64(0, true);
  return { hotkey, uids, values, versionKey };
}

/** SCALE compact encoding of a non-negative integer below 2^30. */
export function compact(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0) throw new PayloadError(`bad compact value ${n}`);
  if (n < 1 << 6) return Uint8Array.of(n << 2);
  if (n < 1 << 14) return Uint8Array.of(((n << 2) | 1) & 0xff, (n << 2 | 1) >> 8);
  if (n < 1 << 30) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, ((n << 2) | 2) >>> 0, true);
    return b;
  }
  throw new PayloadError(`compact value too large: ${n}`);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
