/**
 * @module
 * `startLocalChain`: a loopback substrate JSON-RPC node that serves real subtensor metadata and
 * keeps SubtensorModule state, so unmodified `@polkadot/api` code runs against it. Blocks come
 * on a timer (default 250 ms) or only through `advanceBlocks(n)` (`blockTimeMs: 0`). The admin
 * methods set up subnets and neurons without sudo for tests and the demo.
 */
import { u8aToHex } from "@polkadot/util";
import { z } from "zod";
import { decodeAddress } from "@polkadot/util-crypto";
import { ss58Encode } from "../../wallet/keypair.ts";
import { ChainEngine } from "./chain.ts";
import { ChainCodec } from "./codec.ts";
import { readMetadataFile } from "./metadata_source.ts";
import type { Hyperparameters, Subnet } from "./state.ts";
import { defaultHyperparameters, HYPERPARAMETER_ITEMS } from "./state.ts";
import { appendOrReplace } from "./pallet.ts";
import { RpcServer } from "./rpc_server.ts";
import { timelockReady } from "./reveal.ts";
import { logger } from "../../config/logging.ts";

const log = logger("chain", "local");

const u32 = z.number().int().min(0).max(0xffffffff);
const ss58 = z.string().min(1);

/** Options of `startLocalChain` (validated; a bad value throws a `LocalChainError` naming it). */
export const LocalChainOptionsSchema = z.object({
  /** Metadata blob file (e.g. `../shared/chain/subtensor-metadata-v16.scale`). */
  metadataPath: z.string().min(1).optional(),
  /** Metadata blob bytes (wins over `metadataPath`). */
  metadataBytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, "expected a Uint8Array")
    .optional(),
  /** Block interval in ms; default 250; 0 = manual (`advanceBlocks`). */
  blockTimeMs: u32.optional(),
  /** TCP port; default 0 (ephemeral). */
  port: z.number().int().min(0).max(65535).optional(),
  /** Bind address; default 127.0.0.1. */
  hostname: z.string().min(1).optional(),
  /** How far the chain clock (Timestamp.Now, drand rounds) moves per block; default 12000 ms. */
  chainBlockMs: z.number().int().min(1).optional(),
  /** Seed of the local drand beacon's key; default a fixed dev seed. */
  beaconSeed: z.custom<Uint8Array>((v) => v instanceof Uint8Array, "expected a Uint8Array")
    .optional(),
});
/** Options of `startLocalChain`. */
export type LocalChainOptions = z.infer<typeof LocalChainOptionsSchema>;

/** Subnet options of `createSubnet` (validated). */
export const CreateSubnetOptionsSchema = z.object({
  owner: z.object({ coldkey: ss58, hotkey: ss58 }).optional(),
  tempo: z.number().int().min(0).max(65535).optional(),
  commitReveal: z.boolean().optional(),
  weightsRateLimit: z.number().int().min(0).optional(),
  minAllowedWeights: z.number().int().min(0).max(65535).optional(),
  weightsVersionKey: z.union([z.bigint().min(0n), z.number().int().min(0)]).optional(),
  maxAllowedUids: z.number().int().min(1).max(65535).optional(),
  servingRateLimit: z.number().int().min(0).optional(),
  revealPeriodEpochs: z.number().int().min(0).optional(),
  immunityPeriod: z.number().int().min(0).max(65535).optional(),
});
/** Subnet options of `createSubnet`. */
export type CreateSubnetOptions = z.infer<typeof CreateSubnetOptionsSchema>;

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join(
      "; ",
    );
    throw new LocalChainError(`bad ${what}: ${issues}`);
  }
  return r.data;
}

/** A running local chain. */
export interface LocalChain {
  /** `ws://127.0.0.1:PORT`. */
  url: string;
  blockNumber(): number;
  advanceBlocks(n: number): Promise<void>;
  createSubnet(netuid: number, opts?: CreateSubnetOptions): void;
  setHyperparameter(netuid: number, name: string, value: unknown): void;
  fund(ss58: string, rao: bigint): void;
  registerNeuron(
    netuid: number,
    hotkey: string,
    coldkey: string,
    opts?: { stakeRao?: bigint; validatorPermit?: boolean },
  ): number;
  setStake(netuid: number, hotkey: string, rao: bigint): void;
  setValidatorPermit(netuid: number, uid: number, on: boolean): void;
  weights(netuid: number, uid: number): Array<[number, number]>;
  dropConnections(): void;
  close(): Promise<void>;
  /** Compressed G2 public key (96 bytes) of the local drand beacon. */
  beaconPublicKey: Uint8Array;
  /** Extrinsics waiting in the pool (for manual-mode tests: submit, wait, then advance). */
  pendingExtrinsics(): number;
  /** Resolves once the pool holds at least `n` extrinsics. */
  waitForPending(n?: number, timeoutMs?: number): Promise<void>;
  /** `StakeThreshold` (global). */
  setStakeThreshold(rao: bigint): void;
  /** Chain time (Timestamp.Now of the best block, ms). */
  timestampMs(): number;
  /** `Drand.LastStoredRound`. */
  lastStoredRound(): bigint;
  /** Subnet state as a plain snapshot (for assertions). */
  neurons(
    netuid: number,
  ): Array<
    {
      uid: number;
      hotkey: string;
      coldkey: string;
      incentive: number;
      dividends: number;
      emission: bigint;
      validatorPermit: boolean;
      stake: bigint;
    }
  >;
  /** JSON-RPC methods clients asked for that the local chain does not implement. */
  unknownMethods(): string[];
  /** The engine (advanced use: tests of internals). */
  readonly engine: ChainEngine;
}

/** Raised for misuse of the admin API (unknown subnet, bad hyperparameter...). */
export class LocalChainError extends Error {
  override name = "LocalChainError";
}

const hex = (ss58: string) => u8aToHex(decodeAddress(ss58));

/** Starts a local chain and its RPC server. */
export async function startLocalChain(options: LocalChainOptions = {}): Promise<LocalChain> {
  const opts = parse(LocalChainOptionsSchema, options, "startLocalChain options");
  const bytes = opts.metadataBytes ??
    (opts.metadataPath ? await readMetadataFile(opts.metadataPath) : undefined);
  if (!bytes) throw new LocalChainError("startLocalChain needs metadataPath or metadataBytes");
  await timelockReady();
  const codec = new ChainCodec(bytes);
  const engine = new ChainEngine(codec, {
    chainBlockMs: opts.chainBlockMs,
    beaconSeed: opts.beaconSeed,
  });
  const server = new RpcServer(engine);
  const url = await server.listen(opts.hostname ?? "127.0.0.1", opts.port ?? 0);
  const blockTimeMs = opts.blockTimeMs ?? 250;
  const timer = blockTimeMs > 0
    ? setInterval(() => {
      try {
        engine.produceBlock();
      } catch (e) {
        log.error("block production failed: {error}", { error: String(e) });
      }
    }, blockTimeMs)
    : undefined;
  const state = engine.state;

  const subnet = (netuid: number): Subnet => {
    const s = state.subnets.get(netuid);
    if (!s) throw new LocalChainError(`subnet ${netuid} does not exist`);
    return s;
  };
  const setHyper = (netuid: number, name: string, value: unknown) => {
    if (name === "StakeThreshold") {
      state.stakeThreshold = BigInt(value as bigint);
      engine.touch();
      return;
    }
    if (name === "CommitRevealWeightsVersion") {
      state.commitRevealVersion = Number(value);
      engine.touch();
      return;
    }
    const s = subnet(netuid);
    const field = (Object.keys(HYPERPARAMETER_ITEMS) as Array<keyof Hyperparameters>).find((k) =>
      k === name || HYPERPARAMETER_ITEMS[k] === name
    );
    if (!field) throw new LocalChainError(`unknown hyperparameter ${name}`);
    const cur = s.hyper[field];
    // deno-lint-ignore no-explicit-any
    (s.hyper as any)[field] = typeof cur === "bigint"
      ? BigInt(value as bigint)
      : typeof cur === "boolean"
      ? Boolean(value)
      : Number(value);
    engine.touch(netuid);
  };

  const chain: LocalChain = {
    url,
    engine,
    beaconPublicKey: engine.beacon.publicKey,
    blockNumber: () => engine.head.number,
    advanceBlocks(n: number) {
      for (let i = 0; i < n; i++) engine.produceBlock();
      // Let subscribers' messages flush before the caller continues.
      return new Promise((r) => setTimeout(r, 0));
    },
    createSubnet(netuid, options = {}) {
      const o = parse(CreateSubnetOptionsSchema, options, `createSubnet(${netuid}) options`);
      if (!Number.isInteger(netuid) || netuid < 0 || netuid > 4095) {
        throw new LocalChainError(`netuid must be an integer in 0..4095, got ${netuid}`);
      }
      if (state.subnets.has(netuid)) throw new LocalChainError(`subnet ${netuid} already exists`);
      const hyper = defaultHyperparameters((item) => {
        try {
          return codec.storageDefault(`SubtensorModule.${item}`);
        } catch {
          return undefined;
        }
      });
      if (o.tempo !== undefined) hyper.tempo = o.tempo;
      if (o.commitReveal !== undefined) hyper.commitRevealWeightsEnabled = o.commitReveal;
      if (o.weightsRateLimit !== undefined) hyper.weightsSetRateLimit = BigInt(o.weightsRateLimit);
      if (o.minAllowedWeights !== undefined) hyper.minAllowedWeights = o.minAllowedWeights;
      if (o.weightsVersionKey !== undefined) hyper.weightsVersionKey = BigInt(o.weightsVersionKey);
      if (o.maxAllowedUids !== undefined) hyper.maxAllowedUids = o.maxAllowedUids;
      if (o.servingRateLimit !== undefined) hyper.servingRateLimit = BigInt(o.servingRateLimit);
      if (o.revealPeriodEpochs !== undefined) {
        hyper.revealPeriodEpochs = BigInt(o.revealPeriodEpochs);
      }
      if (o.immunityPeriod !== undefined) hyper.immunityPeriod = o.immunityPeriod;
      const ownerCold = o.owner ? hex(o.owner.coldkey) : "0x" + "00".repeat(32);
      const ownerHot = o.owner ? hex(o.owner.hotkey) : ownerCold;
      state.subnets.set(netuid, {
        netuid,
        ownerColdkey: ownerCold,
        ownerHotkey: ownerHot,
        registeredAt: engine.head.number,
        lastStep: engine.head.number,
        hyper,
        neurons: [],
        commits: new Map(),
        emissionPerEpoch: 0n,
      });
      if (o.owner) state.owner.set(ownerHot, ownerCold);
      engine.touch(netuid);
    },
    setHyperparameter: setHyper,
    setStakeThreshold: (rao) => setHyper(0, "StakeThreshold", rao),
    fund(ss58, rao) {
      const who = hex(ss58);
      const acct = state.accounts.get(who) ?? { nonce: 0, free: 0n };
      acct.free += rao;
      state.accounts.set(who, acct);
      engine.touch();
    },
    registerNeuron(netuid, hotkey, coldkey, o = {}) {
      const s = subnet(netuid);
      const hot = hex(hotkey);
      const cold = hex(coldkey);
      const existing = s.neurons.find((n) => n.hotkey === hot);
      const uid = existing?.uid ?? appendOrReplace(s, hot, cold, engine.head.number);
      if (uid === undefined) {
        throw new LocalChainError(`subnet ${netuid} is full and nothing can be pruned`);
      }
      state.owner.set(hot, cold);
      if (o.stakeRao !== undefined) state.alpha.set(`${hot}:${netuid}`, o.stakeRao);
      if (o.validatorPermit !== undefined) {
        s.neurons[uid].validatorPermit = o.validatorPermit;
        s.neurons[uid].permitOverride = o.validatorPermit;
      }
      engine.touch(netuid);
      return uid;
    },
    setStake(netuid, hotkey, rao) {
      subnet(netuid);
      state.alpha.set(`${hex(hotkey)}:${netuid}`, rao);
      engine.touch(netuid);
    },
    setValidatorPermit(netuid, uid, on) {
      const n = subnet(netuid).neurons[uid];
      if (!n) throw new LocalChainError(`uid ${uid} does not exist on subnet ${netuid}`);
      n.validatorPermit = on;
      n.permitOverride = on;
      engine.touch(netuid);
    },
    weights(netuid, uid) {
      return [...(subnet(netuid).neurons[uid]?.weights ?? [])].map(([a, b]) =>
        [a, b] as [number, number]
      );
    },
    neurons(netuid) {
      return subnet(netuid).neurons.map((n) => ({
        uid: n.uid,
        hotkey: ss58Encode(hexToBytes(n.hotkey)),
        coldkey: ss58Encode(hexToBytes(n.coldkey)),
        incentive: n.incentive,
        dividends: n.dividends,
        emission: n.emission,
        validatorPermit: n.validatorPermit,
        stake: state.alpha.get(`${n.hotkey}:${netuid}`) ?? 0n,
      }));
    },
    pendingExtrinsics: () => engine.poolSize,
    waitForPending(n = 1, timeoutMs = 10_000) {
      if (engine.poolSize >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          engine.onPool.splice(engine.onPool.indexOf(check), 1);
          reject(new LocalChainError(`pool has ${engine.poolSize} extrinsics, waited for ${n}`));
        }, timeoutMs);
        const check = () => {
          if (engine.poolSize < n) return;
          clearTimeout(t);
          engine.onPool.splice(engine.onPool.indexOf(check), 1);
          resolve();
        };
        engine.onPool.push(check);
      });
    },
    timestampMs: () => engine.head.timestamp,
    lastStoredRound: () => state.lastStoredRound,
    dropConnections: () => server.dropConnections(),
    unknownMethods: () => [...server.unknownMethods].sort(),
    async close() {
      if (timer !== undefined) clearInterval(timer);
      await server.close();
    },
  };
  return chain;
}

function hexToBytes(h: string): Uint8Array {
  const out = new Uint8Array((h.length - 2) / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 + i * 2, 4 + i * 2), 16);
  return out;
}
