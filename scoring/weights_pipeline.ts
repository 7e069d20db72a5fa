/**
 * @module
 * The whole weight computation of upstream `BaseValidatorNeuron.set_weights`, minus the chain
 * call: skip when every score is 0, rank-based raw weights with the owner burn, the SDK's
 * `process_weights_for_netuid`, then `convert_weights_and_uids_for_emit`. Where upstream would
 * crash (a conversion `ValueError`) this returns a skip with the reason instead.
 */
import { DEFAULT_BURN_RATE, rawWeights } from "./rank_weights.ts";
import {
  convertWeightsAndUidsForEmit,
  type NumpyQuantileMode,
  type ProcessedWeights,
  processWeightsForNetuid,
  WeightConversionError,
} from "./weight_utils.ts";

/** The subnet hyperparameters `process_weights_for_netuid` reads. */
export interface WeightHyperparameters {
  /** `MinAllowedWeights`. */
  minAllowedWeights: number;
  /** `MaxWeightsLimit / 65535`. */
  maxWeightLimit: number;
}

/** Inputs of {@link computeWeights}. */
export interface ComputeWeightsInput {
  /** The validator's scores (from `updateScores`), one per uid. */
  scores: ArrayLike<number>;
  /** The subnet owner's uid, or null when the owner hotkey is not registered. */
  burnUid: number | null;
  /** Share burnt to the owner (upstream: 0.9). */
  burnRate?: number;
  hyperparameters: WeightHyperparameters;
  /** `metagraph.n`; defaults to `scores.length`. */
  n?: number;
  /** Tie-break source for equal scores (default `Math.random`). */
  random?: () => number;
  /** Default 0, as `set_weights` uses. */
  excludeQuantile?: number;
  numpyQuantile?: NumpyQuantileMode;
}

/** Why no weights are set this round. */
export type WeightSkipReason = "empty" | "all_zero" | "no_raw_weights" | "conversion_error";

/** Result of {@link computeWeights}. */
export type ComputeWeightsResult =
  | {
    ok: true;
    /** `get_raw_weights` output (float64), one per uid. */
    raw: Float64Array;
    /** `process_weights_for_netuid` output. */
    processed: ProcessedWeights;
    /** What goes into the `set_weights` extrinsic (u16 values, zeros dropped). */
    emit: { uids: number[]; weights: number[] };
  }
  | { ok: false; reason: WeightSkipReason; message: string };

/**
 * scores → raw → processed → emit.
 *
 * @example
 * ```ts
 * import { computeWeights } from "./weights_pipeline.ts";
 * const r = computeWeights({
 *   scores: [0, 0.4, 0.6],
 *   burnUid: 0,
 *   hyperparameters: { minAllowedWeights: 1, maxWeightLimit: 1 },
 * });
 * if (r.ok) r.emit.weights[0]; // 65535: the burn uid gets the largest weight
 * ```
 */
export function computeWeights(input: ComputeWeightsInput): ComputeWeightsResult {
  const scores = input.scores;
  if (!scores || scores.length === 0) return { ok: false, reason: "empty", message: "no scores" };
  let allZero = true;
  for (let i = 0; i < scores.length; i++) if (scores[i] !== 0) allZero = false;
  if (allZero) return { ok: false, reason: "all_zero", message: "every score is 0" };
  const raw = rawWeights(scores, input.burnUid, input.burnRate ?? DEFAULT_BURN_RATE, input.random);
  if (!raw) return { ok: false, reason: "no_raw_weights", message: "scores hold NaN" };
  const n = input.n ?? scores.length;
  const processed = processWeightsForNetuid({
    uids: Array.from({ length: raw.length }, (_, i) => i),
    weights: raw,
    n,
    minAllowedWeights: input.hyperparameters.minAllowedWeights,
    maxWeightLimit: input.hyperparameters.maxWeightLimit,
    excludeQuantile: input.excludeQuantile ?? 0,
    numpyQuantile: input.numpyQuantile,
  });
  try {
    const emit = convertWeightsAndUidsForEmit(processed.uids, processed.weights);
    return { ok: true, raw, processed, emit };
  } catch (e) {
    if (e instanceof WeightConversionError) {
      return { ok: false, reason: "conversion_error", message: e.message };
    }
    throw e;
  }
}
