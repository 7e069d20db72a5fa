/**
 * @module
 * The validator's flags, named as the Python neuron names them (`--neuron.sample_size`, ...),
 * plus the upstream environment variables, turned into one {@link ValidatorConfig}.
 */
import { checks, type Flags, type FlagSpecs } from "../config/flags.ts";
import {
  compatibilityFlags,
  expandHome,
  neuronFlags,
  neuronFullPath,
} from "../config/neuron_flags.ts";
import type { ValidatorConfig } from "./validator.ts";

/** Every flag `deno task validator` takes. */
export const validatorFlags = {
  ...neuronFlags,
  ...compatibilityFlags,
  "neuron.name": { kind: "string", default: "validator", help: "name of the state directory" },
  "neuron.full_path": {
    kind: "string",
    help: "state directory (default: derived from --logging.logging_dir)",
  },
  "neuron.sample_size": {
    kind: "int",
    default: 6,
    help: "miners queried per task",
    check: checks.positive,
  },
  "neuron.timeout": {
    kind: "float",
    default: 12,
    help: "seconds a miner has to answer a task (upstream's effective 12)",
    check: checks.positive,
  },
  "neuron.moving_average_alpha": {
    kind: "float",
    default: 0.1,
    help: "weight of a new reward in the moving average",
    check: checks.fraction,
  },
  "neuron.num_concurrent_forwards": {
    kind: "int",
    default: 1,
    help: "tasks in flight at once",
    check: checks.positive,
  },
  "neuron.disable_set_weights": {
    kind: "boolean",
    help: "never set weights (scores are still kept)",
  },
  "neuron.axon_off": {
    kind: "boolean",
    help: "accepted for compatibility: this validator serves no axon",
  },
  "neuron.vpermit_tao_limit": {
    kind: "float",
    default: 4096,
    help: "validators with more stake than this are not queried",
    check: checks.nonNegative,
  },
  "neuron.bundles_per_step": {
    kind: "int",
    default: 10,
    help: "task bundles reserved per step",
    check: checks.positive,
  },
  "neuron.tasks_per_bundle": {
    kind: "int",
    default: 5,
    help: "tasks taken from each bundle",
    check: checks.positive,
  },
  "neuron.minimum_tasks": {
    kind: "int",
    default: 10,
    help: "fewer tasks make the step fail (no weights)",
    check: checks.nonNegative,
  },
  "neuron.skip_quality_gate": {
    kind: "boolean",
    help: "do not run the LLM conversation-quality check",
  },
  "neuron.burn_rate": {
    kind: "float",
    default: 0.9,
    help: "weight given to the subnet owner",
    check: checks.fraction,
  },
  "neuron.version_key": {
    kind: "int",
    help: "weights version key (default: the SDK's version_as_int)",
  },
  "actors.pool_size": {
    kind: "int",
    help: "worker isolates for the actors (default 1)",
    check: checks.positive,
  },
  "store.url": {
    kind: "string",
    help: "conversation store for reserving (default: CGP_API_READ_HOST:PORT)",
  },
  "store.write_url": {
    kind: "string",
    help: "where records go (default: CGP_API_WRITE_HOST:PORT)",
  },
  "store.api_key_file": {
    kind: "string",
    default: "readyai_api_data.json",
    help: "API key file written by `cgp-node api-key`",
  },
  help: { kind: "boolean", help: "print this help" },
} as const satisfies FlagSpecs;

/** Parsed validator flags. */
export type ValidatorFlags = Flags<typeof validatorFlags>;

function hostPort(host: string | undefined, port: string | undefined): string | undefined {
  if (!host) return undefined;
  const h = /^https?:\/\//.test(host) ? host : `https://${host}`;
  return port ? `${h.replace(/\/$/, "")}:${port}` : h;
}

/** The validator configuration flags and environment ask for. */
export function validatorConfigFrom(
  f: ValidatorFlags,
  selfHotkey: string,
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): ValidatorConfig {
  const fullPath = f["neuron.full_path"]
    ? expandHome(f["neuron.full_path"])
    : neuronFullPath(f, f["neuron.name"] ?? "validator");
  const readUrl = f["store.url"] ?? hostPort(env("CGP_API_READ_HOST"), env("CGP_API_READ_PORT"));
  const writeUrl = f["store.write_url"] ??
    hostPort(env("CGP_API_WRITE_HOST"), env("CGP_API_WRITE_PORT")) ?? readUrl;
  const httpTimeout = Number(env("HTTP_TIMEOUT") ?? "");
  const quality = Number(env("CONVO_QUALITY_THRESHOLD") ?? "");
  return {
    netuid: f.netuid!,
    chain: { network: f["subtensor.network"], chainEndpoint: f["subtensor.chain_endpoint"] },
    hotkey: {
      kind: "wallet",
      name: f["wallet.name"]!,
      hotkey: f["wallet.hotkey"]!,
      path: expandHome(f["wallet.path"]!),
    },
    selfHotkey,
    statePath: `${fullPath}/state.json`,
    spoolDir: `${fullPath}/spool`,
    store: {
      url: readUrl,
      writeUrl,
      apiKeyFile: f["store.api_key_file"],
      timeoutMs: httpTimeout > 0 ? httpTimeout * 1000 : undefined,
    },
    sampleSize: f["neuron.sample_size"]!,
    timeoutS: f["neuron.timeout"]!,
    bundlesPerStep: f["neuron.bundles_per_step"]!,
    tasksPerBundle: f["neuron.tasks_per_bundle"]!,
    minimumTasks: f["neuron.minimum_tasks"]!,
    concurrentTasks: f["neuron.num_concurrent_forwards"]!,
    epochLength: f["neuron.epoch_length"]!,
    alpha: f["neuron.moving_average_alpha"]!,
    vpermitTaoLimit: f["neuron.vpermit_tao_limit"]!,
    burnRate: f["neuron.burn_rate"]!,
    versionKey: f["neuron.version_key"],
    disableSetWeights: !!f["neuron.disable_set_weights"],
    skipQualityGate: !!f["neuron.skip_quality_gate"],
    qualityThreshold: quality > 0 ? quality : 5,
    maxResponseBytes: 1024 * 1024,
    poolSize: f["actors.pool_size"],
    mode: env("SYSTEM_MODE") ?? "prod",
    markerId: env("MARKER_ID") ?? null,
  };
}
