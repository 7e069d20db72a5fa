/**
 * @module
 * CGP's rank-based weights (upstream `ValidatorLib.get_raw_weights` and
 * `transposed_cubic_distribution`): miners are ranked by score (ties in random order, zero
 * scores and the burn uid left out), rank `i` of `N` gets a point on a flat-middle cubic between
 * 0.001 and 0.003, those are scaled to `1 - burnRate`, and the subnet owner's uid gets
 * `burnRate` (0.9).
 */
import { numpySum } from "./float32_sum.ts";

/** Owner burn share upstream hard-codes. */
export const DEFAULT_BURN_RATE = 0.9;

/**
 * The weight of rank `i` (0 = best) among `n` ranked uids:
 * `0.001 + 0.002·((2(n-i-1)/n - 1)³ + 1)/2`, evaluated in upstream's operation order.
 *
 * @example
 * ```ts
 * import { transposedCubic } from "./rank_weights.ts";
 * transposedCubic(0, 4); // 0.002125
 * transposedCubic(3, 4); // 0.001
 * ```
 */
export function transposedCubic(i: number, n: number): number {
  const yMin = 0.001, yMax = 0.003;
  const x = (2 * (n - i - 1)) / n - 1;
  const y = x ** 3;
  return yMin + ((yMax - yMin) * (y + 1)) / 2;
}

/**
 * Raw weights from scores. Returns `null` (no weights this round) for empty scores or any NaN.
 * A burn uid outside `[0, n)` is ignored (weights are then L1-normalised); `burnRate` is clamped
 * to [0, 1]. `random` breaks ties between equal non-zero scores (upstream shuffles them with
 * numpy's global RNG).
 *
 * @example
 * ```ts
 * import { rawWeights } from "./rank_weights.ts";
 * rawWeights([0, 0.5, 0.2], 0, 0.9, Math.random); // Float64Array [0.9, ~0.0667, ~0.0333]
 * ```
 */
export function rawWeights(
  scores: ArrayLike<number> | null | undefined,
  burnUid: number | null,
  burnRate: number = DEFAULT_BURN_RATE,
  random: () => number = Math.random,
): Float64Array | null {
  if (!scores || scores.length === 0) return null;
  const n = scores.length;
  for (let i = 0; i < n; i++) if (Number.isNaN(scores[i])) return null;
  // Python's max(0.0, min(1.0, rate)) keeps 1.0 for a NaN rate.
  const rate = Number.isNaN(burnRate) ? 1 : Math.max(0, Math.min(1, burnRate));
  let burn: number | null = burnUid;
  if (burn !== null && !(Number.isInteger(burn) && burn >= 0 && burn < n)) burn = null;
  const distributed = Math.max(0, 1 - rate);

  const ranked: { uid: number; score: number; key: number }[] = [];
  for (let uid = 0; uid < n; uid++) {
    const s = scores[uid];
    if (s === 0 || uid === burn) continue;
    ranked.push({ uid, score: s, key: random() });
  }
  ranked.sort((a, b) => (b.score > a.score ? 1 : b.score < a.score ? -1 : a.key - b.key));

  const raw = new Float64Array(n);
  const count = ranked.length;
  if (count > 0 && distributed > 0) {
    const temp = new Float64Array(n);
    ranked.forEach((r, i) => {
      temp[r.uid] = transposedCubic(i, count);
    });
    const sumTemp = numpySum(temp.map(Math.abs));
    if (sumTemp > 0) {
      const scale = distributed / sumTemp;
      for (let i = 0; i < n; i++) raw[i] = 0 + temp[i] * scale;
    }
  }
  if (burn !== null && rate > 0) raw[burn] = rate;
  const total = numpySum(raw.map(Math.abs));
  if (total > 0 && !(burn !== null && rate > 0)) {
    for (let i = 0; i < n; i++) raw[i] = raw[i] / total;
  }
  // With a burn uid upstream only rescales when the burn entry differs from the rate, which it
  // never does right after being assigned, so nothing more happens on that path.
  return raw;
}
