/**
 * @module
 * The local chain's domain state: subnets, neurons, accounts, drand pulses. Plain objects the
 * pallet logic mutates; `storage_view.ts` turns them into SCALE storage with the metadata's
 * types. Accounts are kept as 0x-hex public keys.
 */

/** `AxonInfo` as the pallet stores it. */
export interface AxonInfo {
  block: number;
  version: number;
  ip: bigint;
  port: number;
  ipType: number;
  protocol: number;
  placeholder1: number;
  placeholder2: number;
}

/** `PrometheusInfo` as the pallet stores it. */
export interface PrometheusInfo {
  block: number;
  version: number;
  ip: bigint;
  port: number;
  ipType: number;
}

/** One UID slot of a subnet. */
export interface Neuron {
  uid: number;
  hotkey: string;
  coldkey: string;
  registeredAt: number;
  axon?: AxonInfo;
  prometheus?: PrometheusInfo;
  validatorPermit: boolean;
  /** Set by the admin API: keeps the permit fixed across epochs (else top-k by stake). */
  permitOverride?: boolean;
  active: boolean;
  lastUpdate: number;
  weights: Array<[number, number]>;
  bonds: Array<[number, number]>;
  incentive: number;
  dividends: number;
  consensus: number;
  trust: number;
  rank: number;
  validatorTrust: number;
  pruningScore: number;
  emission: bigint;
}

/** A timelocked (CR v3/v4) commit: `(who, commit_block, ciphertext, reveal_round)`. */
export interface TimelockedCommit {
  who: string;
  commitBlock: number;
  ciphertext: Uint8Array;
  revealRound: bigint;
}

/** Subnet hyperparameters the local chain models (storage-item names in the comments). */
export interface Hyperparameters {
  tempo: number; // Tempo
  weightsSetRateLimit: bigint; // WeightsSetRateLimit
  weightsVersionKey: bigint; // WeightsVersionKey
  minAllowedWeights: number; // MinAllowedWeights
  maxWeightsLimit: number; // MaxWeightsLimit
  maxAllowedUids: number; // MaxAllowedUids
  maxAllowedValidators: number; // MaxAllowedValidators
  servingRateLimit: bigint; // ServingRateLimit
  commitRevealWeightsEnabled: boolean; // CommitRevealWeightsEnabled
  revealPeriodEpochs: bigint; // RevealPeriodEpochs
  immunityPeriod: number; // ImmunityPeriod
  activityCutoff: number; // ActivityCutoff
  burn: bigint; // Burn
  minBurn: bigint; // MinBurn
  maxBurn: bigint; // MaxBurn
  difficulty: bigint; // Difficulty
  kappa: number; // Kappa
  rho: number; // Rho
  registrationAllowed: boolean; // NetworkRegistrationAllowed
  powRegistrationAllowed: boolean; // NetworkPowRegistrationAllowed
}

/** Storage-item name for each hyperparameter field (what `setHyperparameter` also accepts). */
export const HYPERPARAMETER_ITEMS: Record<keyof Hyperparameters, string> = {
  tempo: "Tempo",
  weightsSetRateLimit: "WeightsSetRateLimit",
  weightsVersionKey: "WeightsVersionKey",
  minAllowedWeights: "MinAllowedWeights",
  maxWeightsLimit: "MaxWeightsLimit",
  maxAllowedUids: "MaxAllowedUids",
  maxAllowedValidators: "MaxAllowedValidators",
  servingRateLimit: "ServingRateLimit",
  commitRevealWeightsEnabled: "CommitRevealWeightsEnabled",
  revealPeriodEpochs: "RevealPeriodEpochs",
  immunityPeriod: "ImmunityPeriod",
  activityCutoff: "ActivityCutoff",
  burn: "Burn",
  minBurn: "MinBurn",
  maxBurn: "MaxBurn",
  difficulty: "Difficulty",
  kappa: "Kappa",
  rho: "Rho",
  registrationAllowed: "NetworkRegistrationAllowed",
  powRegistrationAllowed: "NetworkPowRegistrationAllowed",
};

/** A subnet with its UIDs and per-mechanism-0 data. */
export interface Subnet {
  netuid: number;
  ownerColdkey: string;
  ownerHotkey: string;
  registeredAt: number;
  lastStep: number;
  hyper: Hyperparameters;
  neurons: Neuron[];
  /** TimelockedWeightCommits for mechanism 0, keyed by epoch. */
  commits: Map<bigint, TimelockedCommit[]>;
  /** Alpha emitted per epoch (rao), split between miners and validators. */
  emissionPerEpoch: bigint;
}

/** System.Account data the local chain models. */
export interface Account {
  nonce: number;
  free: bigint;
}

/** The whole mutable state. */
export interface ChainState {
  subnets: Map<number, Subnet>;
  accounts: Map<string, Account>;
  /** TotalHotkeyAlpha keyed by `${hotkey}:${netuid}`. */
  alpha: Map<string, bigint>;
  /** Owner (hotkey → coldkey). */
  owner: Map<string, string>;
  stakeThreshold: bigint;
  commitRevealVersion: number;
  /** Drand pulses by round. */
  pulses: Map<bigint, { signature: Uint8Array; randomness: Uint8Array }>;
  lastStoredRound: bigint;
  oldestStoredRound: bigint;
}

/**
 * Hyperparameter defaults: the metadata's own storage defaults (`readDefault(item)` returns the
 * decoded fallback of `SubtensorModule.<item>`), else the values below (this team blob's).
 */
export function defaultHyperparameters(
  readDefault?: (item: string) => { toString(): string } | undefined,
): Hyperparameters {
  const base = builtinDefaults();
  if (!readDefault) return base;
  for (
    const [field, item] of Object.entries(HYPERPARAMETER_ITEMS) as Array<
      [keyof Hyperparameters, string]
    >
  ) {
    const v = readDefault(item);
    if (v === undefined) continue;
    const cur = base[field];
    const text = v.toString();
    // deno-lint-ignore no-explicit-any
    (base as any)[field] = typeof cur === "bigint"
      ? BigInt(text)
      : typeof cur === "boolean"
      ? text === "true"
      : Number(text);
  }
  return base;
}

function builtinDefaults(): Hyperparameters {
  return {
    tempo: 10,
    weightsSetRateLimit: 100n,
    weightsVersionKey: 0n,
    minAllowedWeights: 1024,
    maxWeightsLimit: 65535,
    maxAllowedUids: 256,
    maxAllowedValidators: 128,
    servingRateLimit: 50n,
    commitRevealWeightsEnabled: true,
    revealPeriodEpochs: 1n,
    immunityPeriod: 4096,
    activityCutoff: 5000,
    burn: 100_000_000n,
    minBurn: 500_000n,
    maxBurn: 100_000_000_000n,
    difficulty: 10_000_000n,
    kappa: 32767,
    rho: 10,
    registrationAllowed: true,
    powRegistrationAllowed: true,
  };
}

/** An empty chain state. */
export function emptyState(): ChainState {
  return {
    subnets: new Map(),
    accounts: new Map(),
    alpha: new Map(),
    owner: new Map(),
    stakeThreshold: 0n,
    commitRevealVersion: 4,
    pulses: new Map(),
    lastStoredRound: 0n,
    oldestStoredRound: 0n,
  };
}

/** A fresh neuron record. */
export function newNeuron(uid: number, hotkey: string, coldkey: string, block: number): Neuron {
  return {
    uid,
    hotkey,
    coldkey,
    registeredAt: block,
    validatorPermit: false,
    active: true,
    lastUpdate: 0,
    weights: [],
    bonds: [],
    incentive: 0,
    dividends: 0,
    consensus: 0,
    trust: 0,
    rank: 0,
    validatorTrust: 0,
    pruningScore: 65535,
    emission: 0n,
  };
}

/** TotalHotkeyAlpha of `hotkey` on `netuid` (rao). */
export function hotkeyAlpha(state: ChainState, hotkey: string, netuid: number): bigint {
  return state.alpha.get(`${hotkey}:${netuid}`) ?? 0n;
}
