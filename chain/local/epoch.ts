/**
 * @module
 * A simplified Yuma epoch for the local chain: validators' weight rows (u16, self-weights
 * masked) are normalised and summed, weighted by stake, into ranks; incentive is the normalised
 * rank, dividends follow each validator's stake times how much its row agreed with the incentive,
 * and the subnet's emission is split 18% owner, 41% miners (by incentive), 41% validators (by
 * dividends). Emission is credited as alpha stake, as on chain. No bonds, no consensus clipping.
 */
import type { ChainState, Subnet } from "./state.ts";

/** Alpha emitted per block and subnet (rao) by the local chain. */
export const ALPHA_PER_BLOCK = 1_000_000_000n;

const U16 = 65535;

function toU16(x: number): number {
  return Math.max(0, Math.min(U16, Math.round(x * U16)));
}

/** Runs one epoch on `subnet` at `block`; mutates neurons' scores, emission and alpha stakes. */
export function runEpoch(state: ChainState, subnet: Subnet, block: number): void {
  const neurons = subnet.neurons;
  const n = neurons.length;
  const blocks = BigInt(Math.max(1, block - subnet.lastStep));
  subnet.lastStep = block;
  if (n === 0) return;
  const stake = neurons.map((nr) => Number(state.alpha.get(`${nr.hotkey}:${subnet.netuid}`) ?? 0n));
  // Validator permits: top MaxAllowedValidators by stake among staked neurons, unless forced.
  const order = neurons.map((_, i) => i).filter((i) => stake[i] > 0).sort((a, b) =>
    stake[b] - stake[a]
  );
  const top = new Set(order.slice(0, subnet.hyper.maxAllowedValidators));
  for (const nr of neurons) {
    nr.validatorPermit = nr.permitOverride ?? top.has(nr.uid);
  }
  const vStake = neurons.map((nr, i) => (nr.validatorPermit ? stake[i] : 0));
  const totalV = vStake.reduce((a, b) => a + b, 0);
  const s = vStake.map((x) => (totalV > 0 ? x / totalV : 0));
  // Row-normalised weights, diagonal masked.
  const rows: Array<Map<number, number>> = neurons.map((nr, i) => {
    const row = new Map<number, number>();
    if (!nr.validatorPermit) return row;
    let sum = 0;
    for (const [u, w] of nr.weights) if (u !== i && u < n) sum += w;
    if (sum <= 0) return row;
    for (const [u, w] of nr.weights) if (u !== i && u < n) row.set(u, w / sum);
    return row;
  });
  const rank = new Array<number>(n).fill(0);
  rows.forEach((row, i) => row.forEach((w, j) => (rank[j] += s[i] * w)));
  const rankSum = rank.reduce((a, b) => a + b, 0);
  const incentive = rank.map((r) => (rankSum > 0 ? r / rankSum : 0));
  const dRaw = rows.map((row, i) => {
    let agree = 0;
    row.forEach((w, j) => (agree += w * incentive[j]));
    return s[i] * agree;
  });
  const dSum = dRaw.reduce((a, b) => a + b, 0);
  const dividends = dRaw.map((d) => (dSum > 0 ? d / dSum : 0));
  const total = ALPHA_PER_BLOCK * blocks;
  const minerPool = (total * 41n) / 100n;
  const validatorPool = (total * 41n) / 100n;
  const ownerCut = total - minerPool - validatorPool;
  const scale = 1_000_000_000n;
  neurons.forEach((nr, i) => {
    const em = (minerPool * BigInt(Math.round(incentive[i] * 1e9))) / scale +
      (validatorPool * BigInt(Math.round(dividends[i] * 1e9))) / scale;
    nr.emission = em;
    nr.incentive = toU16(incentive[i]);
    nr.rank = toU16(incentive[i]);
    nr.consensus = toU16(incentive[i]);
    nr.trust = rank[i] > 0 ? U16 : 0;
    nr.dividends = toU16(dividends[i]);
    nr.validatorTrust = rows[i].size > 0 ? toU16(s[i] > 0 ? 1 : 0) : 0;
    nr.pruningScore = toU16(incentive[i] + dividends[i]);
    const since = nr.lastUpdate === 0 ? nr.registeredAt : nr.lastUpdate;
    nr.active = block - since <= subnet.hyper.activityCutoff;
    if (em > 0n) {
      const key = `${nr.hotkey}:${subnet.netuid}`;
      state.alpha.set(key, (state.alpha.get(key) ?? 0n) + em);
    }
  });
  if (ownerCut > 0n && subnet.ownerHotkey) {
    const key = `${subnet.ownerHotkey}:${subnet.netuid}`;
    state.alpha.set(key, (state.alpha.get(key) ?? 0n) + ownerCut);
  }
}
