/**
 * @module
 * A minimal SCALE cursor for the hot decoding paths (hundreds of neurons per sync), where
 * building @polkadot/types codec objects would dominate. Every read checks bounds and throws
 * {@link ScaleError} naming the offset.
 */

/** Raised for truncated or malformed SCALE bytes. */
export class ScaleError extends Error {
  override name = "ScaleError";
}

/** Reads SCALE values from a byte array, front to back. */
export class ScaleReader {
  readonly bytes: Uint8Array;
  readonly #dv: DataView;
  /** Current offset. */
  at = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.#dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes left. */
  get remaining(): number {
    return this.bytes.length - this.at;
  }

  #need(n: number, what: string): void {
    if (this.at + n > this.bytes.length) {
      throw new ScaleError(`truncated SCALE data: ${what} needs ${n} bytes at offset ${this.at}`);
    }
  }

  u8(): number {
    this.#need(1, "u8");
    return this.bytes[this.at++];
  }
  bool(): boolean {
    const b = this.u8();
    if (b > 1) throw new ScaleError(`bad bool ${b} at offset ${this.at - 1}`);
    return b === 1;
  }
  u16(): number {
    this.#need(2, "u16");
    const v = this.#dv.getUint16(this.at, true);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.#need(4, "u32");
    const v = this.#dv.getUint32(this.at, true);
    this.at += 4;
    return v;
  }
  u64(): bigint {
    this.#need(8, "u64");
    const v = this.#dv.getBigUint64(this.at, true);
    this.at += 8;
    return v;
  }
  /** A u64 as a number; throws beyond 2^53. */
  u64Number(): number {
    this.#need(8, "u64");
    const lo = this.#dv.getUint32(this.at, true);
    const hi = this.#dv.getUint32(this.at + 4, true);
    if (hi > 0x1fffff) throw new ScaleError(`u64 at offset ${this.at} exceeds 2^53`);
    this.at += 8;
    return hi * 0x1_0000_0000 + lo;
  }
  u128(): bigint {
    this.#need(16, "u128");
    const dv = this.#dv, at = this.at;
    this.at += 16;
    if (dv.getUint32(at + 4, true) === 0 && dv.getBigUint64(at + 8, true) === 0n) {
      return BigInt(dv.getUint32(at, true)); // the common IPv4 case, no 128-bit arithmetic
    }
    return (dv.getBigUint64(at + 8, true) << 64n) | dv.getBigUint64(at, true);
  }
  /** `n` raw bytes (a view, not a copy). */
  raw(n: number): Uint8Array {
    this.#need(n, `${n} raw bytes`);
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  /** A compact integer as a number (throws beyond 2^53). */
  compact(): number {
    this.#need(1, "compact");
    const b0 = this.bytes[this.at];
    const mode = b0 & 3;
    if (mode === 0) {
      this.at++;
      return b0 >> 2;
    }
    if (mode === 1) {
      this.#need(2, "compact");
      const v = (b0 | (this.bytes[this.at + 1] << 8)) >> 2;
      this.at += 2;
      return v;
    }
    if (mode === 2) {
      this.#need(4, "compact");
      const v = this.#dv.getUint32(this.at, true) >>> 2;
      this.at += 4;
      return v;
    }
    const v = this.compactBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ScaleError(`compact ${v} exceeds 2^53`);
    return Number(v);
  }
  /** A compact integer as a bigint. */
  compactBig(): bigint {
    const b0 = this.u8();
    switch (b0 & 3) {
      case 0:
        return BigInt(b0 >> 2);
      case 1: {
        this.#need(1, "compact");
        const v = (b0 | (this.bytes[this.at++] << 8)) >> 2;
        return BigInt(v);
      }
      case 2: {
        this.#need(3, "compact");
        const v = (b0 | (this.bytes[this.at] << 8) | (this.bytes[this.at + 1] << 16) |
          (this.bytes[this.at + 2] << 24)) >>> 2;
        this.at += 3;
        return BigInt(v);
      }
      default: {
        const n = (b0 >> 2) + 4;
        this.#need(n, "big compact");
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[this.at + i]);
        this.at += n;
        return v;
      }
    }
  }
  /** A compact integer that must fit u16 (for `Compact<u16>` fields). */
  compactU16(): number {
    const v = this.compact();
    if (v > 0xffff) {
      throw new ScaleError(`Compact<u16> value ${v} out of range at offset ${this.at}`);
    }
    return v;
  }
  /** Throws unless every byte was consumed. */
  end(what: string): void {
    if (this.at !== this.bytes.length) {
      throw new ScaleError(`${this.bytes.length - this.at} trailing bytes after ${what}`);
    }
  }
}
