/**
 * @module
 * MetagraphSync: reads the subnet's metagraph from the chain when asked (every epoch) and keeps
 * the last good one, so a chain outage leaves the validator working on the last known subnet
 * instead of stopping. The metagraph is read in a worker ended right after (`chain_job.ts`):
 * `@polkadot/api` is not held between epochs; the per-step block number is one raw JSON-RPC
 * call on a bare socket.
 */
import { z } from "zod";
import { defineActor } from "../../actors/mod.ts";
import { logger } from "../../config/logging.ts";
import { resolveEndpoint } from "../../chain/endpoints.ts";
import { RpcSocket } from "../../chain/rpc_socket.ts";
import { ChainTargetSchema, type MetagraphView, MetagraphViewSchema } from "../chain_target.ts";
import { runChainJob } from "../chain_job.ts";

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
  init: (_ctx, args) => ({
    args,
    last: null as MetagraphView | null,
    rpc: null as RpcSocket | null,
  }),
  handle: {
    async sync(state) {
      try {
        state.last = await runChainJob({
          op: "metagraph",
          chain: state.args.chain,
          netuid: state.args.netuid,
        });
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
      state.rpc ??= new RpcSocket(
        resolveEndpoint({ ...state.args.chain, env: Deno.env.toObject() }).url,
      );
      return await state.rpc.bestBlock();
    },
  },
  persist(state) {
    state.rpc?.close();
  },
});
