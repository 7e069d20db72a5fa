/**
 * @module
 * Scorer: validates miners' tags, embeds them with the validator's own model (batched, cached)
 * and scores them against the bundle's ground truth. It also embeds ground-truth tags for the
 * ConversationFetcher, so the embedding model lives in one isolate only.
 */
import { z } from "zod";
import { defineActor } from "../../actors/mod.ts";
import { scoreTask } from "../score_task.ts";
import { PackedVectorsSchema, unpackVectors } from "../packed_vectors.ts";

/** The parts of a prepared bundle scoring needs. */
export const ScoringPlanSchema = z.object({
  groundTruth: z.object({ tags: z.array(z.string()), vectors: PackedVectorsSchema }),
  mechanism: z.enum(["penalty", "no_penalty"]),
  minTags: z.number().int().nonnegative(),
  tagValidation: z.enum(["llm", "clean_only"]),
});

/** One miner's answer (as MinerClient reports it). */
export const MinerAnswerSchema = z.object({
  uid: z.number().int(),
  hotkey: z.string(),
  status: z.number().int(),
  tags: z.array(z.string()).nullable(),
});

/**
 * Chaos hook for resilience tests: `CGP_CHAOS_SCORER_CRASH_AT=N` makes the N-th score message of
 * this isolate throw once (a real crash: the supervisor restarts the actor and the message is
 * retried). Unset in production.
 */
let chaosCount = 0;
function chaos(): void {
  const at = Number(Deno.env.get("CGP_CHAOS_SCORER_CRASH_AT") ?? 0);
  if (at > 0 && ++chaosCount === at) throw new Error(`chaos: scorer crash at message ${at}`);
}

/** The Scorer actor definition. */
export const scorer = defineActor({
  module: import.meta.url,
  messages: {
    score: z.object({ plan: ScoringPlanSchema, answers: z.array(MinerAnswerSchema) }),
    embed: z.object({ tags: z.array(z.string()) }),
  },
  async init() {
    // Loaded here, not at module level: the main thread imports this definition too.
    const { validatorLlmFromEnv } = await import("../validator_llm.ts");
    return { llm: validatorLlmFromEnv(), scored: 0 };
  },
  handle: {
    /**
     * Scores one task. An LLM or embedding failure is the validator's problem, not the miners':
     * it is answered as `{ok: false}` (the task is then not counted) instead of zero scores.
     */
    async score(state, msg) {
      state.scored++;
      chaos();
      try {
        return {
          ok: true as const,
          ...(await scoreTask(
            {
              ...msg.plan,
              groundTruth: {
                tags: msg.plan.groundTruth.tags,
                vectors: unpackVectors(msg.plan.groundTruth.vectors),
              },
            },
            msg.answers,
            state.llm,
          )),
        };
      } catch (e) {
        return { ok: false as const, error: (e as Error).message };
      }
    },
    async embed(state, msg) {
      try {
        const m = await state.llm.embed(msg.tags);
        return {
          ok: true as const,
          vectors: [...m].map(([t, v]) => [t, Array.from(v)] as [string, number[]]),
        };
      } catch (e) {
        return { ok: false as const, error: (e as Error).message };
      }
    },
  },
});
