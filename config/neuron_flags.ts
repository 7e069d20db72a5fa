/**
 * @module
 * The flags every neuron (miner and validator) takes, named as the Python SDK names them, and the
 * derived values (log level, state directory) computed in one place.
 */
import { checks, type Flags, type FlagSpecs } from "./flags.ts";
import type { Level } from "./logging.ts";

/** Wallet, subtensor, logging and axon flags shared by the miner and the validator. */
export const neuronFlags = {
  "netuid": {
    kind: "int",
    default: 33,
    help: "subnet uid (33 mainnet, 138 testnet)",
    check: checks.netuid,
  },
  "subtensor.network": {
    kind: "string",
    default: "finney",
    env: "BT_SUBTENSOR_NETWORK",
    help: "finney, test, local, or a ws(s):// endpoint",
  },
  "subtensor.chain_endpoint": {
    kind: "string",
    env: "BT_SUBTENSOR_CHAIN_ENDPOINT",
    help: "chain endpoint; overrides --subtensor.network",
  },
  "wallet.name": {
    kind: "string",
    default: "default",
    env: "BT_WALLET_NAME",
    help: "coldkey wallet name",
  },
  "wallet.hotkey": {
    kind: "string",
    default: "default",
    env: "BT_WALLET_HOTKEY",
    help: "hotkey name",
  },
  "wallet.path": {
    kind: "string",
    default: "~/.bittensor/wallets",
    env: "BT_WALLET_PATH",
    help: "wallets directory",
  },
  "axon.port": {
    kind: "int",
    default: 8091,
    env: "BT_AXON_PORT",
    help: "axon port",
    check: checks.port,
  },
  "axon.ip": { kind: "string", default: "0.0.0.0", help: "address the axon binds" },
  "axon.external_ip": {
    kind: "string",
    help: "ip advertised on chain (auto-detected when absent)",
  },
  "axon.external_port": { kind: "int", help: "port advertised on chain", check: checks.port },
  "neuron.epoch_length": {
    kind: "int",
    default: 100,
    help: "blocks between metagraph re-syncs",
    check: checks.positive,
  },
  "logging.debug": { kind: "boolean", help: "debug logging" },
  "logging.trace": { kind: "boolean", help: "trace logging" },
  "logging.info": { kind: "boolean", help: "info logging (the default)" },
  "logging.logging_dir": {
    kind: "string",
    default: "~/.bittensor/miners",
    help: "root of the neuron's state directory",
  },
} as const satisfies FlagSpecs;

/** A flag upstream's neuron template takes that changes nothing here. */
const noEffect = (kind: "string" | "boolean") =>
  ({ kind, help: "accepted for compatibility; no effect" }) as const;

/**
 * Upstream template flags our neurons accept but do not use, so that operators' existing
 * command lines keep working; the commands name them in a start-up warning.
 */
export const compatibilityFlags = {
  "neuron.device": noEffect("string"),
  "neuron.events_retention_size": noEffect("string"),
  "neuron.dont_save_events": noEffect("boolean"),
  "mock": noEffect("boolean"),
  "wandb.off": noEffect("boolean"),
  "wandb.offline": noEffect("boolean"),
  "wandb.notes": noEffect("string"),
  "wandb.project_name": noEffect("string"),
  "wandb.entity": noEffect("string"),
} as const satisfies FlagSpecs;

/** The names of {@link compatibilityFlags} given on a command line. */
export function compatibilityFlagsGiven(given: ReadonlySet<string>): string[] {
  return Object.keys(compatibilityFlags).filter((f) => given.has(f));
}

/** Parsed neuron flags. */
export type NeuronFlags = Flags<typeof neuronFlags>;

/** The log level the logging flags ask for. */
export function logLevel(flags: Pick<NeuronFlags, "logging.debug" | "logging.trace">): Level {
  if (flags["logging.trace"]) return "trace";
  if (flags["logging.debug"]) return "debug";
  return "info";
}

/** `~` expanded against HOME. */
export function expandHome(path: string): string {
  if (path === "~" || path.startsWith("~/")) {
    const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
    return home + path.slice(1);
  }
  return path;
}

/**
 * The neuron's state directory as the SDK builds it:
 * `<logging_dir>/<wallet>/<hotkey>/netuid<N>/<neuron name>`.
 */
export function neuronFullPath(flags: NeuronFlags, neuronName: string): string {
  return [
    expandHome(flags["logging.logging_dir"] ?? "~/.bittensor/miners"),
    flags["wallet.name"],
    flags["wallet.hotkey"],
    `netuid${flags.netuid}`,
    neuronName,
  ].join("/");
}
