/**
 * @module
 * MinerClient: one actor per miner uid. It sends a masked task to its miner through the dendrite
 * with the task's timeout, retries once on 408/422 (upstream PR #85), caps the answer's size,
 * and keeps its own history (latencies, failure streak, status counts) for observability. It
 * always replies: a miner that fails gets a status and no tags, never an exception.
 */
import { z } from "zod";
import { defineActor } from "../../actors/mod.ts";
import { CgSynapse } from "../../protocol/cg_synapse.ts";
import type { Dendrite } from "../../protocol/dendrite/dendrite.ts";
import { encodedInputFromJson, encodeInput } from "../../protocol/encoded_input.ts";
import { MinerOutputItemSchema } from "../../tasks/mod.ts";
import { HotkeySourceSchema } from "../hotkey_source_schema.ts";

/** Statuses retried once, as upstream does. */
export const RETRY_STATUSES = new Set([408, 422]);

const dendrites = new Map<string, Promise<Dendrite>>();

/** One dendrite per isolate and hotkey (its uuid and nonce clock are shared by the actors there). */
function dendriteFor(args: z.infer<typeof MinerClientArgs>): Promise<Dendrite> {
  const key = JSON.stringify([args.hotkey, args.maxResponseBytes, args.externalIp]);
  let d = dendrites.get(key);
  if (!d) {
    // Loaded on first use, not at module level: the main thread imports this definition too.
    d = (async () => {
      const [{ Dendrite }, { loadHotkey }] = await Promise.all([
        import("../../protocol/dendrite/dendrite.ts"),
        import("../hotkey_source.ts"),
      ]);
      const keypair = await loadHotkey(args.hotkey);
      return new Dendrite({
        keypair,
        maxResponseBytes: args.maxResponseBytes,
        externalIp: args.externalIp,
      });
    })();
    d.catch(() => dendrites.delete(key));
    dendrites.set(key, d);
  }
  return d;
}

/**
 * What a `query` carries for a masked task: its `CgSynapse` fields (`cgp_input: [{task}]` and
 * the defaults), checked and written as JSON once per task, however many miners it goes to.
 * Each MinerClient sends this text as it is, in its own signed request (the TaskRunner writes
 * it; a MinerClient on another isolate gets a string, far cheaper to clone than the task).
 */
export function minerQueryInput(masked: Record<string, unknown>): string {
  return encodeInput(CgSynapse, { cgp_input: [{ task: masked }] }).fieldsJson;
}

/** Spawn arguments. */
export const MinerClientArgs = z.object({
  uid: z.number().int().nonnegative(),
  hotkey: HotkeySourceSchema,
  maxResponseBytes: z.number().int().positive().default(1024 * 1024),
  externalIp: z.string().default("127.0.0.1"),
});

/** What a query answers. */
export const MinerQueryReply = z.object({
  uid: z.number().int(),
  hotkey: z.string(),
  status: z.number().int(),
  message: z.string().nullable(),
  tags: z.array(z.string()).nullable(),
  latencyMs: z.number(),
  attempts: z.number().int(),
});
/** A query's answer. */
export type MinerQueryReply = z.infer<typeof MinerQueryReply>;

const HISTORY = 50;

/** The MinerClient actor definition. */
export const minerClient = defineActor({
  module: import.meta.url,
  args: MinerClientArgs,
  messages: {
    query: z.object({
      target: z.object({ ip: z.string(), port: z.number().int(), hotkey: z.string() }),
      /** The masked task, as {@link minerQueryInput} wrote it. */
      input: z.string(),
      timeoutS: z.number().positive(),
    }),
    stats: z.object({}),
  },
  replies: { query: MinerQueryReply },
  init: (_ctx, args) => ({
    args,
    latencies: [] as number[],
    failureStreak: 0,
    statusCounts: {} as Record<string, number>,
  }),
  handle: {
    async query(state, msg) {
      const dendrite = await dendriteFor(state.args);
      const input = encodedInputFromJson(CgSynapse, msg.input);
      const start = performance.now();
      let attempts = 0;
      let answer;
      do {
        attempts++;
        [answer] = await dendrite.query([msg.target], CgSynapse, input, {
          timeout: msg.timeoutS,
        });
      } while (attempts < 2 && RETRY_STATUSES.has(answer.dendrite.status_code ?? 0));
      const status = answer.dendrite.status_code ?? 0;
      let tags: string[] | null = null;
      let message = answer.dendrite.status_message ?? null;
      if (status === 200) {
        const item = MinerOutputItemSchema.safeParse(answer.cgp_output?.[0]);
        if (item.success) tags = item.data.tags;
        else message = "cgp_output[0] has no list of string tags";
      }
      const latencyMs = performance.now() - start;
      state.latencies.push(latencyMs);
      if (state.latencies.length > HISTORY) state.latencies.shift();
      state.failureStreak = tags ? 0 : state.failureStreak + 1;
      state.statusCounts[status] = (state.statusCounts[status] ?? 0) + 1;
      return {
        uid: state.args.uid,
        hotkey: msg.target.hotkey,
        status,
        message,
        tags,
        latencyMs,
        attempts,
      };
    },
    stats(state) {
      const sorted = [...state.latencies].sort((a, b) => a - b);
      return {
        uid: state.args.uid,
        failureStreak: state.failureStreak,
        statusCounts: state.statusCounts,
        p50LatencyMs: sorted[Math.floor(sorted.length / 2)] ?? null,
      };
    },
  },
});
