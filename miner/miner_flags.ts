/**
 * @module
 * The flags of `cgp-node miner`, named as the Python neuron (`neurons/miner.py`) takes them, on
 * top of {@link neuronFlags}, plus ours (minimum stake, rate limit, LLM concurrency, task
 * prompts). {@link resolveMinerSettings} turns parsed flags into what {@link startMiner} needs,
 * checking what the flag parser cannot (addresses, the advertised ip), so every operator mistake
 * is reported by flag name before anything starts.
 */
import { checks, FlagError, type Flags, type FlagSpecs } from "../config/flags.ts";
import { compatibilityFlags, logLevel, neuronFlags } from "../config/neuron_flags.ts";
import type { Level } from "../config/logging.ts";
import { EndpointError, resolveEndpoint } from "../chain/endpoints.ts";
import { IpError, ipVersion } from "../chain/ip.ts";
import type { BlacklistOptions } from "./blacklist.ts";

/** Every flag `cgp-node miner` accepts. */
export const minerFlags = {
  ...neuronFlags,
  "axon.ip": {
    kind: "string",
    default: "0.0.0.0",
    help: "address the axon binds (0.0.0.0: every interface)",
  },
  "axon.external_ip": {
    kind: "string",
    help: "ip announced on chain; required when --axon.ip is 0.0.0.0 (no auto-detection: " +
      "this node never asks a web service for its address)",
  },
  "axon.external_port": {
    kind: "int",
    help: "port announced on chain (default: --axon.port)",
    check: checks.port,
  },
  "logging.logging_dir": {
    kind: "string",
    default: "~/.bittensor/miners",
    help: "root of the neuron's state directory",
  },
  "blacklist.force_validator_permit": {
    kind: "boolean",
    default: true,
    help:
      "refuse callers without a validator permit (upstream default; --blacklist.force_validator_permit false to allow)",
  },
  "blacklist.allow_non_registered": {
    kind: "boolean",
    default: false,
    help: "answer hotkeys that are not registered on the subnet",
  },
  "blacklist.min_stake": {
    kind: "float",
    default: 0,
    help: "refuse registered callers with less stake than this (TAO)",
    check: checks.nonNegative,
  },
  "blacklist.max_requests_per_minute": {
    kind: "int",
    default: 0,
    help: "refuse a hotkey past this many requests per minute (0: unlimited)",
    check: checks.nonNegative,
  },
  "miner.llm_concurrency": {
    kind: "int",
    default: 4,
    help: "LLM jobs run at once; more wait by stake and are shed (503) before the caller's timeout",
    check: checks.positive,
  },
  "miner.use_task_prompt": {
    kind: "boolean",
    default: false,
    help: "use the prompt template a conversation task carries (upstream ignores it)",
  },
  "miner.cache_entries": {
    kind: "int",
    default: 4096,
    help: "answers kept for repeated windows (the validator sends each window to several miners)",
    check: checks.positive,
  },
  "subtensor.connect_timeout": {
    kind: "int",
    default: 30,
    help: "seconds to wait for the first chain connection before giving up",
    check: checks.positive,
  },
  // upstream's template flags a miner does not use: accepted so existing command lines keep
  // working, and named in a start-up warning
  ...compatibilityFlags,
  "neuron.name": { kind: "string", help: "accepted for compatibility; no effect" },
  "help": { kind: "boolean", help: "show this help" },
} as const satisfies FlagSpecs;

/** Upstream flags that are accepted but change nothing here. */
export const NO_EFFECT_FLAGS: readonly string[] = [
  "neuron.name",
  ...Object.keys(compatibilityFlags),
];

/** Parsed miner flags. */
export type MinerFlags = Flags<typeof minerFlags>;

/** Seconds per block on finney, for `--neuron.epoch_length` → metagraph re-sync interval. */
export const BLOCK_SECONDS = 12;

/** Everything the miner command needs, resolved from {@link MinerFlags}. */
export interface MinerSettings {
  netuid: number;
  logLevel: Level;
  network: string;
  chainEndpoint?: string;
  connectTimeoutMs: number;
  wallet: { name: string; hotkey: string; path: string };
  bind: { hostname: string; port: number };
  external: { ip: string; port: number };
  blacklist: BlacklistOptions;
  llmConcurrency: number;
  useTaskPrompt: boolean;
  cacheEntries: number;
  /** Metagraph re-sync interval: `--neuron.epoch_length` blocks of 12 s. */
  resyncMs: number;
}

function checkIp(flag: string, ip: string, problems: string[]): boolean {
  try {
    ipVersion(ip);
    return true;
  } catch (e) {
    if (!(e instanceof IpError)) throw e;
    problems.push(`--${flag}: not an IPv4 or IPv6 address: ${JSON.stringify(ip)}`);
    return false;
  }
}

const UNSPECIFIED = new Set(["0.0.0.0", "::", "[::]"]);

/**
 * Resolves parsed flags into {@link MinerSettings}. The advertised ip is `--axon.external_ip`,
 * else `--axon.ip` unless that binds every interface (then `--axon.external_ip` is required).
 * Throws {@link FlagError} naming every bad flag.
 *
 * @example
 * ```ts
 * import { parseFlags } from "../config/flags.ts";
 * import { minerFlags, resolveMinerSettings } from "./miner_flags.ts";
 * const { flags } = parseFlags(["--axon.ip", "10.0.0.5"], minerFlags, () => undefined);
 * resolveMinerSettings(flags).external; // { ip: "10.0.0.5", port: 8091 }
 * ```
 */
export function resolveMinerSettings(flags: MinerFlags): MinerSettings {
  const problems: string[] = [];
  const bindIp = flags["axon.ip"]!;
  const port = flags["axon.port"]!;
  const bindOk = checkIp("axon.ip", bindIp, problems);
  let externalIp = flags["axon.external_ip"];
  if (externalIp !== undefined) {
    if (checkIp("axon.external_ip", externalIp, problems) && UNSPECIFIED.has(externalIp)) {
      problems.push(`--axon.external_ip: ${externalIp} cannot be reached by validators`);
    }
  } else if (bindOk && UNSPECIFIED.has(bindIp)) {
    problems.push(
      `--axon.external_ip: required when --axon.ip is ${bindIp} (the address validators ` +
        `reach this miner at; this node does not look it up on the internet)`,
    );
  } else externalIp = bindIp;
  try {
    // checked here so a misspelt network stops start-up before the wallet is read
    resolveEndpoint({
      network: flags["subtensor.network"],
      chainEndpoint: flags["subtensor.chain_endpoint"],
    });
  } catch (e) {
    if (!(e instanceof EndpointError)) throw e;
    const flag = flags["subtensor.chain_endpoint"]?.trim()
      ? "subtensor.chain_endpoint"
      : "subtensor.network";
    problems.push(`--${flag}: ${e.message}`);
  }
  if (problems.length) throw new FlagError(problems);
  return {
    netuid: flags.netuid!,
    logLevel: logLevel(flags),
    network: flags["subtensor.network"]!,
    chainEndpoint: flags["subtensor.chain_endpoint"],
    connectTimeoutMs: flags["subtensor.connect_timeout"]! * 1000,
    wallet: {
      name: flags["wallet.name"]!,
      hotkey: flags["wallet.hotkey"]!,
      path: flags["wallet.path"]!,
    },
    bind: { hostname: bindIp, port },
    external: { ip: externalIp!, port: flags["axon.external_port"] ?? port },
    blacklist: {
      allowNonRegistered: flags["blacklist.allow_non_registered"]!,
      forceValidatorPermit: flags["blacklist.force_validator_permit"]!,
      minStakeTao: flags["blacklist.min_stake"]!,
      maxRequestsPerMinute: flags["blacklist.max_requests_per_minute"]!,
    },
    llmConcurrency: flags["miner.llm_concurrency"]!,
    useTaskPrompt: flags["miner.use_task_prompt"]!,
    cacheEntries: flags["miner.cache_entries"]!,
    resyncMs: flags["neuron.epoch_length"]! * BLOCK_SECONDS * 1000,
  };
}
