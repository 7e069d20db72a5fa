/**
 * @module
 * The bodies a validator PUTs to `/api/v1/conversation/record/{bundle_guid}`, in today's upstream
 * format: one validator record per bundle (its ground truth) and one miner record per answer.
 * The embeddings model reported is the one actually used (upstream reports a configured name).
 */
import { z } from "zod";
import type { Task } from "../tasks/mod.ts";
import type { PreparedTaskBundle } from "./bundle_setup.ts";
import type { MinerTaskScore } from "./score_task.ts";

/** The upstream `cgp_version` our records claim compatibility with. */
export const CGP_VERSION = "2.30.65";

/** Fields common to every record of one validator. */
export const RecordContextSchema = z.object({
  mode: z.string(),
  model: z.string(),
  embeddingsModel: z.string(),
  llmType: z.string(),
  markerId: z.union([z.string(), z.number()]).nullable(),
  netuid: z.number().int(),
  hotkey: z.string(),
  batchNumber: z.number().int(),
});
/** Fields common to every record of one validator. */
export type RecordContext = z.infer<typeof RecordContextSchema>;

function base(ctx: RecordContext) {
  return {
    mode: ctx.mode,
    model: ctx.model,
    embeddings_model: ctx.embeddingsModel,
    marker_id: ctx.markerId,
    llm_type: ctx.llmType,
    scoring_version: 0.1,
    cgp_version: CGP_VERSION,
    netuid: ctx.netuid,
    hotkey: ctx.hotkey,
    batch_number: ctx.batchNumber,
  };
}

/** The validator's record of a bundle's ground truth. */
export function validatorRecord(ctx: RecordContext, prepared: PreparedTaskBundle) {
  return {
    ...base(ctx),
    neuron_type: "validator" as const,
    task_id: null,
    data: {
      participantProfiles: prepared.bundle.input.data.participants ?? [],
      tags: prepared.groundTruth.tags,
      vectors: Object.fromEntries(
        prepared.groundTruth.vectors.map(([t, v]) => [t, { vectors: v }]),
      ),
    },
  };
}

/** A record of one miner's answer to one task (the unmasked task, the original and used tags). */
export function minerRecord(ctx: RecordContext, task: Task, score: MinerTaskScore) {
  return {
    ...base(ctx),
    hotkey: score.hotkey,
    neuron_type: "miner" as const,
    task_id: task.guid ?? null,
    data: {
      result: {
        uid: score.uid,
        tags: score.validatedTags,
        original_tags: score.originalTags,
        status: score.status,
        final_miner_score: score.reward,
        adjusted_score: score.adjustedScore,
        penalties: score.penalties,
        zero_reason: score.zeroReason ?? null,
      },
      task,
    },
  };
}
