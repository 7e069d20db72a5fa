/**
 * @module
 * The metagraph of a subnet, read through the runtime APIs the live metadata offers:
 * `SubnetInfoRuntimeApi_get_metagraph` when the runtime has it (one call with stakes), else
 * `NeuronInfoRuntimeApi_get_neurons_lite` plus stakes from `get_subnet_state`, like the SDK's
 * `Metagraph.sync`. Hyperparameters come from `get_subnet_hyperparams_v2`, the owner from
 * `SubnetOwnerHotkey`. u16 scores become floats `x / 65535` and balances TAO floats `rao / 1e9`
 * (the raw values are kept alongside), as the SDK does. Everything is read at one block hash.
 */
import type { ApiPromise } from "@polkadot/api";
import type { Codec } from "@polkadot/types/types";
import type { SubtensorClient } from "./client.ts";
import { ChainDataError, ChainUnsupportedError } from "./errors.ts";
import { intToIp } from "./ip.ts";
import {
  type AxonInfo,
  decodeNeuronsLite,
  type NeuronLite,
  NEURONS_LITE_SHAPE,
} from "./neuron_lite.ts";
import {
  decodeRuntimeOutput,
  hasRuntimeApi,
  runtimeApiOutputShape,
  runtimeCallRaw,
  u16Arg,
} from "./runtime_api.ts";

/** 1 TAO in rao. */
export const RAO_PER_TAO = 1e9;
const U16_MAX = 65535;

/** The subnet hyperparameters a miner/validator needs (from `get_subnet_hyperparams_v2`). */
export interface SubnetHyperparameters {
  tempo: number;
  /** `RevealPeriodEpochs`. */
  commitRevealPeriod: number;
  commitRevealWeightsEnabled: boolean;
  /** `WeightsVersionKey`: the minimum version key accepted (0 = any). */
  weightsVersion: number;
  /** `WeightsSetRateLimit` in blocks. */
  weightsRateLimit: number;
  minAllowedWeights: number;
  maxWeightsLimit: number;
  activityCutoff: number;
  immunityPeriod: number;
  servingRateLimit: number;
  registrationAllowed: boolean;
  maxValidators: number;
  /** Every field of the runtime struct, as JSON primitives (u64 beyond 2^53 as strings). */
  raw: Record<string, unknown>;
}

/**
 * A subnet's metagraph at one block. Per-uid arrays are indexed by uid (`uids[i] === i`).
 * Floats follow the SDK; `*Rao` arrays keep the exact chain values.
 */
export interface Metagraph {
  netuid: number;
  /** Block number the data was read at. */
  block: number;
  /** Hash of that block. */
  blockHash: string;
  /** Which runtime API supplied the neurons. */
  source: "get_metagraph" | "get_neurons_lite";
  /** Number of neurons. */
  n: number;
  uids: number[];
  hotkeys: string[];
  coldkeys: string[];
  /** Total stake weight (`total_stake` = alpha + root TAO × TaoWeight), TAO floats; the SDK's `S`. */
  stake: number[];
  /** `total_stake` in rao. */
  stakeRao: bigint[];
  /** Alpha stake (inherited, after delegation), rao. */
  alphaStakeRao: bigint[];
  /** Root TAO stake, rao (not multiplied by the SDK's 0.18 display weight). */
  taoStakeRao: bigint[];
  validatorPermit: boolean[];
  active: boolean[];
  /** Block of each uid's last weight set/commit. */
  lastUpdate: number[];
  /** u16/65535 floats. */
  incentive: number[];
  dividends: number[];
  consensus: number[];
  trust: number[];
  rank: number[];
  /** `validator_trust` (u16/65535); zeros when the source runtime API lacks it. */
  validatorTrust: number[];
  /** Emission per uid, alpha rao / 1e9. */
  emission: number[];
  emissionRao: bigint[];
  axons: AxonInfo[];
  hyperparameters: SubnetHyperparameters;
  /** The subnet owner's hotkey (`SubnetOwnerHotkey`), null when unset. */
  ownerHotkey: string | null;
  /** The owner hotkey's uid on this subnet, null when it holds none. */
  ownerUid: number | null;
}

const ZERO_ACCOUNT = "5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM";

/** Reads the metagraph of `netuid`; throws `ChainUnsupportedError` when the subnet does not exist. */
export async function readMetagraph(client: SubtensorClient, netuid: number): Promise<Metagraph> {
  const api = client.api;
  const { blockHash, block } = await client.call("chain_getHeader", async () => {
    const h = await api.rpc.chain.getHeader();
    return { blockHash: h.hash.toHex(), block: h.number.toNumber() };
  });
  const exists = await client.call(
    "NetworksAdded",
    async () => (await api.query.subtensorModule.networksAdded(netuid)).toPrimitive() === true,
  );
  if (!exists) throw new ChainUnsupportedError(`subnet ${netuid} does not exist`);
  const [hyperparameters, ownerHotkey] = await Promise.all([
    readHyperparameters(client, netuid, blockHash),
    client.call("SubnetOwnerHotkey", async () => {
      const q = api.query.subtensorModule.subnetOwnerHotkey;
      if (!q) return null;
      const v = (await q(netuid)).toString();
      return v === ZERO_ACCOUNT ? null : v;
    }),
  ]);
  let body: NeuronColumns | undefined;
  let source: Metagraph["source"] = "get_neurons_lite";
  if (hasRuntimeApi(api, "SubnetInfoRuntimeApi_get_metagraph")) {
    try {
      body = await client.call("get_metagraph", async () => {
        const raw = await runtimeCallRaw(
          client,
          "SubnetInfoRuntimeApi_get_metagraph",
          u16Arg(netuid),
          blockHash,
        );
        return columnsFromMetagraph(api, raw, netuid);
      });
      source = "get_metagraph";
    } catch (e) {
      // a runtime (or local chain) that declares get_metagraph but cannot serve it
      body = undefined;
      if (!(e instanceof Error)) throw e;
    }
  }
  if (!body) {
    const raw = await client.call(
      "get_neurons_lite",
      () =>
        runtimeCallRaw(client, "NeuronInfoRuntimeApi_get_neurons_lite", u16Arg(netuid), blockHash),
    );
    const neurons = decodeNeuronsLiteFor(api, raw);
    body = columnsFromNeurons(neurons, netuid);
    if (hasRuntimeApi(api, "SubnetInfoRuntimeApi_get_subnet_state")) {
      const state = await client.call("get_subnet_state", async () => {
        const raw = await runtimeCallRaw(
          client,
          "SubnetInfoRuntimeApi_get_subnet_state",
          u16Arg(netuid),
          blockHash,
        );
        return decodeOptionJson(api, "SubnetInfoRuntimeApi_get_subnet_state", raw);
      });
      if (state) applySubnetState(body, state);
    }
  }
  const ownerUid = ownerHotkey === null ? null : body.hotkeys.indexOf(ownerHotkey);
  return {
    netuid,
    block,
    blockHash,
    source,
    n: body.hotkeys.length,
    ...body,
    hyperparameters,
    ownerHotkey,
    ownerUid: ownerUid === null || ownerUid < 0 ? null : ownerUid,
  };
}

/** Hyperparameters of `netuid` (v2 API, or v1 on older runtimes). */
export async function readHyperparameters(
  client: SubtensorClient,
  netuid: number,
  at?: string,
): Promise<SubnetHyperparameters> {
  const api = client.api;
  const name = hasRuntimeApi(api, "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2")
    ? "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2"
    : "SubnetInfoRuntimeApi_get_subnet_hyperparams";
  const raw = await client.call(name, () => runtimeCallRaw(client, name, u16Arg(netuid), at));
  const j = decodeOptionJson(api, name, raw);
  if (!j) {
    throw new ChainUnsupportedError(`subnet ${netuid} has no hyperparameters (does it exist?)`);
  }
  return hyperparametersFromJson(j);
}

/** Maps the runtime struct (camelCase JSON) to {@link SubnetHyperparameters}, checking types. */
export function hyperparametersFromJson(j: Record<string, unknown>): SubnetHyperparameters {
  const num = (k: string): number => {
    const v = j[k];
    const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN;
    if (!Number.isFinite(n)) {
      throw new ChainDataError(`hyperparameter ${k} is not a number: ${String(v)}`);
    }
    return n;
  };
  const bool = (k: string): boolean => {
    if (typeof j[k] !== "boolean") throw new ChainDataError(`hyperparameter ${k} is not a bool`);
    return j[k] as boolean;
  };
  return {
    tempo: num("tempo"),
    commitRevealPeriod: num("commitRevealPeriod"),
    commitRevealWeightsEnabled: bool("commitRevealWeightsEnabled"),
    weightsVersion: num("weightsVersion"),
    weightsRateLimit: num("weightsRateLimit"),
    minAllowedWeights: num("minAllowedWeights"),
    maxWeightsLimit: num("maxWeightsLimit"),
    activityCutoff: num("activityCutoff"),
    immunityPeriod: num("immunityPeriod"),
    servingRateLimit: num("servingRateLimit"),
    registrationAllowed: bool("registrationAllowed"),
    maxValidators: num("maxValidators"),
    raw: j,
  };
}

type NeuronColumns = Omit<
  Metagraph,
  "netuid" | "block" | "blockHash" | "source" | "n" | "hyperparameters" | "ownerHotkey" | "ownerUid"
>;

const f16 = (x: number) => x / U16_MAX;
const tao = (rao: bigint) => Number(rao) / RAO_PER_TAO;

/** Decodes neurons_lite bytes: the fast decoder when the live layout matches, else the registry. */
export function decodeNeuronsLiteFor(api: ApiPromise, raw: Uint8Array): NeuronLite[] {
  if (fastLayoutMatches(api)) return decodeNeuronsLite(raw);
  const codec = decodeRuntimeOutput(api, "NeuronInfoRuntimeApi_get_neurons_lite", raw);
  const arr = codec.toPrimitive();
  if (!Array.isArray(arr)) throw new ChainDataError("get_neurons_lite did not decode to a list");
  return arr.map((x) => neuronFromJson(x as Record<string, unknown>));
}

const layoutCache = new WeakMap<object, boolean>();
/** Whether the live `get_neurons_lite` output has the shape the fast decoder reads (cached). */
export function fastLayoutMatches(api: ApiPromise): boolean {
  const md = api.runtimeMetadata;
  let ok = layoutCache.get(md);
  if (ok === undefined) {
    try {
      ok =
        runtimeApiOutputShape(api, "NeuronInfoRuntimeApi_get_neurons_lite") === NEURONS_LITE_SHAPE;
    } catch {
      ok = false;
    }
    layoutCache.set(md, ok);
  }
  return ok;
}

function big(v: unknown, what: string): bigint {
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^(0x[0-9a-f]+|\d+)$/i.test(v)) return BigInt(v);
  if (typeof v === "bigint") return v;
  throw new ChainDataError(`${what} is not an integer: ${String(v)}`);
}
function int(v: unknown, what: string): number {
  const b = big(v, what);
  if (b > BigInt(Number.MAX_SAFE_INTEGER)) throw new ChainDataError(`${what} too large: ${b}`);
  return Number(b);
}
function str(v: unknown, what: string): string {
  if (typeof v !== "string") throw new ChainDataError(`${what} is not a string`);
  return v;
}
function arr(j: Record<string, unknown>, k: string, n?: number): unknown[] {
  const v = j[k];
  if (!Array.isArray(v)) throw new ChainDataError(`metagraph field ${k} is not a list`);
  if (n !== undefined && v.length !== n) {
    throw new ChainDataError(`metagraph field ${k} has ${v.length} entries, expected ${n}`);
  }
  return v;
}

function axonFromJson(a: Record<string, unknown>): AxonInfo {
  const ipInt = big(a.ip, "axon ip");
  return {
    block: int(a.block, "axon block"),
    version: int(a.version, "axon version"),
    ip: intToIp(ipInt),
    ipInt,
    port: int(a.port, "axon port"),
    ipType: int(a.ipType, "axon ipType"),
    protocol: int(a.protocol, "axon protocol"),
  };
}

function neuronFromJson(j: Record<string, unknown>): NeuronLite {
  const axon = axonFromJson(j.axonInfo as Record<string, unknown>);
  const p = j.prometheusInfo as Record<string, unknown>;
  const pIp = big(p.ip, "prometheus ip");
  return {
    hotkey: str(j.hotkey, "hotkey"),
    coldkey: str(j.coldkey, "coldkey"),
    uid: int(j.uid, "uid"),
    netuid: int(j.netuid, "netuid"),
    active: j.active === true,
    axon,
    prometheus: {
      block: int(p.block, "prometheus block"),
      version: int(p.version, "prometheus version"),
      ip: intToIp(pIp),
      port: int(p.port, "prometheus port"),
      ipType: int(p.ipType, "prometheus ipType"),
    },
    stake: (j.stake as unknown[]).map((e) => {
      const [c, r] = e as [unknown, unknown];
      return { coldkey: str(c, "stake coldkey"), rao: big(r, "stake") };
    }),
    rank: int(j.rank, "rank"),
    emissionRao: big(j.emission, "emission"),
    incentive: int(j.incentive, "incentive"),
    consensus: int(j.consensus, "consensus"),
    trust: int(j.trust, "trust"),
    validatorTrust: int(j.validatorTrust, "validatorTrust"),
    dividends: int(j.dividends, "dividends"),
    lastUpdate: int(j.lastUpdate, "lastUpdate"),
    validatorPermit: j.validatorPermit === true,
    pruningScore: int(j.pruningScore, "pruningScore"),
  };
}

/** Builds per-uid columns from decoded neurons; checks that uids are 0..n-1 of this subnet. */
export function columnsFromNeurons(neurons: NeuronLite[], netuid: number): NeuronColumns {
  const sorted = [...neurons].sort((a, b) => a.uid - b.uid);
  sorted.forEach((nr, i) => {
    if (nr.uid !== i) {
      throw new ChainDataError(`neurons are not uids 0..n-1 (uid ${nr.uid} at ${i})`);
    }
    if (nr.netuid !== netuid) {
      throw new ChainDataError(`neuron ${nr.uid} is of subnet ${nr.netuid}`);
    }
  });
  const stakeRao = sorted.map((nr) => nr.stake.reduce((s, e) => s + e.rao, 0n));
  return {
    uids: sorted.map((nr) => nr.uid),
    hotkeys: sorted.map((nr) => nr.hotkey),
    coldkeys: sorted.map((nr) => nr.coldkey),
    stake: stakeRao.map(tao),
    stakeRao,
    alphaStakeRao: [...stakeRao],
    taoStakeRao: sorted.map(() => 0n),
    validatorPermit: sorted.map((nr) => nr.validatorPermit),
    active: sorted.map((nr) => nr.active),
    lastUpdate: sorted.map((nr) => nr.lastUpdate),
    incentive: sorted.map((nr) => f16(nr.incentive)),
    dividends: sorted.map((nr) => f16(nr.dividends)),
    consensus: sorted.map((nr) => f16(nr.consensus)),
    trust: sorted.map((nr) => f16(nr.trust)),
    rank: sorted.map((nr) => f16(nr.rank)),
    validatorTrust: sorted.map((nr) => f16(nr.validatorTrust)),
    emission: sorted.map((nr) => tao(nr.emissionRao)),
    emissionRao: sorted.map((nr) => nr.emissionRao),
    axons: sorted.map((nr) => nr.axon),
  };
}

/** Replaces stakes with `get_subnet_state`'s alpha/tao/total vectors (the SDK's source). */
function applySubnetState(c: NeuronColumns, s: Record<string, unknown>): void {
  const n = c.hotkeys.length;
  const hot = arr(s, "hotkeys", n);
  hot.forEach((h, i) => {
    if (h !== c.hotkeys[i]) {
      throw new ChainDataError(`subnet state hotkey ${i} differs from neurons_lite`);
    }
  });
  c.alphaStakeRao = arr(s, "alphaStake", n).map((x) => big(x, "alphaStake"));
  c.taoStakeRao = arr(s, "taoStake", n).map((x) => big(x, "taoStake"));
  c.stakeRao = arr(s, "totalStake", n).map((x) => big(x, "totalStake"));
  c.stake = c.stakeRao.map(tao);
}

function columnsFromMetagraph(api: ApiPromise, raw: Uint8Array, netuid: number): NeuronColumns {
  const j = decodeOptionJson(api, "SubnetInfoRuntimeApi_get_metagraph", raw);
  if (!j) throw new ChainUnsupportedError(`get_metagraph returned None for subnet ${netuid}`);
  const hotkeys = arr(j, "hotkeys").map((x) => str(x, "hotkey"));
  const n = hotkeys.length;
  const u16s = (k: string) => arr(j, k, n).map((x) => f16(int(x, k)));
  const emissionRao = arr(j, "emission", n).map((x) => big(x, "emission"));
  const stakeRao = arr(j, "totalStake", n).map((x) => big(x, "totalStake"));
  return {
    uids: hotkeys.map((_, i) => i),
    hotkeys,
    coldkeys: arr(j, "coldkeys", n).map((x) => str(x, "coldkey")),
    stake: stakeRao.map(tao),
    stakeRao,
    alphaStakeRao: arr(j, "alphaStake", n).map((x) => big(x, "alphaStake")),
    taoStakeRao: arr(j, "taoStake", n).map((x) => big(x, "taoStake")),
    validatorPermit: arr(j, "validatorPermit", n).map((x) => x === true),
    active: arr(j, "active", n).map((x) => x === true),
    lastUpdate: arr(j, "lastUpdate", n).map((x) => int(x, "lastUpdate")),
    incentive: u16s("incentives"),
    dividends: u16s("dividends"),
    consensus: padded(j, "consensus", n),
    trust: padded(j, "trust", n),
    rank: padded(j, "rank", n),
    validatorTrust: hotkeys.map(() => 0),
    emission: emissionRao.map(tao),
    emissionRao,
    axons: arr(j, "axons", n).map((a) => axonFromJson(a as Record<string, unknown>)),
  };
}

/** Deprecated u16 vectors may be empty in HEAD runtimes: zeros then. */
function padded(j: Record<string, unknown>, k: string, n: number): number[] {
  const v = arr(j, k);
  if (v.length === 0) return Array(n).fill(0);
  if (v.length !== n) {
    throw new ChainDataError(`metagraph field ${k} has ${v.length} entries, expected ${n}`);
  }
  return v.map((x) => f16(int(x, k)));
}

function decodeOptionJson(
  api: ApiPromise,
  name: string,
  raw: Uint8Array,
): Record<string, unknown> | null {
  const codec = decodeRuntimeOutput<Codec & { isNone?: boolean; unwrap?: () => Codec }>(
    api,
    name,
    raw,
  );
  if (codec.isNone) return null;
  const inner = codec.unwrap ? codec.unwrap() : codec;
  const j = inner.toPrimitive();
  if (!j || typeof j !== "object" || Array.isArray(j)) {
    throw new ChainDataError(`${name} did not decode to a struct`);
  }
  return j as Record<string, unknown>;
}
