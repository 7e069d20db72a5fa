/**
 * @module
 * The numpy statistics the ground-truth scorer uses (`np.mean`, `np.median`, `np.max`, `np.min`,
 * `np.sort`), with numpy's NaN rules: NaN propagates through mean/median/max/min and sorts last.
 * Plus `safeValue` (upstream `Utils.safe_value`: non-finite → 0) and the top-3 unique mean.
 */
import { numpyMean } from "./float32_sum.ts";

/** `np.sort` for float64: ascending, NaN last. */
export function sortNanLast(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => {
    const an = Number.isNaN(a), bn = Number.isNaN(b);
    if (an || bn) return an === bn ? 0 : an ? 1 : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** `np.mean` of float64 values (pairwise sum / n). */
export function mean(xs: readonly number[]): number {
  return numpyMean(xs);
}

/** `np.median`: middle value, or the mean of the two middle values; NaN if any is NaN. */
export function median(xs: readonly number[]): number {
  const s = sortNanLast(xs);
  const n = s.length;
  if (n === 0) return NaN;
  if (Number.isNaN(s[n - 1])) return NaN;
  if (n % 2 === 1) return s[(n - 1) / 2];
  return (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** `np.max`: NaN if any element is NaN. */
export function max(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) {
    if (Number.isNaN(x)) return NaN;
    if (x > m) m = x;
  }
  return m;
}

/** `np.min`: NaN if any element is NaN. */
export function min(xs: readonly number[]): number {
  let m = Infinity;
  for (const x of xs) {
    if (Number.isNaN(x)) return NaN;
    if (x < m) m = x;
  }
  return m;
}

/** Upstream `Utils.safe_value` for floats: NaN and ±Infinity become 0. */
export function safeValue(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

/**
 * Mean of the three highest unique-tag scores (sorted ascending, NaN last, the last three taken),
 * padded with 0.0 up to three values, as upstream `_calculate_stats` does.
 */
export function top3Mean(uniqueScores: readonly number[]): number {
  const sorted = uniqueScores.length === 0 ? [0, 0, 0] : sortNanLast(uniqueScores);
  const top = sorted.length >= 3 ? sorted.slice(-3) : sorted.slice();
  while (top.length < 3) top.push(0);
  return mean(top);
}

/** The five statistics of one response, after non-finite values were mapped to 0. */
export interface ScoreStats {
  top3Mean: number;
  median: number;
  mean: number;
  max: number;
  min: number;
}

/** Upstream `_calculate_stats(scores, scores_unique)`. */
export function calculateStats(
  scores: readonly number[],
  uniqueScores: readonly number[],
): ScoreStats {
  const empty = scores.length === 0;
  return {
    top3Mean: safeValue(top3Mean(uniqueScores)),
    median: empty ? 0 : safeValue(median(scores)),
    mean: empty ? 0 : safeValue(mean(scores)),
    max: empty ? 0 : safeValue(max(scores)),
    min: empty ? 0 : safeValue(min(scores)),
  };
}
