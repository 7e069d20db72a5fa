/**
 * @module
 * The validator's score update (upstream `ValidatorLib.update_scores` plus the acceptance check of
 * `BaseValidatorNeuron.update_scores`), in emulated float32 so the EMA matches numpy bit for bit:
 * queried uids get `α·reward + (1-α)·ema`, a zero reward (or a uid left at 0) decays by
 * `1 - α/2`, then the EMA is normalised, raised to `power` and renormalised. Sums follow numpy's
 * pairwise order (`float32_sum.ts`); the uniform `1/n` fallbacks are float64, as in numpy.
 */
import { F32, F64, numpySum, type Rounder } from "./float32_sum.ts";

/** numpy's largest float32, which `np.nan_to_num` puts in place of +Infinity. */
const F32_MAX = 3.4028234663852886e38;

/** Inputs of {@link updateScores}. */
export interface UpdateScoresInput {
  /** Current moving average, one per uid (float32). */
  ema: Float32Array;
  /** Current scores (returned unchanged when the update is rejected); zeros when absent. */
  scores?: Float32Array | Float64Array;
  /** The queried uids. */
  uids: ArrayLike<number>;
  /** Their rewards (rank scores), aligned with `uids`; one reward is broadcast to every uid. */
  rewards: ArrayLike<number>;
  /** Moving-average weight of a new reward (`--neuron.moving_average_alpha`, 0.1). */
  alpha?: number;
  /** Non-linear power (upstream hard-codes 3). */
  power?: number;
  /** Number of neurons for the uniform fallback (`metagraph.n`); defaults to `ema.length`. */
  n?: number;
}

/** Result of {@link updateScores}. */
export interface UpdateScoresResult {
  /** The EMA to keep: the new one when accepted, else the input. */
  ema: Float32Array;
  /** The scores to keep: float32, or float64 when a uniform `1/n` fallback was taken. */
  scores: Float32Array | Float64Array;
  /** False when the computed scores or EMA held NaN (upstream then keeps the old state). */
  accepted: boolean;
  /** What the update computed, whether or not it was accepted. */
  computed: { ema: Float32Array; scores: Float32Array | Float64Array };
}

/** `copy[uids] = rewards` with numpy's rules; returns false where numpy would raise. */
function scatter(target: Float32Array, uids: ArrayLike<number>, rewards: Float32Array): boolean {
  const n = target.length;
  const k = uids.length;
  if (!(rewards.length === k || rewards.length === 1)) return false;
  const idx: number[] = [];
  for (let i = 0; i < k; i++) {
    const u = uids[i];
    if (!Number.isInteger(u) || u < -n || u >= n) return false;
    idx.push(u < 0 ? u + n : u);
  }
  for (let i = 0; i < k; i++) target[idx[i]] = rewards[rewards.length === 1 ? 0 : i];
  return true;
}

function normalise(
  x: Float32Array | Float64Array,
  r: Rounder,
  n: number,
): Float32Array | Float64Array {
  const sum = numpySum(x, r);
  if (sum > 0) {
    const out = x instanceof Float32Array ? new Float32Array(x.length) : new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = r(x[i] / sum);
    return out;
  }
  // `np.ones_like(x) / metagraph.n` with a 0-d int64 n: float64.
  return new Float64Array(x.length).fill(1 / n);
}

/**
 * One score update, as upstream does it after each task.
 *
 * @example
 * ```ts
 * import { updateScores } from "./ema.ts";
 * const r = updateScores({ ema: new Float32Array(4), uids: [0, 1], rewards: [0.5, 0.25] });
 * r.accepted; // true
 * r.ema[0]; // Math.fround(Math.fround(0.1) * 0.5)
 * ```
 */
export function updateScores(input: UpdateScoresInput): UpdateScoresResult {
  const alpha = input.alpha ?? 0.1;
  const power = input.power ?? 3;
  const n = input.n ?? input.ema.length;
  const ema = Float32Array.from(input.ema);
  const rewards = Float32Array.from(input.rewards);
  // np.nan_to_num runs only when a NaN is present; it also caps ±Infinity at ±float32 max.
  if (rewards.some((x) => Number.isNaN(x))) {
    for (let i = 0; i < rewards.length; i++) {
      const x = rewards[i];
      rewards[i] = Number.isNaN(x) ? 0 : x === Infinity ? F32_MAX : x === -Infinity ? -F32_MAX : x;
    }
  }
  const scattered = Float32Array.from(ema);
  if (!scatter(scattered, input.uids, rewards)) scattered.set(ema);
  // Python floats meeting float32 arrays are rounded to float32 first (NEP 50).
  const decay = F32(1 - alpha / 2);
  const a = F32(alpha);
  const keep = F32(1 - alpha);
  const next = new Float32Array(ema.length);
  for (let i = 0; i < ema.length; i++) {
    const s = scattered[i];
    next[i] = s === 0 ? F32(decay * ema[i]) : F32(F32(a * s) + F32(keep * ema[i]));
  }
  const normalized = normalise(next, F32, n);
  const r = normalized instanceof Float32Array ? F32 : F64;
  const transformed = normalized instanceof Float32Array
    ? new Float32Array(normalized.length)
    : new Float64Array(normalized.length);
  for (let i = 0; i < normalized.length; i++) transformed[i] = r(Math.pow(normalized[i], power));
  const scores = normalise(transformed, r, n);
  const accepted = scores.length > 0 && next.length > 0 && !scores.some((x) => Number.isNaN(x)) &&
    !next.some((x) => Number.isNaN(x));
  const prevScores = input.scores ?? new Float32Array(ema.length);
  return {
    ema: accepted ? next : Float32Array.from(input.ema),
    scores: accepted ? scores : prevScores.slice(),
    accepted,
    computed: { ema: next, scores },
  };
}
