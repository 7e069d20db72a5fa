/**
 * @module
 * ConversationFetcher: reserves task bundles from the conversation store and prepares each one
 * (windows, quality gate, ground truth). Bundles are independent: one that fails to reserve,
 * parse or prepare is logged and skipped; the step goes on with the others (upstream aborted the
 * whole step on the first bad bundle).
 */
import { z } from "zod";
import { defineActor } from "../../actors/mod.ts";
import { logger } from "../../config/logging.ts";
import { storeClientFor, StoreTargetSchema } from "../store_target.ts";
import { prepareBundle, type PreparedTaskBundle } from "../bundle_setup.ts";
import type { ValidatorLlm } from "../llm_ops.ts";

const log = logger("validator", "fetcher");

/** Where the store is, and how bundles are prepared. */
export const FetcherArgs = z.object({
  store: StoreTargetSchema,
  qualityThreshold: z.number().default(5),
  skipQualityGate: z.boolean().default(false),
  maxConvoLines: z.number().int().positive().default(300),
  /** Ask this actor for embeddings instead of loading a model here. */
  embedder: z.string().optional(),
});

/** The ConversationFetcher actor definition. */
export const conversationFetcher = defineActor({
  module: import.meta.url,
  args: FetcherArgs,
  messages: { fetch: z.object({ count: z.number().int().positive() }) },
  async init(ctx, args) {
    const client = await storeClientFor(args.store);
    // Loaded here, not at module level: the main thread imports this definition too.
    const { validatorLlmFromEnv } = await import("../validator_llm.ts");
    const base = validatorLlmFromEnv();
    const llm: ValidatorLlm = args.embedder
      ? {
        ...base,
        embed: async (tags) => {
          const r = await ctx.ask(args.embedder!, "embed", { tags }) as
            | { ok: true; vectors: Array<[string, number[]]> }
            | { ok: false; error: string };
          if (!r.ok) throw new Error(`embeddings failed: ${r.error}`);
          return new Map(r.vectors.map(([t, v]) => [t, Float32Array.from(v)]));
        },
      }
      : base;
    return { args, client, llm };
  },
  handle: {
    async fetch(state, msg) {
      const prepared: PreparedTaskBundle[] = [];
      const rejected: string[] = [];
      const reserved = await Promise.all(
        Array.from({ length: msg.count }, () => state.client.reserve()),
      );
      for (const r of reserved) {
        if (!r.ok) {
          rejected.push(`reserve: ${r.reason}`);
          continue;
        }
        const s = await prepareBundle(r.bundle, state.llm, {
          qualityThreshold: state.args.qualityThreshold,
          skipQualityGate: state.args.skipQualityGate,
          maxConvoLines: state.args.maxConvoLines,
        });
        if (s.ok) prepared.push(s.prepared);
        else rejected.push(s.reason);
      }
      for (const reason of rejected) log.info("bundle skipped: {reason}", { reason });
      const { model, embeddingsModel, llmType } = state.llm;
      return { prepared, rejected, llm: { model, embeddingsModel, llmType } };
    },
  },
  persist(state) {
    state.client.close(); // its kept-alive connections; a restarted fetcher opens its own
  },
});
