/**
 * Synthetic subnet data encoded with the real metadata's registry: `Vec<NeuronInfoLite>`,
 * `SubnetState`, `SubnetHyperparamsV2` for the offline tests and the chain bench.
 */
import type { Registry } from "@polkadot/types/types";

/** Deterministic 32-byte key number `i` of family `tag`. */
export function key(tag: number, i: number): Uint8Array {
  const k = new Uint8Array(32);
  k[0] = tag;
  new DataView(k.buffer).setUint32(1, i, true);
  for (let j = 5; j < 32; j++) k[j] = (i * 31 + j * 7 + tag) & 0xff;
  return k;
}

/** Plain objects of `n` neurons of `netuid`, varied enough to exercise every field. */
export function neurons(netuid: number, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    hotkey: key(1, i),
    coldkey: key(2, i % 17),
    uid: i,
    netuid,
    active: i % 3 !== 0,
    axonInfo: {
      block: 1000 + i,
      version: 10002000,
      ip: i % 5 === 0 ? (0x20010db8n << 96n) + BigInt(i) : 0x0a000000n + BigInt(i),
      port: 8000 + i,
      ipType: i % 5 === 0 ? 6 : 4,
      protocol: 4,
      placeholder1: 0,
      placeholder2: 0,
    },
    prometheusInfo: { block: 0, version: 0, ip: 0, port: 0, ipType: 0 },
    stake: [[key(2, i % 17), 1_000_000_000n * BigInt(i) + 123n]],
    rank: 0,
    emission: 1_000_000n * BigInt(i),
    incentive: (i * 257) % 65536,
    consensus: (i * 13) % 65536,
    trust: 0,
    validatorTrust: (i * 101) % 65536,
    dividends: (i * 7919) % 65536,
    lastUpdate: 500 + i,
    validatorPermit: i < 64,
    pruningScore: 65535,
  }));
}

/** SCALE bytes of `Vec<NeuronInfoLite>`. */
export function neuronsLiteBytes(registry: Registry, netuid: number, n: number): Uint8Array {
  return registry.createType(
    "Vec<PalletSubtensorRpcInfoNeuronInfoNeuronInfoLite>",
    neurons(netuid, n),
  ).toU8a();
}

/** SCALE bytes of `Option<SubnetState>` matching {@link neurons}. */
export function subnetStateBytes(registry: Registry, netuid: number, n: number): Uint8Array {
  const ns = neurons(netuid, n);
  const state = {
    netuid,
    hotkeys: ns.map((x) => x.hotkey),
    coldkeys: ns.map((x) => x.coldkey),
    active: ns.map((x) => x.active),
    validatorPermit: ns.map((x) => x.validatorPermit),
    pruningScore: ns.map(() => 65535),
    lastUpdate: ns.map((x) => x.lastUpdate),
    emission: ns.map((x) => x.emission),
    dividends: ns.map((x) => x.dividends),
    incentives: ns.map((x) => x.incentive),
    consensus: ns.map((x) => x.consensus),
    trust: ns.map(() => 0),
    rank: ns.map(() => 0),
    blockAtRegistration: ns.map(() => 1),
    alphaStake: ns.map((_, i) => 2_000_000_000n * BigInt(i)),
    taoStake: ns.map((_, i) => 1_000n * BigInt(i)),
    totalStake: ns.map((_, i) => 3_000_000_000n * BigInt(i) + 5n),
    emissionHistory: [],
  };
  return registry.createType("Option<PalletSubtensorRpcInfoShowSubnetSubnetState>", state).toU8a();
}

/** SCALE bytes of `Option<SubnetHyperparamsV2>`. */
export function hyperparamsBytes(
  registry: Registry,
  o: { tempo?: number; crEnabled?: boolean } = {},
): Uint8Array {
  return registry.createType("Option<PalletSubtensorRpcInfoSubnetInfoSubnetHyperparamsV2>", {
    rho: 10,
    kappa: 32767,
    immunityPeriod: 4096,
    minAllowedWeights: 1,
    maxWeightsLimit: 65535,
    tempo: o.tempo ?? 360,
    weightsVersion: 0,
    weightsRateLimit: 100,
    activityCutoff: 5000,
    registrationAllowed: true,
    servingRateLimit: 50,
    maxValidators: 64,
    commitRevealPeriod: 1,
    commitRevealWeightsEnabled: o.crEnabled ?? true,
  }).toU8a();
}

/** SCALE bytes of `Option<Metagraph>` (`get_metagraph`) matching {@link neurons}. */
export function metagraphBytes(registry: Registry, netuid: number, n: number): Uint8Array {
  const ns = neurons(netuid, n);
  return registry.createType("Option<PalletSubtensorRpcInfoMetagraph>", {
    netuid,
    tempo: 360,
    numUids: n,
    maxUids: 256,
    hotkeys: ns.map((x) => x.hotkey),
    coldkeys: ns.map((x) => x.coldkey),
    identities: ns.map(() => null),
    axons: ns.map((x) => x.axonInfo),
    active: ns.map((x) => x.active),
    validatorPermit: ns.map((x) => x.validatorPermit),
    pruningScore: [],
    lastUpdate: ns.map((x) => x.lastUpdate),
    emission: ns.map((x) => x.emission),
    dividends: ns.map((x) => x.dividends),
    incentives: ns.map((x) => x.incentive),
    consensus: ns.map((x) => x.consensus),
    trust: [],
    rank: [],
    blockAtRegistration: ns.map(() => 1),
    alphaStake: ns.map((_, i) => 2_000_000_000n * BigInt(i)),
    taoStake: ns.map((_, i) => 1_000n * BigInt(i)),
    totalStake: ns.map((_, i) => 3_000_000_000n * BigInt(i) + 5n),
    taoDividendsPerHotkey: [],
    alphaDividendsPerHotkey: [],
  }).toU8a();
}
