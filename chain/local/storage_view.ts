/**
 * @module
 * Turns the local chain's domain state into substrate storage: `storage key (hex) → SCALE value
 * (hex)`, with keys built from the metadata's hashers and values encoded with the metadata's
 * types, so `api.query.*` decodes them unchanged. Items the local chain does not model are simply
 * absent, and the client falls back to the metadata default, as it does on chain.
 */
import { compactToU8a, u8aConcat, u8aToHex } from "@polkadot/util";
import type { ChainCodec } from "./codec.ts";
import type { ChainState, Subnet } from "./state.ts";
import { HYPERPARAMETER_ITEMS } from "./state.ts";

type Entries = Map<string, string>;

/** SCALE `Vec<(u16,u16)>` (Weights/Bonds rows), encoded directly for speed. */
export function encodeU16Pairs(row: Array<[number, number]>): string {
  const body = new Uint8Array(row.length * 4);
  row.forEach(([a, b], i) => {
    body[i * 4] = a & 0xff;
    body[i * 4 + 1] = a >> 8;
    body[i * 4 + 2] = b & 0xff;
    body[i * 4 + 3] = b >> 8;
  });
  return u8aToHex(u8aConcat(compactToU8a(row.length), body));
}

/** Builds storage entries from state; one instance per chain (caches nothing mutable). */
export class StorageView {
  constructor(readonly codec: ChainCodec) {}

  #put(out: Entries, item: string, keys: unknown[], value: unknown): void {
    out.set(this.codec.storageKey(item, ...keys), this.codec.storageValue(item, value));
  }

  /** Entries owned by one subnet (neurons, weights, hyperparameters, commits). */
  subnet(state: ChainState, subnet: Subnet): Entries {
    const out: Entries = new Map();
    const p = (item: string, keys: unknown[], value: unknown) =>
      this.#put(out, `SubtensorModule.${item}`, keys, value);
    const id = subnet.netuid;
    const neurons = subnet.neurons;
    p("NetworksAdded", [id], true);
    p("SubnetworkN", [id], neurons.length);
    for (const [field, item] of Object.entries(HYPERPARAMETER_ITEMS)) {
      p(item, [id], subnet.hyper[field as keyof typeof subnet.hyper]);
    }
    p("SubnetOwner", [id], subnet.ownerColdkey);
    p("SubnetOwnerHotkey", [id], subnet.ownerHotkey);
    p("NetworkRegisteredAt", [id], subnet.registeredAt);
    p("LastMechansimStepBlock", [id], subnet.lastStep);
    p("Active", [id], neurons.map((n) => n.active));
    p("ValidatorPermit", [id], neurons.map((n) => n.validatorPermit));
    p("Consensus", [id], neurons.map((n) => n.consensus));
    p("Dividends", [id], neurons.map((n) => n.dividends));
    p("Incentive", [id], neurons.map((n) => n.incentive));
    p("Emission", [id], neurons.map((n) => n.emission));
    p("LastUpdate", [id], neurons.map((n) => n.lastUpdate));
    p("Rank", [id], neurons.map((n) => n.rank));
    p("Trust", [id], neurons.map((n) => n.trust));
    p("ValidatorTrust", [id], neurons.map((n) => n.validatorTrust));
    p("PruningScores", [id], neurons.map((n) => n.pruningScore));
    const weightsKey = "SubtensorModule.Weights";
    for (const n of neurons) {
      p("Keys", [id, n.uid], n.hotkey);
      p("Uids", [id, n.hotkey], n.uid);
      p("BlockAtRegistration", [id, n.uid], n.registeredAt);
      p("IsNetworkMember", [n.hotkey, id], true);
      if (n.axon) p("Axons", [id, n.hotkey], n.axon);
      if (n.prometheus) p("Prometheus", [id, n.hotkey], n.prometheus);
      if (n.weights.length) {
        out.set(this.codec.storageKey(weightsKey, id, n.uid), encodeU16Pairs(n.weights));
      }
    }
    // Every hotkey with alpha on this subnet (registered or not, e.g. an owner hotkey's cut).
    const suffix = `:${id}`;
    for (const [key, alpha] of state.alpha) {
      if (key.endsWith(suffix)) p("TotalHotkeyAlpha", [key.slice(0, -suffix.length), id], alpha);
    }
    for (const [epoch, commits] of subnet.commits) {
      if (!commits.length) continue;
      p(
        "TimelockedWeightCommits",
        [id, epoch],
        commits.map((c) => [c.who, c.commitBlock, u8aToHex(c.ciphertext), c.revealRound]),
      );
    }
    return out;
  }

  /** Accounts, hotkey ownership, and global StorageValues. */
  globals(state: ChainState): Entries {
    const out: Entries = new Map();
    for (const [who, acct] of state.accounts) {
      this.#put(out, "System.Account", [who], {
        nonce: acct.nonce,
        consumers: 0,
        providers: 1,
        sufficients: 0,
        data: {
          free: acct.free,
          reserved: 0,
          frozen: 0,
          flags: "0x80000000000000000000000000000000",
        },
      });
    }
    const owned = new Map<string, string[]>();
    for (const [hot, cold] of state.owner) {
      this.#put(out, "SubtensorModule.Owner", [hot], cold);
      owned.set(cold, [...(owned.get(cold) ?? []), hot]);
    }
    for (const [cold, hots] of owned) {
      this.#put(out, "SubtensorModule.OwnedHotkeys", [cold], hots);
      this.#put(out, "SubtensorModule.StakingHotkeys", [cold], hots);
    }
    this.#put(out, "SubtensorModule.TotalNetworks", [], state.subnets.size);
    this.#put(out, "SubtensorModule.StakeThreshold", [], state.stakeThreshold);
    this.#put(out, "SubtensorModule.CommitRevealWeightsVersion", [], state.commitRevealVersion);
    return out;
  }
}
