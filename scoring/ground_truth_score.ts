/**
 * @module
 * CGP's ground-truth tag-similarity scoring (upstream `GroundTruthTagSimilarityScoringMechanism`
 * and its no-penalty variant), as one pure function. Each miner tag is scored by the cosine
 * between its embedding and the ground-truth neighbourhood (the mean of the ground-truth
 * vectors); the response score is `0.55·top-3-unique mean + 0.10·median + 0.25·mean + 0.10·max`,
 * then multiplied by the penalties (penalty mechanism only). Skipped responses get explicit zero
 * entries so the result stays aligned with the responses.
 *
 * Embeddings of miner tags always come from the validator (`embeddings` lookup): vectors a miner
 * sends are never read.
 */
import { adjustedScore, applyPenalties, type PenaltyName } from "./penalties.ts";
import { calculateStats, type ScoreStats } from "./stats.ts";

/** An embedding: plain numbers or a typed array. */
export type Vector = ArrayLike<number>;

/** Which upstream mechanism: with penalties (conversation, webpage, survey) or without (NER). */
export type ScoringMechanism = "penalty" | "no_penalty";

/** Upstream default `min_tags`; survey and NER bundles use 1. */
export const DEFAULT_MIN_TAGS = 3;
/**
 * How many distinct tags are scored. Upstream's loop breaks only when `idx > 20`, so it scores up
 * to 21; in the real pipeline tags were already cut to 20 by validation, so 20 is the default
 * here and 21 is available as an option for parity tests (docs/scoring.md).
 */
export const DEFAULT_MAX_SCORED_TAGS = 20;

/** Raised when the ground truth itself cannot be scored (upstream `evaluate` raises). */
export class ScoringInputError extends Error {
  override name = "ScoringInputError";
}

/** The validator's ground truth for one task bundle. */
export interface GroundTruth {
  /** Ground-truth tags: decide which miner tags are "common" and which "unique". */
  tags: readonly string[];
  /**
   * Ground-truth embeddings, tag → vector. Only the values are used (their mean is the
   * neighbourhood), in insertion order; use a `Map` when the order must be exact (object keys
   * that look like integers are reordered by JavaScript).
   */
  vectors: Map<string, Vector> | Record<string, Vector>;
}

/** One miner response after validation: its tags, or null for no/empty output. */
export type MinerResponse = { tags: readonly string[] | null | undefined } | null | undefined;

/** Inputs of {@link scoreResponses}. */
export interface ScoreResponsesInput {
  groundTruth: GroundTruth;
  responses: readonly MinerResponse[];
  /** Responses with fewer tags (raw list length, duplicates included) get a zero entry. */
  minTags?: number;
  mechanism?: ScoringMechanism;
  /**
   * The validator's embedding of a miner tag (`responseIndex` lets a caller keep per-response
   * lookups). `undefined` means no vector (score 0, like a tag missing from upstream's vector
   * dict); throwing makes the whole response a zero entry (like upstream's exception path).
   */
  embeddings: (tag: string, responseIndex: number) => Vector | undefined | null;
  /** Maximum distinct tags scored per response (default 20; upstream effectively uses 21). */
  maxScoredTags?: number;
  /**
   * Score of a tag whose embedding is all zeros (an embedder's "no vector", e.g. the offline
   * GloVe embedder for a phrase with no known word). `"zero"` (default) gives 0, which is what
   * upstream's `np.all(v == 0)` check intends; `"nan"` reproduces what upstream actually does with
   * list vectors (the check never fires, 0/0 = NaN, which then zeroes the response's mean,
   * median and max). See docs/scoring.md.
   */
  zeroVector?: "zero" | "nan";
  /**
   * Test hook: the order in which distinct tags are scored (upstream uses Python set order). It
   * receives the distinct tags in first-appearance order and must return a permutation of them.
   */
  iterationOrder?: (distinctTags: string[], responseIndex: number) => string[];
}

/** Why a response got a zero entry. */
export type ZeroReason = "no_output" | "too_few_tags" | "invalid_tags" | "embedding_error";

/** The score of one tag. */
export interface TagScore {
  tag: string;
  /** Cosine against the neighbourhood; 0 when no vector; may be NaN or ±Infinity (as upstream). */
  score: number;
  /** Not among the ground-truth tags. */
  unique: boolean;
}

/** The scoring of one response. */
export interface ResponseScore {
  index: number;
  /** Skipped: no output, too few tags, or an error; its scores are 0. */
  zeroEntry: boolean;
  zeroReason?: ZeroReason;
  /** Error text when `zeroReason` is `embedding_error`. */
  error?: string;
  adjustedScore: number;
  finalScore: number;
  /** The rest is present when the response was scored. */
  distinctTagCount?: number;
  scoredTags?: string[];
  perTag?: TagScore[];
  uniqueScores?: number[];
  /** Distinct tags in common with the ground truth / not in it (all tags, not only scored). */
  numBoth?: number;
  numUnique?: number;
  totalTagCount?: number;
  stats?: ScoreStats;
  penalties?: PenaltyName[];
}

/** Result of {@link scoreResponses}. */
export interface ScoreResponsesResult {
  /** Mean of the ground-truth vectors, or null when there are none. */
  neighborhood: Float64Array | null;
  /** One entry per response, in order. */
  results: ResponseScore[];
  /** `results[i].finalScore`, aligned with the responses (zero entries are 0). */
  rankScores: Float64Array;
}

function vectorValues(v: GroundTruth["vectors"]): Vector[] {
  return v instanceof Map ? [...v.values()] : Object.values(v);
}

/**
 * The neighbourhood: element-wise mean of the ground-truth vectors, summed row by row like
 * `np.mean(all_vectors, axis=0)`. Vectors of different lengths throw {@link ScoringInputError}.
 */
export function semanticNeighborhood(vectors: GroundTruth["vectors"]): Float64Array | null {
  const rows = vectorValues(vectors);
  if (rows.length === 0) return null;
  const dim = rows[0].length;
  const acc = new Float64Array(dim);
  for (const row of rows) {
    if (row.length !== dim) {
      throw new ScoringInputError(
        `ground-truth vectors differ in length (${dim} and ${row.length}): cannot average them`,
      );
    }
    for (let j = 0; j < dim; j++) acc[j] += row[j];
  }
  for (let j = 0; j < dim; j++) acc[j] /= rows.length;
  return acc;
}

function dot(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Upstream `_score_vector_similarity`: `dot(nb, v) / (norm(nb)·norm(v))` with `norm(x) =
 * sqrt(dot(x, x))` and no rescaling, so a zero vector gives NaN, an underflowing norm ±Infinity
 * and an overflowing one 0. Where upstream's numpy call raises (no neighbourhood, different
 * lengths, empty vector) the score is 0.
 */
export function cosineScore(
  neighborhood: Vector | null,
  v: Vector | null | undefined,
  neighborhoodNorm?: number,
): number {
  if (!neighborhood || !v || v.length !== neighborhood.length) return 0;
  const nbNorm = neighborhoodNorm ?? Math.sqrt(dot(neighborhood, neighborhood));
  return dot(neighborhood, v) / (nbNorm * Math.sqrt(dot(v, v)));
}

function isAllZero(v: Vector): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}

function zero(index: number, zeroReason: ZeroReason, error?: string): ResponseScore {
  return {
    index,
    zeroEntry: true,
    zeroReason,
    ...(error ? { error } : {}),
    adjustedScore: 0,
    finalScore: 0,
  };
}

/**
 * Scores every miner response of one task against the ground truth, like upstream `evaluate`.
 *
 * @example
 * ```ts
 * import { scoreResponses } from "./ground_truth_score.ts";
 * const vec: Record<string, number[]> = { travel: [1, 0], music: [0.8, 0.6], food: [0, 1] };
 * const { rankScores } = scoreResponses({
 *   groundTruth: { tags: ["travel", "music"], vectors: { travel: vec.travel, music: vec.music } },
 *   responses: [{ tags: ["travel", "music", "food"] }, null],
 *   embeddings: (tag) => vec[tag],
 * });
 * rankScores.length; // 2 (the null response gets 0)
 * ```
 */
export function scoreResponses(input: ScoreResponsesInput): ScoreResponsesResult {
  const minTags = input.minTags ?? DEFAULT_MIN_TAGS;
  const mechanism = input.mechanism ?? "penalty";
  const maxScored = input.maxScoredTags ?? DEFAULT_MAX_SCORED_TAGS;
  if (mechanism !== "penalty" && mechanism !== "no_penalty") {
    throw new ScoringInputError(`unknown scoring mechanism ${JSON.stringify(mechanism)}`);
  }
  const neighborhood = semanticNeighborhood(input.groundTruth.vectors);
  const zeroVectorIsZero = (input.zeroVector ?? "zero") === "zero";
  const nbNorm = neighborhood ? Math.sqrt(dot(neighborhood, neighborhood)) : 0;
  const gtTags = new Set(input.groundTruth.tags);
  const results: ResponseScore[] = input.responses.map((response, index) => {
    if (!response) return zero(index, "no_output");
    const tags = response.tags;
    if (!Array.isArray(tags)) return zero(index, "invalid_tags");
    if (tags.length < minTags) return zero(index, "too_few_tags");
    if (tags.some((t) => typeof t !== "string")) return zero(index, "invalid_tags");
    const distinct = [...new Set(tags as string[])];
    let order = distinct;
    if (input.iterationOrder) {
      order = input.iterationOrder(distinct.slice(), index);
      if (
        order.length !== distinct.length || new Set(order).size !== order.length ||
        order.some((t) => !distinct.includes(t))
      ) {
        throw new ScoringInputError(
          "iterationOrder must return a permutation of the distinct tags",
        );
      }
    }
    let numBoth = 0;
    for (const t of distinct) if (gtTags.has(t)) numBoth++;
    const numUnique = distinct.length - numBoth;
    const perTag: TagScore[] = [];
    try {
      for (const tag of order.slice(0, Math.max(0, maxScored))) {
        const unique = !gtTags.has(tag);
        const v = input.embeddings(tag, index);
        perTag.push({
          tag,
          unique,
          score: v === undefined || v === null || (zeroVectorIsZero && isAllZero(v))
            ? 0
            : cosineScore(neighborhood, v, nbNorm),
        });
      }
    } catch (e) {
      return zero(index, "embedding_error", e instanceof Error ? e.message : String(e));
    }
    const scores = perTag.map((p) => p.score);
    const uniqueScores = perTag.filter((p) => p.unique).map((p) => p.score);
    const stats = calculateStats(scores, uniqueScores);
    const adjusted = adjustedScore(stats);
    const totalTagCount = numBoth + numUnique;
    const pen = mechanism === "penalty"
      ? applyPenalties(adjusted, {
        totalTags: totalTagCount,
        uniqueTags: numUnique,
        max: stats.max,
      })
      : { score: adjusted, applied: [] as PenaltyName[] };
    return {
      index,
      zeroEntry: false,
      adjustedScore: adjusted,
      finalScore: pen.score,
      distinctTagCount: distinct.length,
      scoredTags: perTag.map((p) => p.tag),
      perTag,
      uniqueScores,
      numBoth,
      numUnique,
      totalTagCount,
      stats,
      penalties: pen.applied,
    };
  });
  return { neighborhood, results, rankScores: Float64Array.from(results, (r) => r.finalScore) };
}
