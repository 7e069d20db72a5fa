/**
 * @module
 * A whole subnet on one machine: the local chain with a subnet, the conversation store with a
 * dataset, an LLM (the offline provider, directly or behind the fake OpenAI server), miners with
 * chosen behaviours announced on chain, and a ready validator configuration. The mock-subnet
 * tests, the validator bench and `deno task demo` all stand on it.
 */
import { hexToU8a, u8aToHex } from "@polkadot/util";
import { SubtensorClient } from "../chain/client.ts";
import { type LocalChain, startLocalChain } from "../chain/local/mod.ts";
import { logger } from "../config/logging.ts";
import { createCgpLlmFromEnv } from "../llm/factory.ts";
import { type FakeOpenAIServer, startFakeOpenAIServer } from "../llm/fake_openai_server.ts";
import { startMiner } from "../miner/run_miner.ts";
import { AxonError } from "../protocol/axon/axon_error.ts";
import { createAxon } from "../protocol/axon/create_axon.ts";
import { CgSynapse } from "../protocol/cg_synapse.ts";
import { startStore, type StoreServer } from "../store/mod.ts";
import type { ValidatorConfig } from "../validator/validator.ts";
import { Keypair } from "../wallet/keypair.ts";
import { resolveMetadata } from "./metadata.ts";

const log = logger("local-subnet");

/** How a miner of the local subnet behaves. */
export type MinerBehaviour =
  /** Our miner on the configured LLM. */
  | "honest"
  /** Never answers within the validator's timeout. */
  | "timeout"
  /** Answers 200 with a `cgp_output` that is not a list of tag objects. */
  | "garbage"
  /** Answers with a 50 MB `cgp_output`. */
  | "huge"
  /** Answers with nonsense tags. */
  | "random_tags"
  /** Answers at once with words of the window (no LLM): a cheap miner for load benches. */
  | "echo";

/** Options of {@link startLocalSubnet}. */
export interface LocalSubnetOptions {
  /** Working directory for the store, the validator's state and keys. */
  dataDir: string;
  netuid?: number;
  miners?: MinerBehaviour[];
  /** Commit-reveal on the subnet (weights are then committed, revealed by the chain later). */
  commitReveal?: boolean;
  /** Block time of the local chain in ms (default 250; 0 = manual). */
  blockTimeMs?: number;
  /** Subnet tempo in blocks (default 10). */
  tempo?: number;
  /** Weights rate limit in blocks (default 5). */
  weightsRateLimit?: number;
  /** Uids the subnet holds (the chain's default is 256; owner and validator take two). */
  maxAllowedUids?: number;
  /** Metadata file (default: found or fetched, see `metadata.ts`). */
  metadataPath?: string;
  /** "fake-openai": miners and validator use the OpenAI SDK against the fake server. */
  llm?: "fake-openai" | "offline";
  /** Load the project's demo dataset into the store (default true). */
  demoData?: boolean;
  /** Extra store imports. */
  storeImports?: string[];
  /** Validator tweaks. */
  validator?: Partial<ValidatorConfig>;
}

/** A running local subnet. */
export interface LocalSubnet {
  chain: LocalChain;
  store: StoreServer;
  llmServer: FakeOpenAIServer | null;
  /** Environment the validator's workers and the miners read the LLM from. */
  llmEnv: Record<string, string>;
  netuid: number;
  validatorHotkey: Keypair;
  miners: Array<
    { behaviour: MinerBehaviour; uid: number; port: number; hotkey: string; stop(): Promise<void> }
  >;
  ownerUid: number;
  validatorUid: number;
  validatorConfig: ValidatorConfig;
  client: SubtensorClient;
  close(): Promise<void>;
}

const STAKE_VALIDATOR = 10_000n * 1_000_000_000n;
const STAKE_MINER = 10n * 1_000_000_000n;
/** Local miners listen on 127.0.0.2: the chain (like finney) refuses to serve 127.0.0.1. */
export const LOCAL_MINER_IP = "127.0.0.2";

async function newKey(): Promise<{ kp: Keypair; seedHex: string }> {
  const seed = crypto.getRandomValues(new Uint8Array(32));
  return { kp: await Keypair.fromSeed(seed), seedHex: u8aToHex(seed) };
}

/** Up to 6 distinct words (4+ letters) of the masked task's window, in order. */
function echoTags(input: unknown): string[] {
  const window = (input as Array<{ task?: { input?: { data?: { window?: unknown } } } }>)?.[0]
    ?.task?.input?.data?.window;
  const tags = new Set<string>();
  for (const line of Array.isArray(window) ? window : []) {
    const text = Array.isArray(line) ? String(line[1] ?? "") : "";
    for (const w of text.toLowerCase().match(/[a-z]{4,}/g) ?? []) {
      tags.add(w);
      if (tags.size === 6) return [...tags];
    }
  }
  return [...tags];
}

/** A misbehaving (or, for "echo", trivially cheap) miner: a bare axon with a forward that does the wrong thing. */
function badMiner(behaviour: Exclude<MinerBehaviour, "honest">, key: Keypair) {
  // Ends pending sleeps when the miner stops (not request.signal: see protocol/axon/forward.ts).
  const stopping = new AbortController();
  const axon = createAxon({
    keypair: key,
    maxBodyBytes: 1024 * 1024,
    synapses: {
      CgSynapse: {
        schema: CgSynapse,
        async forward(s) {
          switch (behaviour) {
            case "timeout":
              await new Promise((r) => {
                const t = setTimeout(r, ((s.timeout ?? 12) + 5) * 1000);
                stopping.signal.addEventListener("abort", () => (clearTimeout(t), r(null)), {
                  once: true,
                });
              });
              throw new AxonError(500, "too late");
            case "garbage":
              return { cgp_output: [{ tags: "not a list", vectors: 42 }] };
            case "huge":
              return { cgp_output: [{ tags: [crypto.randomUUID().repeat(1_400_000)] }] };
            case "random_tags":
              return {
                cgp_output: [{ tags: ["xqzv blorf", "qwerty uiop", "zzyzx", "glarb"] }],
              };
            case "echo":
              return { cgp_output: [{ tags: echoTags(s.cgp_input) }] };
          }
        },
      },
    },
  });
  return { axon, stop: () => stopping.abort() };
}

/** Starts chain, store, LLM and miners, and prepares the validator's configuration. */
export async function startLocalSubnet(opts: LocalSubnetOptions): Promise<LocalSubnet> {
  const netuid = opts.netuid ?? 1;
  await Deno.mkdir(opts.dataDir, { recursive: true });
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  try {
    const metadata = await resolveMetadata(opts.metadataPath);
    const chain = await startLocalChain({
      metadataBytes: metadata,
      blockTimeMs: opts.blockTimeMs ?? 250,
    });
    closers.push(() => chain.close());

    const owner = await newKey();
    const ownerCold = await newKey();
    chain.createSubnet(netuid, {
      owner: { coldkey: ownerCold.kp.ss58Address, hotkey: owner.kp.ss58Address },
      tempo: opts.tempo ?? 10,
      commitReveal: opts.commitReveal ?? false,
      weightsRateLimit: opts.weightsRateLimit ?? 5,
      minAllowedWeights: 1,
      maxAllowedUids: opts.maxAllowedUids,
    });
    const ownerUid = chain.registerNeuron(netuid, owner.kp.ss58Address, ownerCold.kp.ss58Address, {
      stakeRao: STAKE_MINER,
    });
    const validator = await newKey();
    const validatorCold = await newKey();
    const validatorUid = chain.registerNeuron(
      netuid,
      validator.kp.ss58Address,
      validatorCold.kp.ss58Address,
      {
        stakeRao: STAKE_VALIDATOR,
        validatorPermit: true,
      },
    );
    const seedFile = `${opts.dataDir}/validator-hotkey.seed`;
    await Deno.writeTextFile(seedFile, validator.seedHex, { mode: 0o600 });

    // The LLM: the offline provider, directly or behind the fake OpenAI-compatible server.
    let llmServer: FakeOpenAIServer | null = null;
    const llmEnv: Record<string, string> = {
      LLM_EMBEDDING_CACHE: `${opts.dataDir}/embeddings.sqlite`,
    };
    if ((opts.llm ?? "fake-openai") === "fake-openai") {
      llmServer = await startFakeOpenAIServer();
      closers.push(() => llmServer!.close());
      Object.assign(llmEnv, {
        LLM_TYPE: "openai",
        OPENAI_API_KEY: "local-subnet",
        OPENAI_BASE_URL: llmServer.url,
        // the fake server answers with the offline provider's 100-dimensional GloVe vectors
        LLM_EMBEDDING_DIMENSIONS: "100",
      });
    } else {
      llmEnv.LLM_TYPE = "offline";
    }
    for (const [k, v] of Object.entries(llmEnv)) Deno.env.set(k, v);

    const apiKey = `local-${crypto.randomUUID()}`;
    const store = await startStore({
      db: `sqlite:${opts.dataDir}/store.sqlite`,
      port: 0,
      demoData: opts.demoData ?? true,
      importFiles: opts.storeImports,
      apiKeys: [{ key: apiKey, hotkey: validator.kp.ss58Address, label: "local validator" }],
    });
    closers.push(() => store.close());

    const client = await SubtensorClient.connect({
      chainEndpoint: chain.url,
    });
    closers.push(() => client.close());
    const { llm: minerLlm } = createCgpLlmFromEnv({ ...llmEnv, LLM_EMBEDDING_CACHE: "off" });

    // Register every miner first, then let a block pass so the chain's state shows them.
    const registered = [];
    for (const behaviour of opts.miners ?? ["honest", "honest", "honest"]) {
      const hot = await newKey();
      const cold = await newKey();
      const uid = chain.registerNeuron(netuid, hot.kp.ss58Address, cold.kp.ss58Address, {
        stakeRao: STAKE_MINER,
      });
      registered.push({ behaviour, hot, uid });
    }
    await nextBlock(chain);
    const miners: LocalSubnet["miners"] = [];
    const announce: Array<() => Promise<unknown>> = [];
    for (const { behaviour, hot, uid } of registered) {
      if (behaviour === "honest") {
        const m = await startMiner({
          client,
          netuid,
          hotkey: hot.kp,
          llm: minerLlm,
          bind: { hostname: LOCAL_MINER_IP, port: 0 },
          blacklist: {
            allowNonRegistered: false,
            forceValidatorPermit: true,
            minStakeTao: 0,
            maxRequestsPerMinute: 0,
          },
          resyncMs: 5_000,
        });
        closers.push(() => m.stop());
        miners.push({ behaviour, uid, port: m.port, hotkey: hot.kp.ss58Address, stop: m.stop });
      } else {
        const { axon, stop: abortSleeps } = badMiner(behaviour, hot.kp);
        const served = axon.serve({ hostname: LOCAL_MINER_IP, port: 0 });
        const stop = async () => {
          abortSleeps();
          await served.shutdown();
          axon.close();
        };
        closers.push(stop);
        // Announced below, many at once (one block each instead of one block per miner).
        announce.push(() =>
          client.serveAxon(hot.kp, { netuid, ip: LOCAL_MINER_IP, port: served.port })
        );
        miners.push({ behaviour, uid, port: served.port, hotkey: hot.kp.ss58Address, stop });
      }
    }
    for (let i = 0; i < announce.length; i += 32) {
      await Promise.all(announce.slice(i, i + 32).map((f) => f()));
    }
    log.info("local subnet {netuid}: chain {chain}, store {store}, {n} miners", {
      netuid,
      chain: chain.url,
      store: store.url,
      n: miners.length,
    });

    const validatorConfig: ValidatorConfig = {
      netuid,
      // The local chain's clock moves 12 s per block like finney's (whatever the wall-clock
      // block interval), so the client's default block time is the right one for reveal rounds.
      chain: { chainEndpoint: chain.url },
      hotkey: { kind: "seed_file", path: seedFile },
      selfHotkey: validator.kp.ss58Address,
      statePath: `${opts.dataDir}/validator/state.json`,
      spoolDir: `${opts.dataDir}/validator/spool`,
      store: { url: store.url, apiKey, timeoutMs: 5_000 },
      sampleSize: 6,
      timeoutS: 12,
      bundlesPerStep: 4,
      tasksPerBundle: 5,
      minimumTasks: 4,
      concurrentTasks: 2,
      epochLength: opts.weightsRateLimit ?? 5,
      alpha: 0.1,
      vpermitTaoLimit: 4096,
      burnRate: 0.9,
      disableSetWeights: false,
      skipQualityGate: false,
      qualityThreshold: 5,
      maxResponseBytes: 1024 * 1024,
      mode: "local",
      markerId: null,
      ...opts.validator,
    };
    return {
      chain,
      store,
      llmServer,
      llmEnv,
      netuid,
      validatorHotkey: validator.kp,
      miners,
      ownerUid,
      validatorUid,
      validatorConfig,
      client,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Resolves once the chain has produced (or been advanced by) one more block. */
export async function nextBlock(chain: LocalChain): Promise<void> {
  const start = chain.blockNumber();
  const deadline = Date.now() + 30_000;
  while (chain.blockNumber() <= start) {
    if (Date.now() > deadline) throw new Error("the local chain produced no block for 30 s");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Decodes a seed file written by {@link startLocalSubnet} (tests). */
export async function readSeedFile(path: string): Promise<Keypair> {
  return await Keypair.fromSeed(hexToU8a((await Deno.readTextFile(path)).trim()));
}
