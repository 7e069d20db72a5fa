/**
 * @module
 * WeightSetter: owns the validator's scores. It applies each task's rewards to the moving average
 * (upstream's zero dampening and power transform, float32-exact), saves the state atomically
 * (score updates written behind, within `saveDelayMs`; resync, step ends, weights and stop at
 * once: see validator/state_writer.ts), and on the epoch cadence turns scores into weights (rank
 * curve with the owner burn, the SDK's processing) and sets or commits them on chain. It is only
 * asked to set weights after a step that succeeded; a failed submission is reported and retried
 * next step.
 */
import { z } from "zod";
import { defineActor } from "../../actors/mod.ts";
import { logger } from "../../config/logging.ts";
import { updateScores } from "../../scoring/ema.ts";
import { computeWeights } from "../../scoring/weights_pipeline.ts";
import { ChainTargetSchema, MetagraphViewSchema } from "../chain_target.ts";
import { runChainJob } from "../chain_job.ts";
import { HotkeySourceSchema } from "../hotkey_source_schema.ts";
import { emptyState, loadState, resyncState, type ValidatorState } from "../state.ts";
import { StateWriter } from "../state_writer.ts";

const log = logger("validator", "weights");

/** Spawn arguments. */
export const WeightSetterArgs = z.object({
  statePath: z.string(),
  chain: ChainTargetSchema,
  netuid: z.number().int(),
  hotkey: HotkeySourceSchema,
  alpha: z.number().min(0).max(1).default(0.1),
  burnRate: z.number().min(0).max(1).default(0.9),
  versionKey: z.number().int().nonnegative().optional(),
  epochLength: z.number().int().positive().default(100),
  disableSetWeights: z.boolean().default(false),
  /** Score updates reach the state file within this many ms (step ends: at once). */
  saveDelayMs: z.number().int().nonnegative().default(1000),
});

/** What a weight-setting attempt did. */
export const SetWeightsReply = z.object({
  status: z.enum(["set", "not_due", "skipped", "failed", "disabled"]),
  message: z.string(),
  block: z.number().int().nullable(),
  call: z.string().nullable(),
  uids: z.array(z.number().int()),
  weights: z.array(z.number()),
});
/** What a weight-setting attempt did. */
export type SetWeightsReply = z.infer<typeof SetWeightsReply>;

interface WeightSetterState {
  args: z.infer<typeof WeightSetterArgs>;
  state: ValidatorState;
  writer: StateWriter;
}

/** The WeightSetter actor definition. */
export const weightSetter = defineActor({
  module: import.meta.url,
  args: WeightSetterArgs,
  messages: {
    /** Aligns the arrays with the metagraph's hotkeys (grow; reset replaced uids). */
    resync: z.object({ hotkeys: z.array(z.string()) }),
    /** One task's rewards for the queried uids. */
    update: z.object({ uids: z.array(z.number().int()), rewards: z.array(z.number()) }),
    /** Counts a finished step. */
    step_done: z.object({}),
    /** Sets weights if an epoch has passed since the last time. */
    set_weights: z.object({ view: MetagraphViewSchema, force: z.boolean().default(false) }),
    /** The current state (copy). */
    snapshot: z.object({}),
  },
  replies: { set_weights: SetWeightsReply },
  async init(_ctx, args): Promise<WeightSetterState> {
    const state = (await loadState(args.statePath)) ?? emptyState([]);
    return { args, state, writer: new StateWriter(args.statePath, args.saveDelayMs) };
  },
  handle: {
    async resync(s, msg) {
      const { state, reset } = resyncState(s.state, msg.hotkeys);
      s.state = state;
      if (reset.length) {
        log.info("hotkeys replaced at uids {reset}: their scores start over", { reset });
      }
      await s.writer.now(s.state);
      return { reset };
    },
    async update(s, msg) {
      const r = updateScores({
        ema: Float32Array.from(s.state.ema),
        scores: Float32Array.from(s.state.scores),
        uids: msg.uids,
        rewards: msg.rewards,
        alpha: s.args.alpha,
      });
      if (!r.accepted) {
        log.warn("score update rejected (NaN): state kept");
        return { accepted: false };
      }
      s.state = { ...s.state, ema: Array.from(r.ema), scores: Array.from(r.scores) };
      await s.writer.later(s.state);
      return { accepted: true };
    },
    async step_done(s) {
      s.state = { ...s.state, step: s.state.step + 1 };
      await s.writer.now(s.state);
      return { step: s.state.step };
    },
    async set_weights(s, msg): Promise<SetWeightsReply> {
      const base = { block: msg.view.block, call: null, uids: [], weights: [] };
      if (s.args.disableSetWeights) {
        return { ...base, status: "disabled", message: "--neuron.disable_set_weights" };
      }
      const last = s.state.lastWeightBlock;
      if (!msg.force && last !== null && msg.view.block - last <= s.args.epochLength) {
        return {
          ...base,
          status: "not_due",
          message: `${msg.view.block - last} blocks since the last weights`,
        };
      }
      const h = msg.view.hyperparameters;
      const w = computeWeights({
        scores: s.state.scores,
        burnUid: msg.view.ownerUid,
        burnRate: s.args.burnRate,
        n: msg.view.n,
        hyperparameters: {
          minAllowedWeights: h.minAllowedWeights,
          maxWeightLimit: h.maxWeightsLimit / 65535,
        },
      });
      if (!w.ok) return { ...base, status: "skipped", message: `${w.reason}: ${w.message}` };
      try {
        // In a worker ended right after: @polkadot/api is not held between epochs.
        const r = await runChainJob({
          op: "set_weights",
          chain: s.args.chain,
          hotkey: s.args.hotkey,
          netuid: s.args.netuid,
          uids: Array.from(w.processed.uids),
          weights: Array.from(w.processed.weights),
          versionKey: s.args.versionKey,
        });
        if (r.status !== "included") {
          return { ...base, status: "failed", message: `${r.status}: ${r.message}` };
        }
        s.state = { ...s.state, lastWeightBlock: r.inclusion.blockNumber };
        await s.writer.now(s.state);
        log.info("weights {how} at block {block} ({n} uids)", {
          how: r.commitReveal ? "committed" : "set",
          block: r.inclusion.blockNumber,
          n: r.uids.length,
        });
        return {
          status: "set",
          message: r.commitReveal ? `committed for drand round ${r.revealRound}` : "set",
          block: r.inclusion.blockNumber,
          call: r.call,
          uids: r.uids,
          weights: r.weights,
        };
      } catch (e) {
        return { ...base, status: "failed", message: (e as Error).message };
      }
    },
    snapshot(s) {
      return structuredClone(s.state);
    },
  },
  async persist(s) {
    await s.writer.now(s.state);
  },
});
