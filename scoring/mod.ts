/**
 * @module
 * CGP scoring, as pure functions with upstream parity: tag cleaning and validation-reply parsing,
 * the ground-truth tag-similarity score, the EMA score update, rank-based weights with the owner
 * burn, and the Bittensor SDK's weight processing and u16 conversion. See docs/scoring.md for
 * where and why this deviates from upstream.
 */
export { PY_WHITESPACE, pyIsSpace, pyLen, pyLower, pyStrip } from "./python_text.ts";
export { getSafeTag } from "./safe_tag.ts";
export { cleanTags, getCleanTagSet, MAX_TAG_LENGTH, MIN_TAG_LENGTH } from "./clean_tags.ts";
export {
  MAX_VALIDATED_TAGS,
  type ParseTagValidationOptions,
  parseTagValidationReply,
  type RandomSource,
  sampleWithoutReplacement,
  selectTagsForValidation,
  validateNamedEntitiesTagSet,
  VALIDATION_TAG_MAX_CHARS,
} from "./validate_tags.ts";
export {
  cosineScore,
  DEFAULT_MAX_SCORED_TAGS,
  DEFAULT_MIN_TAGS,
  type GroundTruth,
  type MinerResponse,
  type ResponseScore,
  scoreResponses,
  type ScoreResponsesInput,
  type ScoreResponsesResult,
  ScoringInputError,
  type ScoringMechanism,
  semanticNeighborhood,
  type TagScore,
  type Vector,
  type ZeroReason,
} from "./ground_truth_score.ts";
export {
  adjustedScore,
  applyPenalties,
  PENALTIES,
  type PenaltyName,
  SCORING_FACTORS,
} from "./penalties.ts";
export { calculateStats, type ScoreStats } from "./stats.ts";
export { F32, F64, numpyCumsum, numpyMean, numpySum, type Rounder } from "./float32_sum.ts";
export { updateScores, type UpdateScoresInput, type UpdateScoresResult } from "./ema.ts";
export { DEFAULT_BURN_RATE, rawWeights, transposedCubic } from "./rank_weights.ts";
export {
  convertWeightsAndUidsForEmit,
  type FloatArray,
  normalizeMaxWeight,
  type NumpyQuantileMode,
  type ProcessedWeights,
  processWeightsForNetuid,
  type ProcessWeightsInput,
  quantileF32,
  roundHalfEven,
  U16_MAX,
  WeightConversionError,
} from "./weight_utils.ts";
export {
  computeWeights,
  type ComputeWeightsInput,
  type ComputeWeightsResult,
  type WeightHyperparameters,
  type WeightSkipReason,
} from "./weights_pipeline.ts";
