/**
 * @module
 * Setting weights as the SDK does (`subtensor.set_weights`): float weights are converted with
 * the SDK's `convert_weights_and_uids_for_emit`, the pre-checks run against chain state
 * (registration, version key, validator permit, rate limit `block - LastUpdate > WeightsSetRateLimit`),
 * and the path the subnet requires is taken:
 * - commit-reveal off: `set_mechanism_weights` (or `set_weights` on runtimes without mechanisms);
 * - commit-reveal on: `commit_timelocked_mechanism_weights` (or `commit_timelocked_weights`) with a
 *   `WeightsTlockPayload` (hotkey included) encrypted for the drand round of the reveal epoch.
 *
 * Time for the reveal round is the chain's `Timestamp.Now`, not the local clock: the round must
 * be published when the chain reaches the reveal block, so the chain's notion of "now" is the
 * reference (on finney both agree; a local or skewed chain makes the difference).
 */
import type { ApiPromise } from "@polkadot/api";
import type { SubmittableExtrinsic } from "@polkadot/api/types";
import { u8aToHex } from "@polkadot/util";
import { VERSION_AS_INT } from "../protocol/version.ts";
import { convertWeightsAndUidsForEmit } from "../scoring/weight_utils.ts";
import type { Signer as WalletSigner } from "../wallet/keypair.ts";
import { logger } from "../config/logging.ts";
import type { Inclusion, SubmitOptions, SubtensorClient } from "./client.ts";
import { ChainDataError, ChainError, ChainUnsupportedError } from "./errors.ts";
import { quicknetPublicKey } from "./drand/quicknet.ts";
import { timelockEncrypt } from "./drand/timelock.ts";
import { revealRound, storageIndex } from "./reveal_round.ts";
import { encodeTlockPayload } from "./tlock_payload.ts";

const log = logger("chain", "weights");

/** The chain's bound on a commit (`BoundedVec<u8, 5000>`). */
export const MAX_COMMIT_BYTES = 5000;

/** What to set. */
export interface SetWeightsOptions {
  netuid: number;
  /** Uids, one per weight. */
  uids: ArrayLike<number>;
  /** Non-negative float weights (any scale; max-upscaled to 65535). */
  weights: ArrayLike<number>;
  /** u64 version key; default our `version_as_int` (10002000), like the SDK. */
  versionKey?: number | bigint;
  /** Mechanism id (default 0). */
  mecid?: number;
  /** Submit even when a pre-check says no, to get the chain's own verdict (tests, operators). */
  skipChecks?: boolean;
}

/** Outcome of {@link setWeights}. Chain failures throw typed errors (see `errors.ts`). */
export type SetWeightsResult =
  | {
    status: "included";
    /** The extrinsic used, e.g. `set_mechanism_weights` or `commit_timelocked_mechanism_weights`. */
    call: string;
    commitReveal: boolean;
    /** The drand round the commit opens at (commit-reveal only). */
    revealRound?: number;
    /** The u16 uids/weights submitted (zeros dropped). */
    uids: number[];
    weights: number[];
    inclusion: Inclusion;
  }
  | { status: "not_now"; reason: "rate_limit"; blocksLeft: number; message: string }
  | {
    status: "refused";
    reason: "not_registered" | "version_key" | "no_permit" | "no_weights";
    message: string;
  };

/** Chain state that decides whether and how weights may be set now. */
export interface WeightsState {
  block: number;
  uid: number | null;
  commitRevealEnabled: boolean;
  commitRevealVersion: number;
  weightsVersionKey: bigint;
  rateLimit: number;
  lastUpdate: number;
  validatorPermit: boolean;
  ownerUid: number | null;
  tempo: number;
  revealPeriod: number;
}

/** Reads everything {@link setWeights} checks, in one batch. */
export async function readWeightsState(
  client: SubtensorClient,
  hotkey: string,
  netuid: number,
  mecid = 0,
): Promise<WeightsState> {
  const api = client.api;
  const q = api.query.subtensorModule;
  const idx = storageIndex(netuid, mecid);
  return await client.call("weights state", async () => {
    const [header, uidC, cr, vk, rl, lu, vp, owner, tempo, rp] = await Promise.all([
      api.rpc.chain.getHeader(),
      q.uids(netuid, hotkey),
      q.commitRevealWeightsEnabled(netuid),
      q.weightsVersionKey(netuid),
      q.weightsSetRateLimit(netuid),
      q.lastUpdate(idx),
      q.validatorPermit(netuid),
      q.subnetOwnerHotkey ? q.subnetOwnerHotkey(netuid) : Promise.resolve(null),
      q.tempo(netuid),
      q.revealPeriodEpochs(netuid),
    ]);
    const crv = q.commitRevealWeightsVersion
      ? Number((await q.commitRevealWeightsVersion()).toString())
      : 4;
    const uidP = uidC.toPrimitive();
    const uid = typeof uidP === "number" ? uidP : null;
    const lastUpdates = lu.toPrimitive() as unknown[];
    const permits = vp.toPrimitive() as unknown[];
    if (!Array.isArray(lastUpdates) || !Array.isArray(permits)) {
      throw new ChainDataError("LastUpdate / ValidatorPermit are not lists");
    }
    let ownerUid: number | null = null;
    if (owner) {
      const o = (await q.uids(netuid, owner.toString())).toPrimitive();
      ownerUid = typeof o === "number" ? o : null;
    }
    return {
      block: header.number.toNumber(),
      uid,
      commitRevealEnabled: cr.toPrimitive() === true,
      commitRevealVersion: crv,
      weightsVersionKey: BigInt(vk.toString()),
      rateLimit: Number(rl.toString()),
      lastUpdate: uid === null ? 0 : Number(lastUpdates[uid] ?? 0),
      validatorPermit: uid === null ? false : permits[uid] === true,
      ownerUid,
      tempo: Number(tempo.toString()),
      revealPeriod: Number(rp.toString()),
    };
  });
}

/** Builds the plain (no commit-reveal) weights call the runtime offers. */
export function buildSetWeightsCall(
  api: ApiPromise,
  o: { netuid: number; mecid?: number; uids: number[]; weights: number[]; versionKey: bigint },
): { call: string; tx: SubmittableExtrinsic<"promise"> } {
  const t = api.tx.subtensorModule;
  const mecid = o.mecid ?? 0;
  if (t.setMechanismWeights) {
    return {
      call: "set_mechanism_weights",
      tx: t.setMechanismWeights(o.netuid, mecid, o.uids, o.weights, o.versionKey),
    };
  }
  if (mecid !== 0) {
    throw new ChainUnsupportedError("the runtime has no set_mechanism_weights (mecid > 0)");
  }
  return { call: "set_weights", tx: t.setWeights(o.netuid, o.uids, o.weights, o.versionKey) };
}

/** Builds the timelocked commit call the runtime offers. */
export function buildTimelockedCommitCall(
  api: ApiPromise,
  o: { netuid: number; mecid?: number; commit: Uint8Array; revealRound: number; version: number },
): { call: string; tx: SubmittableExtrinsic<"promise"> } {
  const t = api.tx.subtensorModule;
  const mecid = o.mecid ?? 0;
  if (o.commit.length > MAX_COMMIT_BYTES) {
    throw new ChainError(
      "bad_input",
      `commit of ${o.commit.length} bytes exceeds the chain's ${MAX_COMMIT_BYTES}`,
    );
  }
  if (t.commitTimelockedMechanismWeights) {
    return {
      call: "commit_timelocked_mechanism_weights",
      tx: t.commitTimelockedMechanismWeights(
        o.netuid,
        mecid,
        u8aToHex(o.commit),
        o.revealRound,
        o.version,
      ),
    };
  }
  if (t.commitTimelockedWeights && mecid === 0) {
    return {
      call: "commit_timelocked_weights",
      tx: t.commitTimelockedWeights(o.netuid, u8aToHex(o.commit), o.revealRound, o.version),
    };
  }
  throw new ChainUnsupportedError("the runtime has no commit_timelocked_(mechanism_)weights");
}

/** The beacon public key the chain decrypts with: `Drand.BeaconConfig`, else quicknet's. */
export async function beaconPublicKey(client: SubtensorClient): Promise<Uint8Array> {
  const q = client.api.query.drand?.beaconConfig;
  if (!q) return quicknetPublicKey();
  const cfg = await client.call("Drand.BeaconConfig", () => q());
  const pk = (cfg as unknown as { publicKey?: { toU8a(bare: boolean): Uint8Array } }).publicKey
    ?.toU8a(true);
  return pk && pk.length === 96 ? pk : quicknetPublicKey();
}

/**
 * Sets weights for `hotkey` on `netuid`, by the path the subnet requires. Returns `not_now`
 * (rate limit, with the blocks left) or `refused` instead of submitting when a pre-check fails;
 * throws `TransactionRejectedError` / `DispatchFailedError` when the chain refuses.
 *
 * @example
 * ```ts
 * const r = await setWeights(chain, hotkey, { netuid: 33, uids: [0, 1], weights: [0.7, 0.3] });
 * if (r.status === "not_now") console.log(`retry in ${r.blocksLeft} blocks`);
 * ```
 */
export async function setWeights(
  client: SubtensorClient,
  hotkey: WalletSigner,
  o: SetWeightsOptions,
  submit: SubmitOptions = {},
): Promise<SetWeightsResult> {
  const mecid = o.mecid ?? 0;
  const versionKey = BigInt(o.versionKey ?? VERSION_AS_INT);
  let conv: { uids: number[]; weights: number[] };
  try {
    conv = convertWeightsAndUidsForEmit(o.uids, o.weights);
  } catch (e) {
    throw new ChainError("bad_input", `cannot convert weights: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (conv.uids.length === 0) {
    return {
      status: "refused",
      reason: "no_weights",
      message: "every weight is zero: nothing to set",
    };
  }
  const s = await readWeightsState(client, hotkey.ss58Address, o.netuid, mecid);
  if (!o.skipChecks) {
    const refusal = precheck(s, conv.uids, versionKey, hotkey.ss58Address, o.netuid);
    if (refusal) {
      log.info("weights not submitted: {message}", { message: refusal.message });
      return refusal;
    }
  }
  if (!s.commitRevealEnabled) {
    const { call, tx } = buildSetWeightsCall(client.api, {
      netuid: o.netuid,
      mecid,
      ...conv,
      versionKey,
    });
    const inclusion = await client.submit(call, tx, hotkey, submit);
    return { status: "included", call, commitReveal: false, ...conv, inclusion };
  }
  const nowS = await client.chainTimeS();
  let { round } = revealRound({
    block: s.block,
    netuidIndex: storageIndex(o.netuid, mecid),
    tempo: s.tempo,
    revealPeriod: s.revealPeriod,
    nowS,
    blockTimeS: client.blockTimeS,
  });
  const lastStored = client.api.query.drand?.lastStoredRound
    ? Number(
      (await client.call("Drand.LastStoredRound", () => client.api.query.drand.lastStoredRound()))
        .toString(),
    )
    : 0;
  // The pool refuses a round older than LastStoredRound at validation time, which may be a
  // round later than when we read it (fast-block chains reveal within one drand period): aim
  // one round past what the chain has.
  if (round <= lastStored) {
    log.debug(
      "reveal round {round} is not ahead of the chain's last drand round {last}; using {next}",
      {
        round,
        last: lastStored,
        next: lastStored + 1,
      },
    );
    round = lastStored + 1;
  }
  const publicKey = await beaconPublicKey(client);
  const payload = encodeTlockPayload({
    hotkey: hotkey.publicKey,
    uids: conv.uids,
    values: conv.weights,
    versionKey,
  });
  const commit = await timelockEncrypt(payload, round, { publicKey });
  const { call, tx } = buildTimelockedCommitCall(client.api, {
    netuid: o.netuid,
    mecid,
    commit,
    revealRound: round,
    version: s.commitRevealVersion,
  });
  const inclusion = await client.submit(call, tx, hotkey, submit);
  return { status: "included", call, commitReveal: true, revealRound: round, ...conv, inclusion };
}

/** The SDK-side checks; undefined when weights may be submitted now. */
export function precheck(
  s: WeightsState,
  uids: number[],
  versionKey: bigint,
  hotkey: string,
  netuid: number,
): Extract<SetWeightsResult, { status: "not_now" | "refused" }> | undefined {
  if (s.uid === null) {
    return {
      status: "refused",
      reason: "not_registered",
      message: `hotkey ${hotkey} is not registered on subnet ${netuid}`,
    };
  }
  if (s.weightsVersionKey !== 0n && versionKey < s.weightsVersionKey) {
    return {
      status: "refused",
      reason: "version_key",
      message:
        `version key ${versionKey} is below the subnet's WeightsVersionKey ${s.weightsVersionKey}`,
    };
  }
  const selfOnly = uids.length === 1 && uids[0] === s.uid;
  if (!selfOnly && !s.validatorPermit && s.ownerUid !== s.uid) {
    return {
      status: "refused",
      reason: "no_permit",
      message: `uid ${s.uid} has no validator permit on subnet ${netuid}`,
    };
  }
  if (s.lastUpdate !== 0) {
    const since = s.block - s.lastUpdate;
    if (!(since > s.rateLimit)) {
      const blocksLeft = s.rateLimit + 1 - since;
      return {
        status: "not_now",
        reason: "rate_limit",
        blocksLeft,
        message:
          `weights set ${since} blocks ago; rate limit ${s.rateLimit}: ${blocksLeft} blocks left`,
      };
    }
  }
  return undefined;
}
