/**
 * @module
 * The Bittensor SDK's weight helpers (`bittensor.utils.weight_utils` in v9/v10):
 * `normalize_max_weight`, `process_weights_for_netuid` and `convert_weights_and_uids_for_emit`,
 * with numpy's dtypes reproduced: weights are cast to float32, arithmetic stays float32 (Python
 * float constants rounded to float32 first, NEP 50), sums use numpy's pairwise order, and the
 * uniform / 1e-5-floor fallbacks are float64, as numpy produces them. Python's `round` is
 * round-half-to-even.
 */
import { F32, F64, numpyCumsum, numpySum, type Rounder } from "./float32_sum.ts";

/** `u16::MAX`: the chain's weight scale. */
export const U16_MAX = 65535;

/** A float array whose type says its numpy dtype. */
export type FloatArray = Float32Array | Float64Array;

/** What `convert_weights_and_uids_for_emit` raises `ValueError` for. */
export class WeightConversionError extends Error {
  override name = "WeightConversionError";
}

function rounderOf(x: FloatArray): Rounder {
  return x instanceof Float32Array ? F32 : F64;
}

function like(x: FloatArray, n: number): FloatArray {
  return x instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

/** `np.sort` ascending with NaN last, keeping the dtype. */
function sortedCopy(x: FloatArray): FloatArray {
  const s = x.slice();
  s.sort((a, b) => {
    const an = Number.isNaN(a), bn = Number.isNaN(b);
    if (an || bn) return an === bn ? 0 : an ? 1 : -1;
    return a - b;
  });
  return s;
}

function nanMax(x: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) return NaN;
    if (x[i] > m) m = x[i];
  }
  return m;
}

/**
 * `normalize_max_weight(x, limit)`: scale `x` to sum 1 with no element above `limit`, clipping
 * the largest weights at a common cutoff. Returns the same dtype as `x` (float32 or float64).
 *
 * @example
 * ```ts
 * import { normalizeMaxWeight } from "./weight_utils.ts";
 * normalizeMaxWeight(new Float32Array([0.9, 0.05, 0.05]), 1); // [0.9, 0.05, 0.05] (float32)
 * ```
 */
export function normalizeMaxWeight(x: FloatArray, limit = 0.1): FloatArray {
  const r = rounderOf(x);
  const n = x.length;
  const epsilon = r(1e-7);
  // Under float32 a Python float limit is rounded to float32 where it meets float32 values.
  const limitR = r(limit);
  const weights = x.slice();
  const values = sortedCopy(x);
  if (numpySum(x, r) === 0 || n * limit <= 1) {
    return like(x, n).fill(r(1 / n));
  }
  const vsum = numpySum(values, r);
  const estimation = like(x, n);
  for (let i = 0; i < n; i++) estimation[i] = r(values[i] / vsum);
  if (nanMax(estimation) <= limitR) {
    const s = numpySum(weights, r);
    const out = like(x, n);
    for (let i = 0; i < n; i++) out[i] = r(weights[i] / s);
    return out;
  }
  const cumsum = numpyCumsum(estimation, r);
  let nValues = 0;
  for (let i = 0; i < n; i++) {
    const estSum = r((n - i - 1) * estimation[i]);
    const ratio = r(estimation[i] / r(r(estSum + cumsum[i]) + epsilon));
    if (ratio < limitR) nValues++;
  }
  // cumsum[n_values - 1] wraps to the last element when n_values is 0 (Python indexing).
  const c = cumsum[nValues - 1 >= 0 ? nValues - 1 : n - 1];
  // float32 (or float64) numerator over a float64 denominator (limit * int64) -> float64.
  const cutoffScale = r(r(limitR * c) - epsilon) / (1 - limit * (n - nValues));
  const cutoff = cutoffScale * vsum;
  const cutoffStored = r(cutoff);
  for (let i = 0; i < n; i++) if (weights[i] > cutoff) weights[i] = cutoffStored;
  const s = numpySum(weights, r);
  const out = like(x, n);
  for (let i = 0; i < n; i++) out[i] = r(weights[i] / s);
  return out;
}

/**
 * Which numpy's `np.quantile` to follow. numpy 2.0 (what bittensor 9.0.0, pinned by CGP, installs)
 * casts a Python-float `q` to the array's float32 and interpolates in float32; numpy >= 2.2
 * keeps `q` as float64 and rounds the interpolation weight to float32 (the vectors used 2.4).
 * Only matters when `excludeQuantile > 0`, which `set_weights` never uses.
 */
export type NumpyQuantileMode = "2.0" | "2.4";

/** `np.quantile(x, q)` (method "linear") of a float32 array, as numpy returns it (float32). */
export function quantileF32(x: Float32Array, q: number, mode: NumpyQuantileMode = "2.0"): number {
  const s = sortedCopy(x);
  const n = s.length;
  if (n === 0) throw new RangeError("quantile of an empty array");
  if (Number.isNaN(s[n - 1])) return NaN;
  const r: Rounder = mode === "2.0" ? F32 : F64;
  const virtual = r((n - 1) * r(q));
  let prev = Math.floor(virtual);
  let next = prev + 1;
  if (virtual >= n - 1) prev = next = -1;
  if (virtual < 0) prev = next = 0;
  const gamma = F32(r(virtual - prev));
  const a = s[prev < 0 ? n - 1 : prev], b = s[next < 0 ? n - 1 : next];
  const diff = F32(b - a);
  // numpy's _lerp: a + diff*t, or b - diff*(1-t) where t >= 0.5.
  if (r(virtual - prev) >= 0.5) return F32(b - F32(diff * F32(r(1 - r(virtual - prev)))));
  return F32(a + F32(diff * gamma));
}

/** Inputs of {@link processWeightsForNetuid}. */
export interface ProcessWeightsInput {
  /** uids aligned with `weights` (the validator passes `0..n-1`). */
  uids: ArrayLike<number>;
  /** Raw weights (cast to float32 first, as the SDK does). */
  weights: ArrayLike<number>;
  /** `metagraph.n`: neurons on the subnet. */
  n: number;
  /** Hyperparameter `MinAllowedWeights`. */
  minAllowedWeights: number;
  /** Hyperparameter `MaxWeightsLimit` as a fraction (`u16 / 65535`). */
  maxWeightLimit: number;
  /** Drop weights below this quantile (`u16` scale); `set_weights` uses 0. */
  excludeQuantile?: number;
  /** numpy quantile flavour for `excludeQuantile > 0` (default "2.0", see {@link NumpyQuantileMode}). */
  numpyQuantile?: NumpyQuantileMode;
}

/** `(uids, weights)` after processing; float64 weights on the uniform and 1e-5-floor paths. */
export interface ProcessedWeights {
  uids: number[];
  weights: FloatArray;
}

/**
 * `process_weights_for_netuid` (v10: `process_weights`): drops non-positive weights, applies the
 * subnet's `min_allowed_weights` / `max_weight_limit` and the exclude quantile, and normalises
 * with {@link normalizeMaxWeight}.
 *
 * @example
 * ```ts
 * import { processWeightsForNetuid } from "./weight_utils.ts";
 * processWeightsForNetuid({
 *   uids: [0, 1, 2], weights: [0.9, 0.1, 0], n: 3, minAllowedWeights: 1, maxWeightLimit: 1,
 * }); // { uids: [0, 1], weights: Float32Array [0.9, 0.1] }
 * ```
 */
export function processWeightsForNetuid(input: ProcessWeightsInput): ProcessedWeights {
  const { n, minAllowedWeights, maxWeightLimit } = input;
  const w = Float32Array.from(input.weights);
  const nz: number[] = [];
  for (let i = 0; i < w.length; i++) if (w[i] > 0) nz.push(i);
  const arange = (k: number) => Array.from({ length: k }, (_, i) => i);
  if (nz.length === 0 || n < minAllowedWeights) {
    return { uids: arange(n), weights: new Float64Array(n).fill(1 / n) };
  }
  if (nz.length < minAllowedWeights) {
    const floor = new Float64Array(n).fill(1e-5);
    for (const i of nz) {
      if (i >= n) throw new RangeError(`weight index ${i} outside metagraph.n = ${n}`);
      floor[i] += w[i];
    }
    const normalized = normalizeMaxWeight(floor, maxWeightLimit);
    return { uids: arange(normalized.length), weights: normalized };
  }
  const quantile = (input.excludeQuantile ?? 0) / U16_MAX;
  const maxExclude = Math.max(0, nz.length - minAllowedWeights) / nz.length;
  const q = Math.min(quantile, maxExclude);
  const nzw = Float32Array.from(nz, (i) => w[i]);
  const lowest = quantileF32(nzw, q, input.numpyQuantile ?? "2.0");
  const keptUids: number[] = [];
  const kept: number[] = [];
  nz.forEach((i, k) => {
    if (lowest <= nzw[k]) {
      keptUids.push(input.uids[i]);
      kept.push(nzw[k]);
    }
  });
  return { uids: keptUids, weights: normalizeMaxWeight(Float32Array.from(kept), maxWeightLimit) };
}

/**
 * Python 3 `round(x)` for a float: nearest integer, ties to even.
 *
 * @example
 * ```ts
 * import { roundHalfEven } from "./weight_utils.ts";
 * [1.5, 2.5, 3.5, 4.5].map(roundHalfEven); // [2, 2, 4, 4]
 * ```
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * `convert_weights_and_uids_for_emit`: max-upscale to 65535, round half to even, drop zeros.
 * Throws {@link WeightConversionError} where the SDK raises `ValueError` (negative weight or
 * uid, length mismatch, empty input, non-finite weights); all-zero weights give `[[], []]`.
 *
 * @example
 * ```ts
 * import { convertWeightsAndUidsForEmit } from "./weight_utils.ts";
 * convertWeightsAndUidsForEmit([0, 1, 2, 3], [0.1, 0.2, 0.3, 0.4]);
 * // { uids: [0, 1, 2, 3], weights: [16384, 32768, 49151, 65535] }
 * ```
 */
export function convertWeightsAndUidsForEmit(
  uids: ArrayLike<number>,
  weights: ArrayLike<number>,
): { uids: number[]; weights: number[] } {
  const ws = Array.from(weights);
  const us = Array.from(uids);
  if (ws.length === 0 || us.length === 0) {
    throw new WeightConversionError("no weights or uids to convert (min() of an empty list)");
  }
  if (ws.some((w) => w < 0)) {
    throw new WeightConversionError(`negative weight: ${ws.find((w) => w < 0)}`);
  }
  if (us.some((u) => u < 0)) {
    throw new WeightConversionError(`negative uid: ${us.find((u) => u < 0)}`);
  }
  if (us.length !== ws.length) {
    throw new WeightConversionError(
      `uids and weights differ in length: ${us.length} and ${ws.length}`,
    );
  }
  if (ws.some((w) => !Number.isFinite(w))) {
    throw new WeightConversionError("non-finite weight cannot be converted to an integer");
  }
  let total = 0;
  for (const w of ws) total += w;
  if (total === 0) return { uids: [], weights: [] };
  let max = -Infinity;
  for (const w of ws) if (w > max) max = w;
  const outU: number[] = [];
  const outW: number[] = [];
  for (let i = 0; i < ws.length; i++) {
    const v = roundHalfEven((ws[i] / max) * U16_MAX);
    if (v !== 0) {
      outU.push(us[i]);
      outW.push(v);
    }
  }
  return { uids: outU, weights: outW };
}
