/**
 * @module
 * TaskRunner: runs one task, from querying the sampled miners to spooling its records. It asks
 * the sampled uids' MinerClients, has the Scorer score the answers, gives the rewards to the
 * WeightSetter and has the ResultsWriter spool one record per answer, then answers the scores.
 * The validator keeps `concurrentTasks` of them (`task-runner/<i>`): an actor handles one message
 * at a time.
 *
 * Why an actor and not the coordinator on the main thread: the actors it talks to run in the
 * same worker isolate, where their messages are passed under leases without leaving the thread
 * (docs/actors.md, "Direct sends"), so a task costs one round trip between the main thread and
 * the isolate instead of one per message (six queries, score, update, record).
 */
import { z } from "zod";
import { defineActor } from "../../actors/mod.ts";
import type { ActorContext } from "../../actors/mod.ts";
import type { Task } from "../../tasks/mod.ts";
import type { PreparedTaskBundle } from "../bundle_setup.ts";
import { packVectors } from "../packed_vectors.ts";
import { minerRecord, RecordContextSchema } from "../record_payloads.ts";
import type { MinerTaskScore } from "../score_task.ts";
import { type minerClient, minerQueryInput, type MinerQueryReply } from "./miner_client.ts";
import { reportUnspooled, type resultsWriter } from "./results_writer.ts";
import { type scorer, ScoringPlanSchema } from "./scorer.ts";
import type { weightSetter } from "./weight_setter.ts";

/**
 * How long the scorer, the weight-setter and the results-writer may take to answer a task's ask
 * (an LLM validating tags can be slow); also the validator's default ask timeout.
 */
export const TASK_ASK_TIMEOUT_MS = 120_000;

/** One queried miner: its uid and where its axon is. */
const TargetSchema = z.object({
  uid: z.number().int().nonnegative(),
  ip: z.string(),
  port: z.number().int(),
  hotkey: z.string(),
});

/** A task to run: what scoring needs, the task and its masked copy, whom to ask, and how. */
export const RunTaskSchema = z.object({
  plan: ScoringPlanSchema,
  /** The task (unmasked: it goes into the records). */
  task: z.record(z.string(), z.unknown()),
  /** The copy miners get. */
  masked: z.record(z.string(), z.unknown()),
  /** The bundle guid the records are PUT under. */
  bundleGuid: z.string(),
  targets: z.array(TargetSchema).min(1),
  timeoutS: z.number().positive(),
  /** How long a MinerClient may take to answer (its queue included), ms. */
  queryTimeoutMs: z.number().int().positive(),
  record: RecordContextSchema,
});

/** What a task ended with: every queried miner's score, or why it could not be scored. */
export type RunTaskReply =
  | { ok: true; scores: MinerTaskScore[] }
  | { ok: false; error: string };

/** The queried miner failed in its MinerClient (crashed, timed out): it scores zero this time. */
function clientFailed(t: z.infer<typeof TargetSchema>, e: unknown): MinerQueryReply {
  return {
    uid: t.uid,
    hotkey: t.hotkey,
    status: 500,
    message: (e as Error).message,
    tags: null,
    latencyMs: 0,
    attempts: 0,
  };
}

async function runTask(ctx: ActorContext, msg: z.infer<typeof RunTaskSchema>) {
  // Checked and written once for the whole sample; each MinerClient only signs and sends it.
  const input = minerQueryInput(msg.masked);
  const answers = await Promise.all(msg.targets.map(async (t): Promise<MinerQueryReply> => {
    try {
      return await ctx.ref<typeof minerClient>(`miner-client/${t.uid}`).ask("query", {
        target: { ip: t.ip, port: t.port, hotkey: t.hotkey },
        input,
        timeoutS: msg.timeoutS,
      }, { timeoutMs: msg.queryTimeoutMs });
    } catch (e) {
      return clientFailed(t, e);
    }
  }));
  const scored = await ctx.ref<typeof scorer>("scorer").ask("score", {
    plan: msg.plan,
    answers: answers.map((a) => ({
      uid: a.uid,
      hotkey: a.hotkey,
      status: a.status,
      tags: a.tags,
    })),
  }, { timeoutMs: TASK_ASK_TIMEOUT_MS });
  if (!scored.ok) return { ok: false as const, error: `scoring failed: ${scored.error}` };
  const { scores, rewards } = scored;
  await ctx.ref<typeof weightSetter>("weight-setter").ask("update", {
    uids: scores.map((s) => s.uid),
    rewards,
  }, { timeoutMs: TASK_ASK_TIMEOUT_MS });
  const task = msg.task as unknown as Task;
  const records = scores.map((s) => ({
    id: `${task.guid}:${s.uid}`,
    guid: msg.bundleGuid,
    body: minerRecord(msg.record, task, s),
  }));
  // Spooled (on disk) before the task counts; a spool failure is logged, the scores stand.
  await ctx.ref<typeof resultsWriter>("results-writer").ask("records", { records }, {
    timeoutMs: TASK_ASK_TIMEOUT_MS,
  }).catch((e) => reportUnspooled(records, e));
  return { ok: true as const, scores };
}

/** The TaskRunner actor definition. */
export const taskRunner = defineActor({
  module: import.meta.url,
  messages: { run: RunTaskSchema },
  init: () => ({}),
  handle: {
    /** Never throws for a miner or the scorer: a failure is in the reply (the task is lost). */
    async run(_state, msg, ctx): Promise<RunTaskReply> {
      try {
        return await runTask(ctx, msg);
      } catch (e) {
        return { ok: false, error: (e as Error).message };
      }
    },
  },
});

const plans = new WeakMap<PreparedTaskBundle, z.infer<typeof ScoringPlanSchema>>();

/**
 * The scoring plan of a prepared bundle (what {@link RunTaskSchema}'s `plan` carries), its
 * ground-truth vectors packed; made once per bundle.
 */
export function scoringPlan(prepared: PreparedTaskBundle): z.infer<typeof ScoringPlanSchema> {
  let plan = plans.get(prepared);
  if (!plan) {
    plan = {
      groundTruth: {
        tags: prepared.groundTruth.tags,
        vectors: packVectors(prepared.groundTruth.vectors),
      },
      mechanism: prepared.mechanism,
      minTags: prepared.minTags,
      tagValidation: prepared.tagValidation,
    };
    plans.set(prepared, plan);
  }
  return plan;
}
