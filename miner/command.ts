/**
 * @module
 * `cgp-node miner` (`deno task miner`): flags → logging → LLM configuration → wallet hotkey →
 * chain → registration check → axon served and announced (`serve_axon`) → runs until SIGINT or
 * SIGTERM → stops gracefully. Each operator mistake stops start-up with one message naming what
 * was wrong and its own exit code ({@link MINER_EXIT}); stack traces are for bugs only.
 */
import type { Command } from "../main.ts";
import { SubtensorClient } from "../chain/client.ts";
import { EndpointError } from "../chain/endpoints.ts";
import { ChainError } from "../chain/errors.ts";
import { FlagError, helpText, parseFlags } from "../config/flags.ts";
import { logger, setupLogging } from "../config/logging.ts";
import type { CgpLlm } from "../llm/cgp_llm.ts";
import { LlmError } from "../llm/errors.ts";
import { createCgpLlmFromEnv } from "../llm/factory.ts";
import { openWallet, WalletError } from "../wallet/mod.ts";
import {
  type MinerFlags,
  minerFlags,
  type MinerSettings,
  NO_EFFECT_FLAGS,
  resolveMinerSettings,
} from "./miner_flags.ts";
import { MinerStartError, type RunningMiner, startMiner } from "./run_miner.ts";

const log = logger("miner");

/** The exit codes of `cgp-node miner`, one per kind of start-up failure. */
export const MINER_EXIT = {
  /** Stopped by SIGINT/SIGTERM after a clean shutdown (or `--help`). */
  ok: 0,
  /** A bug: an error nobody planned for (printed with its stack). */
  unexpected: 1,
  /** A bad or missing flag (or `--subtensor.network` that names no network). */
  usage: 2,
  /** The hotkey is not registered on the subnet. */
  notRegistered: 3,
  /** The LLM environment variables are wrong or incomplete. */
  llmConfig: 4,
  /** The wallet hotkey file is missing, unreadable or locked. */
  wallet: 5,
  /** The chain could not be reached. */
  chain: 6,
  /** The axon could not bind its port, or the chain refused `serve_axon`. */
  serve: 7,
} as const;

const SUMMARY = "run a subnet 33 miner: answer CgSynapse queries from validators with tags";

/** The `--help` text: flags and the environment the miner reads. */
export function minerHelp(): string {
  return [
    helpText("miner", SUMMARY, minerFlags),
    "",
    "environment (upstream names; load a file with `deno run -A --env-file=.env main.ts miner`):",
    "  LLM_TYPE / LLM_TYPE_OVERRIDE   openai (default), groq, anthropic, openrouter, chutes, local, offline",
    "  OPENAI_API_KEY, OPENAI_MODEL, GROQ_*, ANTHROPIC_*, OPENROUTER_*, CHUTES_*, LLM_*  (docs/llm.md)",
    "  BT_WALLET_NAME, BT_WALLET_HOTKEY, BT_WALLET_PATH, BT_SUBTENSOR_NETWORK, BT_AXON_PORT",
    "",
    "exit codes: 0 stopped, 1 bug, 2 bad flag, 3 not registered, 4 bad LLM config, 5 wallet,",
    "            6 chain unreachable, 7 axon bind or serve_axon refused",
  ].join("\n");
}

/** A start-up failure that ends the command with `code` and prints `message` alone. */
class Stop extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

/** Waits for SIGINT or SIGTERM; returns the signal's name. */
function untilSignal(): { signal: Promise<string>; dispose(): void } {
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const handlers: Array<[Deno.Signal, () => void]> = [];
  const signal = new Promise<string>((resolve) => {
    for (const s of signals) {
      const h = () => resolve(s);
      handlers.push([s, h]);
      Deno.addSignalListener(s, h);
    }
  });
  return {
    signal,
    dispose: () => handlers.forEach(([s, h]) => Deno.removeSignalListener(s, h)),
  };
}

function parse(
  args: string[],
): { flags: MinerFlags; settings: MinerSettings; noEffect: string[] } | "help" {
  try {
    const { flags, rest, given } = parseFlags(args, minerFlags);
    if (flags.help) return "help";
    if (rest.length) {
      throw new FlagError([`unexpected argument ${JSON.stringify(rest[0])} (flags start with --)`]);
    }
    const noEffect = NO_EFFECT_FLAGS.filter((f) => given.has(f));
    return { flags, settings: resolveMinerSettings(flags), noEffect };
  } catch (e) {
    if (e instanceof FlagError) {
      throw new Stop(
        `miner: bad flags:\n  ${e.problems.join("\n  ")}\n(cgp-node miner --help lists them)`,
        MINER_EXIT.usage,
      );
    }
    throw e;
  }
}

function loadLlm(): CgpLlm {
  try {
    return createCgpLlmFromEnv().llm;
  } catch (e) {
    if (e instanceof LlmError && e.code === "config") {
      throw new Stop(`miner: LLM configuration: ${e.message}`, MINER_EXIT.llmConfig);
    }
    throw e;
  }
}

async function connect(s: MinerSettings): Promise<SubtensorClient> {
  try {
    return await SubtensorClient.connect({
      network: s.network,
      chainEndpoint: s.chainEndpoint,
      connectTimeoutMs: s.connectTimeoutMs,
    });
  } catch (e) {
    if (e instanceof EndpointError) {
      throw new Stop(`miner: ${e.message}`, MINER_EXIT.usage);
    }
    if (e instanceof ChainError) {
      throw new Stop(`miner: cannot reach the chain: ${e.message}`, MINER_EXIT.chain);
    }
    throw e;
  }
}

async function start(s: MinerSettings): Promise<{ client: SubtensorClient; miner: RunningMiner }> {
  const llm = loadLlm();
  const wallet = openWallet({
    ...s.wallet,
    // an encrypted hotkey (rare) asks at the terminal; a service without one fails clearly
    prompt: Deno.stdin.isTerminal() ? undefined : false,
  });
  let hotkey;
  try {
    hotkey = await wallet.hotkey();
  } catch (e) {
    if (e instanceof WalletError) {
      throw new Stop(`miner: wallet hotkey: ${e.message}`, MINER_EXIT.wallet);
    }
    throw e;
  }
  log.info("hotkey {hotkey} (wallet {name}/{hk})", {
    hotkey: hotkey.ss58Address,
    name: s.wallet.name,
    hk: s.wallet.hotkey,
  });
  const client = await connect(s);
  try {
    const miner = await startMiner({
      client,
      netuid: s.netuid,
      hotkey,
      llm,
      bind: s.bind,
      external: s.external,
      blacklist: s.blacklist,
      resyncMs: s.resyncMs,
      llmConcurrency: s.llmConcurrency,
      useTaskPrompt: s.useTaskPrompt,
      cacheEntries: s.cacheEntries,
    });
    return { client, miner };
  } catch (e) {
    await client.close();
    if (e instanceof MinerStartError) throw new Stop(`miner: ${e.message}`, e.exitCode);
    if (e instanceof Deno.errors.AddrInUse || e instanceof Deno.errors.AddrNotAvailable) {
      throw new Stop(
        `miner: cannot bind the axon to ${s.bind.hostname}:${s.bind.port}: ${e.message} ` +
          `(check --axon.ip / --axon.port)`,
        MINER_EXIT.serve,
      );
    }
    if (e instanceof Deno.errors.PermissionDenied) {
      throw new Stop(
        `miner: cannot bind the axon to port ${s.bind.port}: permission denied`,
        MINER_EXIT.serve,
      );
    }
    if (e instanceof ChainError) {
      throw new Stop(
        `miner: announcing the axon at ${s.external.ip}:${s.external.port} failed: ${e.message}`,
        e.kind === "unavailable" || e.kind === "timeout" ? MINER_EXIT.chain : MINER_EXIT.serve,
      );
    }
    throw e;
  }
}

/** Runs the miner until a signal; resolves to the exit code. */
export async function runMiner(args: string[]): Promise<number> {
  let stopWait: ReturnType<typeof untilSignal> | undefined;
  try {
    const parsed = parse(args);
    if (parsed === "help") {
      console.log(minerHelp());
      return MINER_EXIT.ok;
    }
    const { settings } = parsed;
    await setupLogging(settings.logLevel);
    if (parsed.noEffect.length) {
      log.warn("ignored (upstream flags with no effect here): {flags}", {
        flags: parsed.noEffect.map((f) => `--${f}`).join(", "),
      });
    }
    // listen before the slow steps, so a signal during start-up is not the default kill
    stopWait = untilSignal();
    const started = start(settings);
    const first = await Promise.race([
      started.then((r) => ({ kind: "started" as const, ...r })),
      stopWait.signal.then((signal) => ({ kind: "signal" as const, signal })),
    ]);
    if (first.kind === "signal") {
      log.info("{signal} during start-up; stopping", { signal: first.signal });
      const r = await started.catch(() => undefined);
      if (r) {
        await r.miner.stop();
        await r.client.close();
      }
      return MINER_EXIT.ok;
    }
    const { client, miner } = first;
    const counters = () => {
      const st = miner.miner.stats();
      // plain key=value pairs, so scripts (and the miner bench) can read them back
      log.info(
        `counters: requests=${st.requests} answered=${st.answered} empty=${st.emptyAnswers} ` +
          `shed=${st.shed} cache_hits=${st.cacheHits} cache_misses=${st.cacheMisses} ` +
          `llm_running=${st.llmRunning} llm_waiting=${st.llmWaiting}`,
      );
    };
    // `kill -USR1 <pid>` prints the counters without stopping the miner
    const usr1 = Deno.build.os === "windows" ? undefined : counters;
    if (usr1) Deno.addSignalListener("SIGUSR1", usr1);
    const signal = await stopWait.signal;
    if (usr1) Deno.removeSignalListener("SIGUSR1", usr1);
    log.info("{signal}: stopping the miner (uid {uid})", { signal, uid: miner.uid });
    await miner.stop();
    await client.close();
    counters();
    log.info("stopped");
    return MINER_EXIT.ok;
  } catch (e) {
    if (e instanceof Stop) {
      console.error(e.message);
      return e.code;
    }
    console.error(`miner: unexpected error (a bug; please report it):`);
    console.error(e instanceof Error ? e.stack ?? e.message : String(e));
    return MINER_EXIT.unexpected;
  } finally {
    stopWait?.dispose();
  }
}

/** The `miner` command of main.ts. */
export const minerCommand: Command = { summary: SUMMARY, run: runMiner };
