/**
 * @module
 * The miner's axon: `CgSynapse` forward on top of the protocol's axon. It parses either synapse
 * generation, answers repeated windows from the cache, runs the LLM behind the gate (stake
 * priority; shed with 503 before the validator gives up), and always answers: a task it cannot
 * parse or an LLM failure gives an empty tag list with a logged reason, never an axon error.
 */
import { logger } from "../config/logging.ts";
import { AxonError } from "../protocol/axon/axon_error.ts";
import { type Axon, createAxon } from "../protocol/axon/create_axon.ts";
import { CgSynapse } from "../protocol/cg_synapse.ts";
import type { Signer } from "../wallet/keypair.ts";
import type { Blacklist } from "./blacklist.ts";
import { LlmGate, ShedError } from "./llm_gate.ts";
import {
  mineInput,
  type MinerInput,
  MinerInputError,
  parseMinerInput,
  type TaggingOps,
} from "./mine_task.ts";
import { inputKey, ResultCache } from "./result_cache.ts";

const log = logger("miner");

/** Options of {@link createMinerAxon}. */
export interface MinerAxonOptions {
  keypair: Signer;
  ops: TaggingOps;
  /** Embeddings for the first synapse generation, whose validators score the miner's vectors. */
  embed?: (tags: string[]) => Promise<Map<string, ArrayLike<number>>>;
  blacklist: Blacklist;
  /** Concurrent LLM jobs (default 4). */
  llmConcurrency?: number;
  /** Answer this long before the validator's timeout when shedding (default 1500 ms). */
  shedMarginMs?: number;
  /** Use the task's own prompt template when it carries one. */
  useTaskPrompt?: boolean;
  /** Cached answers (default 4096). */
  cacheEntries?: number;
  /** Verifier and limits passed through to the axon. */
  axon?: Partial<Parameters<typeof createAxon>[0]>;
}

/** Counters an operator (and tests) can read. */
export interface MinerStats {
  requests: number;
  answered: number;
  emptyAnswers: number;
  shed: number;
  cacheHits: number;
  cacheMisses: number;
  llmRunning: number;
  llmWaiting: number;
}

/** The miner axon and its counters. */
export interface MinerAxon {
  axon: Axon;
  stats(): MinerStats;
}

/** The `cgp_output` each generation expects. */
async function outputFor(
  input: MinerInput,
  tags: string[],
  embed: MinerAxonOptions["embed"],
): Promise<Record<string, unknown>[]> {
  if (input.generation === "task") return [{ tags, vectors: null }];
  let vectors: Record<string, { vectors: number[] }> = {};
  if (embed && tags.length) {
    try {
      const m = await embed(tags);
      vectors = Object.fromEntries([...m].map(([t, v]) => [t, { vectors: Array.from(v) }]));
    } catch (e) {
      log.warn("embeddings for a first-generation answer failed: {error}", {
        error: (e as Error).message,
      });
    }
  }
  return [{ uid: 0, tags, profiles: [], convoChecksum: 0, vectors }];
}

/** Builds the miner's axon. */
export function createMinerAxon(opts: MinerAxonOptions): MinerAxon {
  const gate = new LlmGate(opts.llmConcurrency ?? 4);
  const cache = new ResultCache(opts.cacheEntries ?? 4096);
  const margin = opts.shedMarginMs ?? 1500;
  const counters = { requests: 0, answered: 0, emptyAnswers: 0 };

  const axon = createAxon({
    keypair: opts.keypair,
    priority: (hotkey) => opts.blacklist.priority(hotkey),
    ...opts.axon,
    synapses: {
      CgSynapse: {
        schema: CgSynapse,
        blacklist: (req) => {
          const d = opts.blacklist.check(req.hotkey);
          return d.blocked ? [true, d.reason] : [false, "allowed"];
        },
        async forward(synapse, ctx) {
          counters.requests++;
          let input: MinerInput;
          try {
            input = parseMinerInput(synapse.cgp_input);
          } catch (e) {
            const reason = e instanceof MinerInputError ? e.message : String(e);
            log.info("empty answer to {hotkey}: unusable input: {reason}", {
              hotkey: ctx.hotkey,
              reason,
            });
            counters.emptyAnswers++;
            return { cgp_output: [{ tags: [], vectors: null }] };
          }
          const key = await inputKey(input, !!opts.useTaskPrompt);
          let tags = cache.get(key);
          if (!tags) {
            const timeoutMs = (synapse.timeout ?? 12) * 1000;
            try {
              tags = await gate.run(
                () => mineInput(input, opts.ops, { useTaskPrompt: opts.useTaskPrompt }),
                {
                  priority: opts.blacklist.priority(ctx.hotkey),
                  startWithinMs: timeoutMs - margin,
                },
              );
              cache.set(key, tags);
            } catch (e) {
              if (e instanceof ShedError) {
                throw new AxonError(503, `Service unavailable: ${e.message}`);
              }
              log.warn("empty answer to {hotkey}: tagging failed: {reason}", {
                hotkey: ctx.hotkey,
                reason: (e as Error).message,
              });
              tags = [];
            }
          }
          if (!tags.length) counters.emptyAnswers++;
          counters.answered++;
          return { cgp_output: await outputFor(input, tags, opts.embed) };
        },
      },
    },
  });

  return {
    axon,
    stats: () => ({
      ...counters,
      shed: gate.shed,
      cacheHits: cache.hits,
      cacheMisses: cache.misses,
      llmRunning: gate.running,
      llmWaiting: gate.waiting,
    }),
  };
}
