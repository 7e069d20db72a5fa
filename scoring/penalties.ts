/**
 * @module
 * The penalty table and the weighted score formula of CGP's ground-truth tag-similarity scorer
 * (upstream `utils/constants.py::PENALTIES` and `scoring_factors`).
 */
import type { ScoreStats } from "./stats.ts";

/** Upstream `PENALTIES`, same shape and values. */
export const PENALTIES = {
  no_both_tags: { penalty: 0.9 },
  all_junk_tags: { threshold: 0.2, penalty: 0.5 },
  too_few_tags: { threshold: 2, penalty: 0.2 },
  num_unique_tags: {
    less_than_1: { penalty: 0.85 },
    less_than_2: { penalty: 0.9 },
    less_than_3: { penalty: 0.95 },
  },
} as const;

/** Weights of the four statistics in the adjusted score. */
export const SCORING_FACTORS = {
  top_3_mean: 0.55,
  median_score: 0.1,
  mean_score: 0.25,
  max_score: 0.1,
} as const;

/** Names of the penalties, as recorded in the vectors. */
export type PenaltyName =
  | "no_both_tags"
  | "all_junk_tags"
  | "too_few_tags"
  | "num_unique_tags.less_than_1"
  | "num_unique_tags.less_than_2"
  | "num_unique_tags.less_than_3";

/** `0.55·top3 + 0.10·median + 0.25·mean + 0.10·max`, summed left to right like upstream. */
export function adjustedScore(stats: ScoreStats): number {
  return SCORING_FACTORS.top_3_mean * stats.top3Mean +
    SCORING_FACTORS.median_score * stats.median +
    SCORING_FACTORS.mean_score * stats.mean +
    SCORING_FACTORS.max_score * stats.max;
}

/**
 * Upstream `_calculate_penalty`: multiplies in order ×0.9 (no tag in common with the ground
 * truth), ×0.5 (max < 0.2), ×0.2 (fewer than 2 distinct tags), then ×0.85 / ×0.9 / ×0.95 for
 * fewer than 1 / 2 / 3 unique tags. `totalTags` and `uniqueTags` count distinct tags.
 *
 * @example
 * ```ts
 * import { applyPenalties } from "./penalties.ts";
 * applyPenalties(1, { totalTags: 5, uniqueTags: 5, max: 0.8 }); // { score: 0.9, applied: ["no_both_tags"] }
 * ```
 */
export function applyPenalties(
  score: number,
  counts: { totalTags: number; uniqueTags: number; max: number },
): { score: number; applied: PenaltyName[] } {
  const applied: PenaltyName[] = [];
  let s = score;
  const both = counts.totalTags - counts.uniqueTags;
  if (both === 0) {
    s *= PENALTIES.no_both_tags.penalty;
    applied.push("no_both_tags");
  }
  if (counts.max < PENALTIES.all_junk_tags.threshold) {
    s *= PENALTIES.all_junk_tags.penalty;
    applied.push("all_junk_tags");
  }
  if (counts.totalTags < PENALTIES.too_few_tags.threshold) {
    s *= PENALTIES.too_few_tags.penalty;
    applied.push("too_few_tags");
  }
  if (counts.uniqueTags < 1) {
    s *= PENALTIES.num_unique_tags.less_than_1.penalty;
    applied.push("num_unique_tags.less_than_1");
  } else if (counts.uniqueTags < 2) {
    s *= PENALTIES.num_unique_tags.less_than_2.penalty;
    applied.push("num_unique_tags.less_than_2");
  } else if (counts.uniqueTags < 3) {
    s *= PENALTIES.num_unique_tags.less_than_3.penalty;
    applied.push("num_unique_tags.less_than_3");
  }
  return { score: s, applied };
}
