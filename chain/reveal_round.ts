/**
 * @module
 * The drand round a timelocked weight commit is encrypted for: the SDK-era formula of
 * `bittensor-drand` `generate_commit` (the one SDK 10.2.0 uses). The chain reveals at the first
 * block of epoch `commit_epoch + reveal_period`; the commit must open with a round published
 * a little after that block (3 blocks of margin), so the pulse is on chain when it is needed.
 */
import { QUICKNET_GENESIS_TIME, QUICKNET_PERIOD_SECONDS } from "./drand/quicknet.ts";

/** Inputs of {@link revealRound}. */
export interface RevealRoundInput {
  /** Current block number. */
  block: number;
  /** Storage index of the subnet/mechanism: `mecid * 4096 + netuid`. */
  netuidIndex: number;
  /** Subnet tempo in blocks. */
  tempo: number;
  /** `RevealPeriodEpochs` (hyperparameter `commit_reveal_period`). */
  revealPeriod: number;
  /** Now, unix seconds; the chain's `Timestamp.Now` is the right source (see `weights.ts`). */
  nowS: number;
  /** Seconds per block; 12 on finney. */
  blockTimeS?: number;
}

/** Result of {@link revealRound}: the round and the block it should be revealed at. */
export interface RevealRound {
  /** The drand round to encrypt for. */
  round: number;
  /** The first block of the reveal epoch. */
  firstRevealBlock: number;
  /** The epoch of the commit. */
  commitEpoch: number;
}

/** Storage index of a mechanism of a subnet (`mecid * 4096 + netuid`). */
export function storageIndex(netuid: number, mecid = 0): number {
  return mecid * 4096 + netuid;
}

/**
 * `cur_epoch = (block + idx + 1) / (tempo + 1)`; `reveal_epoch = cur_epoch + period`;
 * `first = reveal_epoch * (tempo + 1) - (idx + 1)`; `target = first + 3`;
 * `round = max(1, floor((now + (target - block) * block_time - genesis) / 3))`.
 */
export function revealRound(i: RevealRoundInput): RevealRound {
  const blockTime = i.blockTimeS ?? 12;
  for (const [k, v] of Object.entries({ ...i, blockTimeS: blockTime })) {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`revealRound: ${k} must be a non-negative number, got ${v}`);
    }
  }
  const span = i.tempo + 1;
  const commitEpoch = Math.floor((i.block + i.netuidIndex + 1) / span);
  const revealEpoch = commitEpoch + i.revealPeriod;
  const firstRevealBlock = revealEpoch * span - (i.netuidIndex + 1);
  const target = firstRevealBlock + 3;
  const secs = (target - i.block) * blockTime;
  const round = Math.max(
    1,
    Math.floor((i.nowS + secs - QUICKNET_GENESIS_TIME) / QUICKNET_PERIOD_SECONDS),
  );
  return { round, firstRevealBlock, commitEpoch };
}
