import assert from "node:assert/strict";
import { revealRound, storageIndex } from "../../chain/reveal_round.ts";

const GENESIS = 1692803367;

Deno.test("storage index is mecid * 4096 + netuid", () => {
  assert.equal(storageIndex(33), 33);
  assert.equal(storageIndex(33, 1), 4129);
});

Deno.test("reveal round follows the SDK formula (worked by hand)", () => {
  // block 1000, idx 1, tempo 360: epoch (1002/361)=2, reveal epoch 3, first block 3*361-2 = 1081,
  // target 1084, 84 blocks * 12 s = 1008 s; now = genesis + 3000 -> (3000 + 1008) / 3 = 1336
  const r = revealRound({
    block: 1000,
    netuidIndex: 1,
    tempo: 360,
    revealPeriod: 1,
    nowS: GENESIS + 3000,
  });
  assert.deepEqual(r, { round: 1336, firstRevealBlock: 1081, commitEpoch: 2 });
  // the storage index (not the netuid) shifts the epoch boundary
  const m = revealRound({
    block: 1000,
    netuidIndex: 4097,
    tempo: 360,
    revealPeriod: 1,
    nowS: GENESIS + 3000,
  });
  // (1000+4098)/361 = 14, reveal 15, first 15*361-4098 = 1317, target 1320, 320*12=3840
  assert.deepEqual(m, {
    round: Math.floor((3000 + 3840) / 3),
    firstRevealBlock: 1317,
    commitEpoch: 14,
  });
});

Deno.test("reveal period, block time and floor/max(1) behave", () => {
  const base = { block: 50, netuidIndex: 3, tempo: 10, nowS: GENESIS + 100 };
  // (54/11)=4, period 2 -> 6, first 66-4=62, target 65, 15 blocks
  const r2 = revealRound({ ...base, revealPeriod: 2 });
  assert.equal(r2.firstRevealBlock, 62);
  assert.equal(r2.round, Math.floor((100 + 15 * 12) / 3));
  const fast = revealRound({ ...base, revealPeriod: 2, blockTimeS: 0.25 });
  assert.equal(fast.round, Math.floor((100 + 15 * 0.25) / 3));
  assert.equal(revealRound({ ...base, revealPeriod: 0, nowS: 0 }).round, 1);
  assert.throws(() => revealRound({ ...base, revealPeriod: -1 }), RangeError);
  assert.throws(() => revealRound({ ...base, revealPeriod: 1, nowS: NaN }), RangeError);
});
