/**
 * @module
 * Scoring the miners' answers to one task, as today's upstream validator does: validate each
 * miner's tags (LLM validation, or cleaning only for named entities), embed every validated tag
 * with the validator's own model in one batch (miner vectors are ignored), then the ground-truth
 * similarity score. One entry per queried miner, always: a miner that timed out, answered
 * garbage or too few tags gets an explicit zero so rewards stay aligned with uids.
 */
import { scoreResponses, type Vector } from "../scoring/ground_truth_score.ts";
import { validateNamedEntitiesTagSet } from "../scoring/validate_tags.ts";
import type { PreparedTaskBundle } from "./bundle_setup.ts";
import type { ValidatorLlm } from "./llm_ops.ts";

/** One miner's answer as the MinerClient reports it. */
export interface MinerAnswer {
  uid: number;
  hotkey: string;
  /** The dendrite status code (200 on success). */
  status: number;
  /** `cgp_output[0].tags` when the answer was usable, else null. */
  tags: string[] | null;
}

/** The score of one miner on one task. */
export interface MinerTaskScore {
  uid: number;
  hotkey: string;
  status: number;
  originalTags: string[];
  validatedTags: string[];
  reward: number;
  adjustedScore: number;
  zeroReason?: string;
  penalties: string[];
}

/** What scoring a task needs of its bundle (a {@link PreparedTaskBundle} has it). */
export interface ScoringInputs {
  groundTruth: { tags: readonly string[]; vectors: Iterable<readonly [string, Vector]> };
  mechanism: PreparedTaskBundle["mechanism"];
  minTags: number;
  tagValidation: PreparedTaskBundle["tagValidation"];
}

/** Scores the answers to one task; `rewards[i]` belongs to `answers[i].uid`. */
export async function scoreTask(
  prepared: ScoringInputs,
  answers: readonly MinerAnswer[],
  llm: ValidatorLlm,
  random: () => number = Math.random,
): Promise<{ scores: MinerTaskScore[]; rewards: number[] }> {
  const validated: Array<string[] | null> = [];
  for (const a of answers) {
    if (a.status !== 200 || !a.tags || a.tags.length === 0) {
      validated.push(null);
      continue;
    }
    validated.push(
      prepared.tagValidation === "clean_only"
        ? validateNamedEntitiesTagSet(a.tags, random)
        : await llm.validateTags(a.tags, random),
    );
  }
  const allTags = [...new Set(validated.flatMap((t) => t ?? []))];
  const vectors = allTags.length ? await llm.embed(allTags) : new Map<string, Float32Array>();
  const result = scoreResponses({
    groundTruth: {
      tags: [...prepared.groundTruth.tags],
      vectors: new Map(prepared.groundTruth.vectors),
    },
    responses: validated.map((tags) => (tags ? { tags } : null)),
    minTags: prepared.minTags,
    mechanism: prepared.mechanism,
    embeddings: (tag) => vectors.get(tag),
  });
  const scores = answers.map((a, i): MinerTaskScore => {
    const r = result.results[i];
    const zeroReason = a.status !== 200
      ? `status ${a.status}`
      : !a.tags || !a.tags.length
      ? "no tags"
      : validated[i] === null
      ? "tag validation failed"
      : r.zeroReason;
    return {
      uid: a.uid,
      hotkey: a.hotkey,
      status: a.status,
      originalTags: a.tags ?? [],
      validatedTags: validated[i] ?? [],
      reward: Number.isFinite(r.finalScore) ? r.finalScore : 0,
      adjustedScore: Number.isFinite(r.adjustedScore) ? r.adjustedScore : 0,
      zeroReason: r.zeroEntry || a.status !== 200 ? zeroReason : undefined,
      penalties: r.penalties ?? [],
    };
  });
  return { scores, rewards: scores.map((s) => s.reward) };
}
