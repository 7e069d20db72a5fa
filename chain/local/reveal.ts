/**
 * @module
 * Reveal of timelocked (commit-reveal v3/v4) weight commits, as `reveal_crv3_commits` does at
 * the start of every block: commits of epoch `current - RevealPeriodEpochs` whose drand round is
 * stored are decrypted with `tld` and the round's signature, decoded as `WeightsTlockPayload`
 * (or the legacy payload without hotkey), dropped unless the payload hotkey is the committer, and
 * applied through the normal set-weights checks. Failures are only logged, as on chain.
 */
import init, { tld } from "@ideallabs/timelock_wasm_wrapper";
import { u8aToHex } from "@polkadot/util";
import { logger } from "../../config/logging.ts";
import type { ChainCodec } from "./codec.ts";
import type { PendingEvent } from "./pallet.ts";
import { epochIndex, MECHANISM_STRIDE, setWeights } from "./pallet.ts";
import type { ChainState, Subnet, TimelockedCommit } from "./state.ts";

const log = logger("chain", "local", "reveal");
let ready: Promise<unknown> | undefined;

/** Loads the timelock wasm once. */
export function timelockReady(): Promise<unknown> {
  ready ??= init();
  return ready;
}

/** A decoded reveal payload. */
export interface TlockPayload {
  hotkey?: string;
  uids: number[];
  values: number[];
  versionKey: bigint;
}

/** Decodes `WeightsTlockPayload`, falling back to the legacy payload (no hotkey). */
export function decodeTlockPayload(codec: ChainCodec, bytes: Uint8Array): TlockPayload | undefined {
  const r = codec.registry;
  try {
    const p = r.createType("(Vec<u8>, Vec<u16>, Vec<u16>, u64)", bytes);
    if (p.encodedLength === bytes.length) {
      const [hk, uids, values, vk] = p as unknown as [
        { toU8a(b: boolean): Uint8Array },
        Array<{ toNumber(): number }>,
        Array<{ toNumber(): number }>,
        { toString(): string },
      ];
      return {
        hotkey: u8aToHex(hk.toU8a(true)),
        uids: uids.map((x) => x.toNumber()),
        values: values.map((x) => x.toNumber()),
        versionKey: BigInt(vk.toString()),
      };
    }
  } catch { /* try legacy */ }
  try {
    const p = r.createType("(Vec<u16>, Vec<u16>, u64)", bytes);
    if (p.encodedLength !== bytes.length) return undefined;
    const [uids, values, vk] = p as unknown as [
      Array<{ toNumber(): number }>,
      Array<{ toNumber(): number }>,
      { toString(): string },
    ];
    return {
      uids: uids.map((x) => x.toNumber()),
      values: values.map((x) => x.toNumber()),
      versionKey: BigInt(vk.toString()),
    };
  } catch {
    return undefined;
  }
}

/** Reveals what is due on `subnet` at `block`; returns the events to deposit (Initialization). */
export function revealDue(
  codec: ChainCodec,
  state: ChainState,
  subnet: Subnet,
  block: number,
  pulseOf: (round: bigint) => { signature: Uint8Array } | undefined,
): PendingEvent[] {
  const events: PendingEvent[] = [];
  const cur = epochIndex(subnet.netuid, subnet.hyper.tempo, block);
  const period = subnet.hyper.revealPeriodEpochs;
  if (cur < period) return events;
  const revealEpoch = cur - period;
  for (const epoch of [...subnet.commits.keys()]) {
    if (epoch < revealEpoch) subnet.commits.delete(epoch); // expired: never revealed
  }
  const commits = subnet.commits.get(revealEpoch);
  if (!commits?.length) return events;
  const kept: TimelockedCommit[] = [];
  for (const c of commits) {
    const pulse = pulseOf(c.revealRound);
    if (!pulse) {
      kept.push(c);
      continue;
    }
    let plain: Uint8Array;
    try {
      plain = new Uint8Array(tld(c.ciphertext, pulse.signature, "bls12_381"));
    } catch (e) {
      log.warn("commit by {who} on {netuid} does not decrypt: {error}", {
        who: c.who,
        netuid: subnet.netuid,
        error: String(e),
      });
      continue;
    }
    const payload = decodeTlockPayload(codec, plain);
    if (!payload) {
      log.warn("commit by {who} on {netuid}: payload does not decode", {
        who: c.who,
        netuid: subnet.netuid,
      });
      continue;
    }
    if (payload.hotkey !== undefined && payload.hotkey !== c.who) {
      log.warn("commit by {who} on {netuid}: payload hotkey differs", {
        who: c.who,
        netuid: subnet.netuid,
      });
      continue;
    }
    const out = setWeights(
      state,
      block,
      c.who,
      subnet.netuid,
      0,
      payload.uids,
      payload.values,
      payload.versionKey,
    );
    if (!out.ok) {
      log.warn("reveal by {who} on {netuid} failed: {error}", {
        who: c.who,
        netuid: subnet.netuid,
        error: out.error,
      });
      continue;
    }
    events.push({
      pallet: "SubtensorModule",
      name: "TimelockedWeightsRevealed",
      fields: [subnet.netuid + 0 * MECHANISM_STRIDE, c.who],
    });
  }
  if (kept.length) subnet.commits.set(revealEpoch, kept);
  else subnet.commits.delete(revealEpoch);
  return events;
}
