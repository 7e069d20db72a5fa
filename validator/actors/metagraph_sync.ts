/**
 * @module
 * MetagraphSync: reads the subnet's metagraph from the chain when asked (every epoch) and keeps
 * the last good one, so a chain outage leaves the validator working on the last known subnet
 * instead of stopping.
 */
import { z } from "zod";
import { defineActor } from "../../actors/mod.ts";
import { logger } from "../../config/logging.ts";
import {
  ChainTargetSchema,
  type MetagraphView,
  MetagraphViewSchema,
  toMetagraphView,
} from "../chain_target.ts";

/** The isolate's chain client, loaded on first use (keeps @polkadot/api out of the main thread). */
async function chainOf(target: z.infer<typeof ChainTargetSchema>) {
  const { chainClient } = await import("../chain_connection.ts");
  return await chainClient(target);
}

const log = logger("validator", "metagraph");

/** The MetagraphSync actor definition. */
export const metagraphSync = defineActor({
  module: import.meta.url,
  args: z.object({ chain: ChainTargetSchema, netuid: z.number().int() }),
  messages: {
    /** Reads the metagraph now; falls back to the last good one (marked stale) on failure. */
    sync: z.object({}),
    /** The current block (from the chain). */
    block: z.object({}),
  },
  replies: {
    sync: z.object({ view: MetagraphViewSchema, stale: z.boolean(), error: z.string().nullable() }),
  },
  init: (_ctx, args) => ({ args, last: null as MetagraphView | null }),
  handle: {
    async sync(state) {
      try {
        const client = await chainOf(state.args.chain);
        state.last = toMetagraphView(await client.metagraph(state.args.netuid));
        return { view: state.last, stale: false, error: null };
      } catch (e) {
        const error = (e as Error).message;
        if (!state.last) throw e;
        log.warn("metagraph sync failed, keeping block {block}: {error}", {
          block: state.last.block,
          error,
        });
        return { view: state.last, stale: true, error };
      }
    },
    async block(state) {
      return await (await chainOf(state.args.chain)).currentBlock();
    },
  },
});
