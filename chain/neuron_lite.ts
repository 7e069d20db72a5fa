/**
 * @module
 * Fast decoder of `NeuronInfoRuntimeApi_get_neurons_lite` results (`Vec<NeuronInfoLite>`), the
 * bulk of a metagraph sync. It reads the SCALE layout directly; {@link NEURONS_LITE_SHAPE}
 * is compared with the live metadata before it is used, and a runtime with another layout is
 * decoded through the registry instead (see `metagraph.ts`).
 */
import { intToIp } from "./ip.ts";
import { ss58Fast, Ss58Memo } from "./ss58.ts";
import { ScaleReader } from "./scale_reader.ts";

/**
 * The structural shape (`runtime_api.ts` `describeType`) of the `get_neurons_lite` output this
 * decoder reads (subtensor 2025/26 runtimes), nested `AxonInfo`/`PrometheusInfo` included.
 */
export const NEURONS_LITE_SHAPE = "Vec<{" + [
  "hotkey:AccountId32",
  "coldkey:AccountId32",
  "uid:Compact<u16>",
  "netuid:Compact<u16>",
  "active:bool",
  "axon_info:{block:u64,version:u32,ip:u128,port:u16,ip_type:u8,protocol:u8,placeholder1:u8,placeholder2:u8}",
  "prometheus_info:{block:u64,version:u32,ip:u128,port:u16,ip_type:u8}",
  "stake:Vec<(AccountId32,Compact<u64>)>",
  "rank:Compact<u16>",
  "emission:Compact<u64>",
  "incentive:Compact<u16>",
  "consensus:Compact<u16>",
  "trust:Compact<u16>",
  "validator_trust:Compact<u16>",
  "dividends:Compact<u16>",
  "last_update:Compact<u64>",
  "validator_permit:bool",
  "pruning_score:Compact<u16>",
].join(",") + "}>";

/** `AxonInfo` as stored on chain, with the ip also as text. */
export interface AxonInfo {
  /** Block of the last `serve_axon`. */
  block: number;
  /** Axon version (`version_as_int`). */
  version: number;
  /** IP text: IPv4 when the integer is <= 2^32-1, else IPv6. `0.0.0.0` when never served. */
  ip: string;
  /** The raw u128. */
  ipInt: bigint;
  /** Port. */
  port: number;
  /** 4 or 6 (0 when never served). */
  ipType: number;
  /** Protocol (4 = TCP/HTTP as the SDK sends). */
  protocol: number;
}

/** `PrometheusInfo` as stored on chain. */
export interface PrometheusInfo {
  block: number;
  version: number;
  ip: string;
  port: number;
  ipType: number;
}

/** One `NeuronInfoLite`, u16 scores raw (0..65535), balances in rao. */
export interface NeuronLite {
  hotkey: string;
  coldkey: string;
  uid: number;
  netuid: number;
  active: boolean;
  axon: AxonInfo;
  prometheus: PrometheusInfo;
  /** `(coldkey, alpha rao)` pairs; one entry (the owner) on current runtimes. */
  stake: { coldkey: string; rao: bigint }[];
  rank: number;
  emissionRao: bigint;
  incentive: number;
  consensus: number;
  trust: number;
  validatorTrust: number;
  dividends: number;
  lastUpdate: number;
  validatorPermit: boolean;
  pruningScore: number;
}

/** SS58 (prefix 42) of a 32-byte account id. */
export function ss58(pub: Uint8Array): string {
  return ss58Fast(pub, 42);
}

function readAxon(r: ScaleReader): AxonInfo {
  const block = r.u64Number();
  const version = r.u32();
  const ipInt = r.u128();
  const port = r.u16();
  const ipType = r.u8();
  const protocol = r.u8();
  r.u8();
  r.u8();
  return { block, version, ip: intToIp(ipInt), ipInt, port, ipType, protocol };
}

function readPrometheus(r: ScaleReader): PrometheusInfo {
  const block = r.u64Number();
  const version = r.u32();
  const ipInt = r.u128();
  const port = r.u16();
  const ipType = r.u8();
  return { block, version, ip: intToIp(ipInt), port, ipType };
}

/** Decodes `Vec<NeuronInfoLite>` bytes; throws `ScaleError` on malformed or trailing bytes. */
export function decodeNeuronsLite(bytes: Uint8Array): NeuronLite[] {
  const r = new ScaleReader(bytes);
  const n = r.compact();
  // every neuron takes at least 64 + 3 + 36 + 31 + 1 + 10 bytes: refuse absurd counts early
  if (n * 145 > r.remaining) {
    throw new RangeError(`neuron count ${n} does not fit ${bytes.length} bytes`);
  }
  const out = new Array<NeuronLite>(n);
  const memo = new Ss58Memo(); // fresh per call: no state carried between decodes
  for (let i = 0; i < n; i++) {
    const hotkey = ss58(r.raw(32));
    const coldkey = memo.get(r.raw(32));
    const uid = r.compactU16();
    const netuid = r.compactU16();
    const active = r.bool();
    const axon = readAxon(r);
    const prometheus = readPrometheus(r);
    const ns = r.compact();
    const stake = new Array<{ coldkey: string; rao: bigint }>(ns);
    for (let j = 0; j < ns; j++) stake[j] = { coldkey: memo.get(r.raw(32)), rao: r.compactBig() };
    out[i] = {
      hotkey,
      coldkey,
      uid,
      netuid,
      active,
      axon,
      prometheus,
      stake,
      rank: r.compactU16(),
      emissionRao: r.compactBig(),
      incentive: r.compactU16(),
      consensus: r.compactU16(),
      trust: r.compactU16(),
      validatorTrust: r.compactU16(),
      dividends: r.compactU16(),
      lastUpdate: r.compact(),
      validatorPermit: r.bool(),
      pruningScore: r.compactU16(),
    };
  }
  r.end("Vec<NeuronInfoLite>");
  return out;
}
