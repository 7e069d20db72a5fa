/**
 * @module
 * Loads the read-only parity vectors from `../shared/vectors` in place and decodes the
 * `"NaN"` / `"Infinity"` / `"-Infinity"` strings they use for non-finite numbers.
 */

/** Absolute URL of a file in the shared vectors folder. */
export function vectorsUrl(name: string): URL {
  return new URL(`../../../shared/vectors/${name}`, import.meta.url);
}

/** Reads and parses one vectors file. */
export function loadVectors<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(Deno.readTextFileSync(vectorsUrl(name))) as T;
}

/** Decodes one JSON number that may be written as a non-finite string. */
export function num(x: unknown): number {
  if (typeof x === "number") return x;
  if (x === "NaN") return NaN;
  if (x === "Infinity") return Infinity;
  if (x === "-Infinity") return -Infinity;
  throw new Error(`not a number in vectors: ${JSON.stringify(x)}`);
}

/** Decodes an array of numbers (see {@link num}). */
export function nums(xs: unknown[]): number[] {
  return xs.map(num);
}

/** `|a - b| <= max(rel*|b|, abs)`, with NaN and infinities required to match in kind. */
export function close(a: number, b: number, rel: number, abs: number): boolean {
  if (Number.isNaN(b)) return Number.isNaN(a);
  if (!Number.isFinite(b)) return a === b;
  if (!Number.isFinite(a)) return false;
  return Math.abs(a - b) <= Math.max(rel * Math.abs(b), abs);
}

/** Throws with a readable message unless {@link close} holds. */
export function assertClose(a: number, b: number, rel: number, abs: number, what: string): void {
  if (!close(a, b, rel, abs)) {
    throw new Error(`${what}: got ${a}, expected ${b} (rel ${rel}, abs ${abs})`);
  }
}

/** A seeded uniform [0, 1) source (mulberry32), for deterministic tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
