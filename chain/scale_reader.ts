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
  u128(): bigint {
    const lo = this.u64();
    const hi = this.u64();
    return (hi << 64n) | lo;
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
