/**
 * @module
 * The local chain engine: state, transaction pool, block production and per-block storage
 * snapshots. Blocks run like a subtensor block: on_initialize (timelocked reveals, epochs), the
 * timestamp inherent, pool extrinsics in nonce order (re-validated, then dispatched), then the
 * drand pulses of the local beacon. Finality is instant. The RPC layer reads from here.
 */
import { compactToU8a, hexToU8a, u8aConcat, u8aToHex } from "@polkadot/util";
import { blake2AsU8a } from "@polkadot/util-crypto";
import type { ChainCodec } from "./codec.ts";
import { encodeVec } from "./codec.ts";
import { LocalBeacon } from "./beacon.ts";
import { runEpoch } from "./epoch.ts";
import type { CheckedExtrinsic } from "./extrinsic.ts";
import { checkExtrinsic, invalidTx, PoolError } from "./extrinsic.ts";
import type { DispatchOutcome, PendingEvent } from "./pallet.ts";
import {
  addStake,
  burnedRegister,
  commitTimelocked,
  customErrorCode,
  serveAxon,
  servePrometheus,
  setWeightsCall,
  shouldRunEpoch,
  validateSubtensorCall,
} from "./pallet.ts";
import { revealDue } from "./reveal.ts";
import type { ChainState } from "./state.ts";
import { emptyState } from "./state.ts";
import { StorageView } from "./storage_view.ts";

type Entries = Map<string, string>;

/** Header JSON as the chain RPC returns it. */
export interface HeaderJson {
  parentHash: string;
  number: string;
  stateRoot: string;
  extrinsicsRoot: string;
  digest: { logs: string[] };
}

/** One produced block. */
export interface BlockRecord {
  number: number;
  hash: string;
  header: HeaderJson;
  extrinsics: string[];
  storage: Entries;
  timestamp: number;
}

/** Status updates of a watched extrinsic (the `author_extrinsicUpdate` results). */
export type TxStatus =
  | "future"
  | "ready"
  | { inBlock: string }
  | { finalized: string }
  | "dropped"
  | "invalid";

interface PoolEntry {
  tx: CheckedExtrinsic;
  watch?: (s: TxStatus) => void;
}

/** Options of the engine. */
export interface ChainEngineOptions {
  /** Milliseconds the chain clock (Timestamp.Now) advances per block; default 12000. */
  chainBlockMs?: number;
  /** Timestamp of block 0 (ms); default now. */
  genesisTimestampMs?: number;
  /** Beacon seed; default a fixed dev seed. */
  beaconSeed?: Uint8Array;
  /** Blocks of storage history kept for queries `at` older blocks; default 256. */
  historyBlocks?: number;
}

const SUBTENSOR = "SubtensorModule";

/** Calls the local chain dispatches; anything else is refused by the pool. */
export const SUPPORTED = new Set([
  "System.remark",
  "System.remark_with_event",
  ...[
    "set_weights",
    "set_mechanism_weights",
    "commit_timelocked_weights",
    "commit_timelocked_mechanism_weights",
    "serve_axon",
    "serve_axon_tls",
    "serve_prometheus",
    "burned_register",
    "register",
    "add_stake",
  ].map((c) => `${SUBTENSOR}.${c}`),
]);

/** The chain engine. */
export class ChainEngine {
  readonly state: ChainState = emptyState();
  readonly beacon: LocalBeacon;
  readonly view: StorageView;
  readonly blocks: BlockRecord[] = [];
  readonly #hashes: string[] = [];
  readonly #byHash = new Map<string, BlockRecord>();
  readonly #pool: PoolEntry[] = [];
  readonly #subnetEntries = new Map<number, Entries>();
  readonly #dirty = new Set<number>();
  #globals: Entries = new Map();
  #globalsDirty = true;
  readonly #pulsesPrefix: string | undefined;
  readonly #blockHashEntries: Entries = new Map();
  readonly chainBlockMs: number;
  readonly genesisTimestampMs: number;
  readonly #history: number;
  /** Called after each block is imported (new head, instantly final). */
  onBlock: Array<(b: BlockRecord, prev: BlockRecord | undefined) => void> = [];
  /** Called whenever the pool gains an extrinsic. */
  onPool: Array<() => void> = [];

  constructor(readonly codec: ChainCodec, opts: ChainEngineOptions = {}) {
    this.view = new StorageView(codec);
    this.#pulsesPrefix = codec.hasStorage("Drand.Pulses")
      ? codec.storagePrefix("Drand.Pulses")
      : undefined;
    this.beacon = new LocalBeacon(opts.beaconSeed);
    this.chainBlockMs = opts.chainBlockMs ?? 12_000;
    this.genesisTimestampMs = opts.genesisTimestampMs ?? Math.floor(Date.now() / 1000) * 1000;
    this.#history = opts.historyBlocks ?? 256;
    this.#storePulses(this.genesisTimestampMs);
    this.#import(0, "0x" + "00".repeat(32), [], [], this.genesisTimestampMs);
  }

  /** Best (= finalized) block. */
  get head(): BlockRecord {
    return this.blocks[this.blocks.length - 1];
  }

  get genesisHash(): string {
    return this.#hashes[0];
  }

  /** Hash of block `n`, if produced. */
  hashAt(n: number): string | undefined {
    return this.#hashes[n];
  }

  /** A block by hash (only the last `historyBlocks` keep their storage). */
  blockByHash(hash: string): BlockRecord | undefined {
    return this.#byHash.get(hash.toLowerCase());
  }

  /** Bumped on every state change (block, admin call); caches key on it. */
  stateVersion = 0;

  /** Marks a subnet's storage for rebuild (admin API and dispatch call this). */
  touch(netuid?: number): void {
    this.stateVersion++;
    if (netuid !== undefined) this.#dirty.add(netuid);
    this.#globalsDirty = true;
  }

  /** Extrinsics waiting in the pool. */
  get poolSize(): number {
    return this.#pool.length;
  }

  /** Storage value (hex) at `blockHash` (default best); null when absent. */
  storage(key: string, blockHash?: string): string | null {
    const block = blockHash ? this.#byHash.get(blockHash.toLowerCase()) : this.head;
    if (!block) throw new PoolError(4003, `State already discarded for ${blockHash}`);
    const k = key.toLowerCase();
    return block.storage.get(k) ?? this.#pulseStorage(k);
  }

  /** Keys with `prefix` at a block, sorted (for state_getKeysPaged). */
  keys(prefix: string, blockHash?: string): string[] {
    const block = blockHash ? this.#byHash.get(blockHash.toLowerCase()) : this.head;
    if (!block) throw new PoolError(4003, `State already discarded for ${blockHash}`);
    const p = prefix.toLowerCase();
    const out: string[] = [];
    for (const k of block.storage.keys()) if (k.startsWith(p)) out.push(k);
    if (
      this.#pulsesPrefix && (this.#pulsesPrefix.startsWith(p) || p.startsWith(this.#pulsesPrefix))
    ) {
      // Listing: the most recent 64 rounds (older ones are still readable by key).
      const last = this.state.lastStoredRound;
      for (let r = last; r >= this.state.oldestStoredRound && r > last - 64n && r > 0n; r--) {
        const k = this.codec.storageKey("Drand.Pulses", r);
        if (k.startsWith(p)) out.push(k);
      }
    }
    return out.sort();
  }

  /** Current nonce of an account (hex public key). */
  nonce(who: string): number {
    return this.state.accounts.get(who)?.nonce ?? 0;
  }

  /** Next nonce counting ready pool transactions (system_accountNextIndex). */
  nextIndex(who: string): number {
    let n = this.nonce(who);
    const mine = this.#pool.filter((e) => e.tx.signer === who).map((e) => e.tx.nonce).sort((a, b) =>
      a - b
    );
    for (const x of mine) if (x === n) n++;
    return n;
  }

  /** Pool validation; throws `PoolError` like the substrate pool; returns the checked extrinsic. */
  validate(hex: string): CheckedExtrinsic {
    const tx = checkExtrinsic(
      this.codec,
      hex,
      this.genesisHash,
      this.head.number,
      (n) => this.#hashes[n],
    );
    if (this.#pool.some((e) => e.tx.hash === tx.hash)) {
      throw new PoolError(1013, "Transaction Already Imported");
    }
    const nonce = this.nonce(tx.signer);
    if (tx.nonce < nonce) throw invalidTx("Transaction is outdated");
    if (this.#pool.some((e) => e.tx.signer === tx.signer && e.tx.nonce === tx.nonce)) {
      throw new PoolError(
        1014,
        "Priority is too low: (0 vs 0)",
        "The transaction has too low priority to replace another transaction already in the pool.",
      );
    }
    this.#guard(tx);
    return tx;
  }

  #guard(tx: CheckedExtrinsic): void {
    if (!SUPPORTED.has(`${tx.pallet}.${tx.call}`)) {
      // The local chain does not model this call: refuse it up front rather than pretend.
      throw invalidTx("Transaction call is not expected");
    }
    if (tx.pallet === SUBTENSOR) {
      const err = validateSubtensorCall(
        this.state,
        this.head.number + 1,
        tx.signer,
        tx.call,
        tx.args,
      );
      if (err) throw invalidTx(`Custom error: ${customErrorCode(err)}`);
    }
  }

  /** Adds a validated extrinsic to the pool; `watch` gets its status updates. */
  submit(hex: string, watch?: (s: TxStatus) => void): string {
    const tx = this.validate(hex);
    this.#pool.push({ tx, watch });
    watch?.(tx.nonce > this.nonce(tx.signer) ? "future" : "ready");
    for (const f of this.onPool) f();
    return tx.hash;
  }

  /**
   * Advances `Drand.LastStoredRound` to the round of the chain clock. Pulses are signed on
   * demand (storage reads, reveals) for any round in [OldestStoredRound, LastStoredRound]: the
   * same values a chain that stored every round would hold, without signing each one per block.
   */
  #storePulses(nowMs: number): void {
    const round = this.beacon.roundAt(nowMs / 1000);
    if (round <= this.state.lastStoredRound) return;
    if (this.state.oldestStoredRound === 0n) this.state.oldestStoredRound = round;
    this.state.lastStoredRound = round;
  }

  /** The stored pulse of `round`, if the chain has reached it. */
  pulse(round: bigint): { signature: Uint8Array; randomness: Uint8Array } | undefined {
    if (round < this.state.oldestStoredRound || round > this.state.lastStoredRound) {
      return undefined;
    }
    let p = this.state.pulses.get(round);
    if (!p) {
      const signed = this.beacon.pulse(round);
      p = { signature: signed.signature, randomness: signed.randomness };
      this.state.pulses.set(round, p);
      if (this.state.pulses.size > 4096) {
        this.state.pulses.delete(this.state.pulses.keys().next().value!);
      }
    }
    return p;
  }

  #pulseStorage(key: string): string | null {
    // Any "...Concat" hasher ends the key with the round's u64 LE; recomputing the key checks it.
    if (
      !this.#pulsesPrefix || !key.startsWith(this.#pulsesPrefix) ||
      key.length < this.#pulsesPrefix.length + 16
    ) {
      return null;
    }
    const le = hexToU8a("0x" + key.slice(-16));
    const round = new DataView(le.buffer, le.byteOffset, 8).getBigUint64(0, true);
    if (this.codec.storageKey("Drand.Pulses", round) !== key) return null;
    const p = this.pulse(round);
    if (!p) return null;
    return this.codec.storageValue("Drand.Pulses", {
      round,
      randomness: u8aToHex(p.randomness),
      signature: u8aToHex(p.signature),
    });
  }

  #dispatch(tx: CheckedExtrinsic, block: number): DispatchOutcome {
    if (tx.pallet !== SUBTENSOR) {
      if (tx.pallet === "System" && (tx.call === "remark" || tx.call === "remark_with_event")) {
        return { ok: true, events: [] };
      }
      return { ok: false, error: "CallUnavailable" };
    }
    const s = this.state;
    switch (tx.call) {
      case "set_weights":
      case "set_mechanism_weights":
        return setWeightsCall(s, block, tx.signer, tx.args);
      case "commit_timelocked_weights":
      case "commit_timelocked_mechanism_weights":
        return commitTimelocked(s, block, tx.signer, tx.args, tx.commitHash ?? new Uint8Array(32));
      case "serve_axon":
      case "serve_axon_tls":
        return serveAxon(s, block, tx.signer, tx.args);
      case "serve_prometheus":
        return servePrometheus(s, block, tx.signer, tx.args);
      case "burned_register":
      case "register":
        return burnedRegister(s, block, tx.signer, tx.args);
      case "add_stake":
        return addStake(s, tx.signer, tx.args);
      default:
        return { ok: false, error: "CallUnavailable" };
    }
  }

  #eventRecord(phase: Uint8Array, ev: PendingEvent): Uint8Array {
    return u8aConcat(phase, this.codec.event(ev.pallet, ev.name, ev.fields), new Uint8Array([0]));
  }

  #dispatchInfo(paysFee: boolean): unknown {
    const [infoType] = this.codec.eventFields("System", "ExtrinsicSuccess");
    const info = this.codec.zero(infoType) as Record<string, unknown>;
    info.weight = { ref_time: 1_000_000, proof_size: 0 };
    info.class = "Normal";
    info.pays_fee = paysFee ? "Yes" : "No";
    return info;
  }

  /** Produces one block; resolves after subscribers were told. */
  produceBlock(): BlockRecord {
    this.stateVersion++;
    const parent = this.head;
    const number = parent.number + 1;
    const now = this.genesisTimestampMs + number * this.chainBlockMs;
    const records: Uint8Array[] = [];
    const init = new Uint8Array([2]);
    // on_initialize: reveals then epochs (run_coinbase order).
    for (const subnet of this.state.subnets.values()) {
      const revealed = revealDue(this.codec, this.state, subnet, number, (r) => this.pulse(r));
      if (revealed.length) this.touch(subnet.netuid);
      for (const ev of revealed) records.push(this.#eventRecord(init, ev));
      if (shouldRunEpoch(subnet.netuid, subnet.hyper.tempo, number)) {
        runEpoch(this.state, subnet, number);
        this.touch(subnet.netuid);
      }
    }
    const phase = (i: number) =>
      u8aConcat(new Uint8Array([0]), new Uint8Array(new Uint32Array([i]).buffer));
    // Inherent 0: timestamp.set(now).
    const [tp, tc] = this.codec.callIndex("Timestamp", "set");
    const inherentBody = u8aConcat(new Uint8Array([0x04, tp, tc]), compactToU8a(now));
    const extrinsics: string[] = [
      u8aToHex(u8aConcat(compactToU8a(inherentBody.length), inherentBody)),
    ];
    records.push(
      this.#eventRecord(phase(0), {
        pallet: "System",
        name: "ExtrinsicSuccess",
        fields: [this.#dispatchInfo(true)],
      }),
    );
    // Pool, nonce order per sender.
    const included: PoolEntry[] = [];
    const dropped: PoolEntry[] = [];
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const entry of [...this.#pool]) {
        const tx = entry.tx;
        const nonce = this.nonce(tx.signer);
        if (tx.nonce < nonce) {
          dropped.push(entry);
          this.#pool.splice(this.#pool.indexOf(entry), 1);
          continue;
        }
        if (tx.nonce !== nonce) continue;
        this.#pool.splice(this.#pool.indexOf(entry), 1);
        try {
          this.#guard(tx); // pre_dispatch re-runs the extension's checks
        } catch {
          dropped.push(entry);
          continue;
        }
        const acct = this.state.accounts.get(tx.signer) ?? { nonce: 0, free: 0n };
        acct.nonce += 1;
        this.state.accounts.set(tx.signer, acct);
        const idx = extrinsics.length;
        extrinsics.push(tx.hex);
        const out = this.#dispatch(tx, number);
        const paysFee = !/^(set_|commit_|reveal_|serve_)/.test(tx.call);
        if (out.ok) {
          for (const ev of out.events) records.push(this.#eventRecord(phase(idx), ev));
          records.push(
            this.#eventRecord(phase(idx), {
              pallet: "System",
              name: "ExtrinsicSuccess",
              fields: [this.#dispatchInfo(paysFee)],
            }),
          );
        } else {
          let dispatchError: unknown = "Other";
          try {
            const error = new Uint8Array(4);
            error[0] = this.codec.errorIndex(SUBTENSOR, out.error);
            dispatchError = { Module: { index: this.codec.palletIndex(SUBTENSOR), error } };
          } catch { /* error name unknown to this metadata: DispatchError::Other */ }
          records.push(
            this.#eventRecord(phase(idx), {
              pallet: "System",
              name: "ExtrinsicFailed",
              fields: [dispatchError, this.#dispatchInfo(paysFee)],
            }),
          );
        }
        if (tx.pallet === SUBTENSOR && typeof tx.args.netuid === "number") {
          this.touch(tx.args.netuid);
        }
        this.touch();
        included.push(entry);
        progressed = true;
      }
    }
    this.#storePulses(now);
    const block = this.#import(number, parent.hash, extrinsics, records, now);
    for (const e of dropped) e.watch?.("invalid");
    for (const e of included) e.watch?.({ inBlock: block.hash });
    // Finality is instant, but reported a moment later so clients see inBlock first.
    if (included.length) {
      setTimeout(() => included.forEach((e) => e.watch?.({ finalized: block.hash })), 50);
    }
    for (const f of this.onBlock) f(block, parent);
    return block;
  }

  #import(
    number: number,
    parentHash: string,
    extrinsics: string[],
    records: Uint8Array[],
    now: number,
  ): BlockRecord {
    for (const netuid of this.#dirty) {
      const subnet = this.state.subnets.get(netuid);
      if (subnet) this.#subnetEntries.set(netuid, this.view.subnet(this.state, subnet));
      else this.#subnetEntries.delete(netuid);
    }
    this.#dirty.clear();
    if (this.#globalsDirty) {
      this.#globals = this.view.globals(this.state);
      this.#globalsDirty = false;
    }
    const storage: Entries = new Map(this.#globals);
    for (const entries of this.#subnetEntries.values()) {
      for (const [k, v] of entries) storage.set(k, v);
    }
    const c = this.codec;
    const put = (item: string, keys: unknown[], value: unknown) =>
      storage.set(c.storageKey(item, ...keys), c.storageValue(item, value));
    put("System.Number", [], number);
    put("System.ParentHash", [], parentHash);
    put("Timestamp.Now", [], now);
    storage.set(c.storageKey("System.Events"), u8aToHex(encodeVec(records)));
    put("System.EventCount", [], records.length);
    for (let i = Math.max(0, number - 256); i < number; i++) {
      put("System.BlockHash", [i], this.#hashes[i]);
    }
    for (const subnet of this.state.subnets.values()) {
      put("SubtensorModule.BlocksSinceLastStep", [subnet.netuid], number - subnet.lastStep);
    }
    if (c.hasStorage("Drand.LastStoredRound")) {
      put("Drand.LastStoredRound", [], this.state.lastStoredRound);
    }
    if (c.hasStorage("Drand.OldestStoredRound")) {
      put("Drand.OldestStoredRound", [], this.state.oldestStoredRound);
    }
    if (c.hasStorage("Drand.BeaconConfig")) {
      put("Drand.BeaconConfig", [], {
        public_key: u8aToHex(this.beacon.publicKey),
        period: this.beacon.period,
        genesis_time: this.beacon.genesisTime,
        hash: u8aToHex(blake2AsU8a(this.beacon.publicKey, 256)),
        group_hash: u8aToHex(
          blake2AsU8a(u8aConcat(this.beacon.publicKey, new Uint8Array([1])), 256),
        ),
        scheme_id: u8aToHex(new TextEncoder().encode("bls-unchained-g1-rfc9380")),
        metadata: { beacon_id: u8aToHex(new TextEncoder().encode("local")) },
      });
    }
    const extrinsicsRoot = u8aToHex(
      blake2AsU8a(u8aConcat(...extrinsics.map((x) => hexToU8a(x))), 256),
    );
    const stateRoot = u8aToHex(
      blake2AsU8a(
        u8aConcat(
          hexToU8a(parentHash),
          hexToU8a(extrinsicsRoot),
          compactToU8a(number),
          compactToU8a(records.length),
        ),
        256,
      ),
    );
    const header: HeaderJson = {
      parentHash,
      number: "0x" + number.toString(16),
      stateRoot,
      extrinsicsRoot,
      digest: { logs: [] },
    };
    const hash = c.registry.createType("Header", { ...header, number }).hash.toHex();
    const block: BlockRecord = { number, hash, header, extrinsics, storage, timestamp: now };
    this.blocks.push(block);
    this.#hashes.push(hash);
    this.#byHash.set(hash, block);
    if (this.blocks.length > this.#history) {
      const old = this.blocks.shift()!;
      this.#byHash.delete(old.hash);
    }
    return block;
  }
}
