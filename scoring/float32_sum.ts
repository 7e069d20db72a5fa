/**
 * @module
 * numpy's summation order, so float32 (and float64) results can match numpy bit for bit. numpy
 * sums a contiguous 1-D array pairwise: fewer than 8 elements left to right from 0; up to 128 in
 * eight strided partial sums combined as `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))` plus the leftover
 * elements one at a time; above 128 it splits at `n/2 - (n/2 % 8)` and recurses. `Math.fround`
 * after every addition gives float32 arithmetic.
 */

/** Rounds a double to the working precision: `Math.fround` for float32, identity for float64. */
export type Rounder = (x: number) => number;

/** float64 arithmetic: no rounding beyond what JS already does. */
export const F64: Rounder = (x) => x;
/** float32 arithmetic. */
export const F32: Rounder = Math.fround;

function pairwise(a: ArrayLike<number>, start: number, n: number, r: Rounder): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = r(res + a[start + i]);
    // numpy starts from -0.0 only for the empty sum of an all -0.0 array; 0 + x keeps x otherwise.
    return res;
  }
  if (n <= 128) {
    let r0 = a[start], r1 = a[start + 1], r2 = a[start + 2], r3 = a[start + 3];
    let r4 = a[start + 4], r5 = a[start + 5], r6 = a[start + 6], r7 = a[start + 7];
    const whole = n - (n % 8);
    for (let i = 8; i < whole; i += 8) {
      const b = start + i;
      r0 = r(r0 + a[b]);
      r1 = r(r1 + a[b + 1]);
      r2 = r(r2 + a[b + 2]);
      r3 = r(r3 + a[b + 3]);
      r4 = r(r4 + a[b + 4]);
      r5 = r(r5 + a[b + 5]);
      r6 = r(r6 + a[b + 6]);
      r7 = r(r7 + a[b + 7]);
    }
    let res = r(r(r(r0 + r1) + r(r2 + r3)) + r(r(r4 + r5) + r(r6 + r7)));
    for (let i = whole; i < n; i++) res = r(res + a[start + i]);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return r(pairwise(a, start, n2, r) + pairwise(a, start + n2, n - n2, r));
}

/**
 * `np.sum` of a contiguous 1-D array in numpy's pairwise order. Pass `F32` for a float32 array
 * (the values must already be float32) and `F64` (the default) for float64.
 *
 * @example
 * ```ts
 * import { F32, numpySum } from "./float32_sum.ts";
 * numpySum(new Float32Array([0.1, 0.2, 0.3]), F32); // the float32 sum numpy gives
 * ```
 */
export function numpySum(a: ArrayLike<number>, round: Rounder = F64): number {
  // The reduction starts from the identity 0 and adds the pairwise sum of all elements.
  return round(0 + pairwise(a, 0, a.length, round));
}

/** `np.mean` of a 1-D array: the pairwise sum divided by the length, in the given precision. */
export function numpyMean(a: ArrayLike<number>, round: Rounder = F64): number {
  return round(numpySum(a, round) / a.length);
}

/** `np.cumsum` (sequential, not pairwise) in the given precision. */
export function numpyCumsum(a: ArrayLike<number>, round: Rounder = F64): number[] {
  const out: number[] = new Array(a.length);
  let acc = 0;
  for (let i = 0; i < a.length; i++) {
    acc = i === 0 ? a[0] : round(acc + a[i]);
    out[i] = acc;
  }
  return out;
}
