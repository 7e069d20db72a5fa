/**
 * @module
 * A running miner: check registration, serve the axon, announce it on chain (`serve_axon`,
 * skipped when unchanged), and re-read the metagraph every epoch for the blacklist and the
 * priorities. Used by `deno task miner` and by the local subnet.
 */
import type { SubtensorClient } from "../chain/client.ts";
import type { Metagraph } from "../chain/metagraph.ts";
import { logger } from "../config/logging.ts";
import type { CgpLlm } from "../llm/cgp_llm.ts";
import type { Keypair } from "../wallet/keypair.ts";
import {
  Blacklist,
  type BlacklistOptions,
  type CallerInfo,
  type MetagraphView,
} from "./blacklist.ts";
import { createMinerAxon, type MinerAxon } from "./miner_axon.ts";
import { taggingOpsOf } from "./tagging_ops.ts";

const log = logger("miner");

/** Why a miner cannot start; `exitCode` is what the command exits with. */
export class MinerStartError extends Error {
  override name = "MinerStartError";
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** Options of {@link startMiner}. */
export interface StartMinerOptions {
  client: SubtensorClient;
  netuid: number;
  hotkey: Keypair;
  llm: CgpLlm;
  /** Bind address and port of the axon. */
  bind: { hostname: string; port: number };
  /** What is announced on chain (defaults: the bound address). */
  external?: { ip: string; port?: number };
  blacklist: BlacklistOptions;
  /** Re-read the metagraph this often (default: an epoch of 100 blocks at 12 s). */
  resyncMs?: number;
  llmConcurrency?: number;
  useTaskPrompt?: boolean;
  /** Cached answers for repeated windows (default 4096). */
  cacheEntries?: number;
  /** Skip `serve_axon` (the axon is announced some other way). */
  skipServe?: boolean;
}

/** A started miner. */
export interface RunningMiner {
  uid: number;
  port: number;
  miner: MinerAxon;
  metagraph(): Metagraph;
  stop(): Promise<void>;
}

function viewOf(m: Metagraph): MetagraphView {
  const byHotkey = new Map<string, CallerInfo>();
  m.hotkeys.forEach((hk, uid) =>
    byHotkey.set(hk, {
      uid,
      stakeTao: m.stake[uid] ?? 0,
      validatorPermit: m.validatorPermit[uid] ?? false,
    })
  );
  return { lookup: (hotkey) => byHotkey.get(hotkey) };
}

/** Starts a miner; throws {@link MinerStartError} when it is not registered. */
export async function startMiner(opts: StartMinerOptions): Promise<RunningMiner> {
  const uid = await opts.client.uidOf(opts.netuid, opts.hotkey.ss58Address);
  if (uid === null) {
    throw new MinerStartError(
      `hotkey ${opts.hotkey.ss58Address} is not registered on netuid ${opts.netuid}; ` +
        `register it first (btcli subnet register, or burned_register)`,
      3,
    );
  }
  let metagraph = await opts.client.metagraph(opts.netuid);
  let view = viewOf(metagraph);
  const blacklist = new Blacklist(() => view, opts.blacklist);
  const embed = (tags: string[]) => opts.llm.getVectorEmbeddingsSet(tags);
  const miner = createMinerAxon({
    keypair: opts.hotkey,
    ops: taggingOpsOf(opts.llm),
    embed,
    blacklist,
    llmConcurrency: opts.llmConcurrency,
    useTaskPrompt: opts.useTaskPrompt,
    cacheEntries: opts.cacheEntries,
  });
  const served = miner.axon.serve({ hostname: opts.bind.hostname, port: opts.bind.port });
  try {
    if (!opts.skipServe) {
      const ip = opts.external?.ip ?? opts.bind.hostname;
      const port = opts.external?.port ?? served.port;
      const r = await opts.client.serveAxon(opts.hotkey, { netuid: opts.netuid, ip, port });
      log.info("axon announced on chain at {ip}:{port} ({status})", { ip, port, status: r.status });
    }
  } catch (e) {
    await served.shutdown();
    miner.axon.close();
    throw e;
  }
  log.info("miner uid {uid} serving on {host}:{port}", {
    uid,
    host: opts.bind.hostname,
    port: served.port,
  });
  const timer = setInterval(async () => {
    try {
      metagraph = await opts.client.metagraph(opts.netuid);
      view = viewOf(metagraph);
    } catch (e) {
      log.warn("metagraph refresh failed, keeping the last one: {error}", {
        error: (e as Error).message,
      });
    }
  }, opts.resyncMs ?? 100 * 12_000);
  return {
    uid,
    port: served.port,
    miner,
    metagraph: () => metagraph,
    async stop() {
      clearInterval(timer);
      await served.shutdown();
      miner.axon.close();
    },
  };
}
