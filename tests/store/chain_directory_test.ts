/** The metagraph-backed validator directory: lookups, caching, stale snapshots on failure. */
import assert from "node:assert/strict";
import { MetagraphDirectory } from "../../store/chain_directory.ts";
import { checkValidator } from "../../store/api_keys.ts";

Deno.test("metagraph directory: registration, permit and stake per hotkey; cached", async () => {
  let loads = 0;
  let fail = false;
  const clock = { now: 0 };
  const dir = new MetagraphDirectory({
    load: () => {
      loads++;
      if (fail) return Promise.reject(new Error("chain down"));
      return Promise.resolve({
        hotkeys: ["5Val", "5Miner", "5Small"],
        validatorPermit: [true, false, true],
        stake: [25000, 3, 12],
      });
    },
    refreshMs: 1000,
    maxStaleMs: 5000,
    now: () => clock.now,
  });
  assert.deepEqual(await dir.lookup("5Val"), {
    registered: true,
    validatorPermit: true,
    stakeTao: 25000,
  });
  assert.equal(await dir.lookup("5Nobody"), null);
  assert.equal(loads, 1);
  await checkValidator(dir, "5Val", 20000);
  await assert.rejects(() => checkValidator(dir, "5Miner", 10), /no validator permit/);
  await assert.rejects(() => checkValidator(dir, "5Small", 20000), /12 TAO staked/);
  await assert.rejects(() => checkValidator(dir, "5Nobody", 10), /not registered/);
  assert.equal(loads, 1);
  // Concurrent lookups after expiry share one reload.
  clock.now = 1500;
  await Promise.all([dir.lookup("5Val"), dir.lookup("5Miner")]);
  assert.equal(loads, 2);
  // A failed reload serves the last snapshot while it is fresh enough, then fails (503).
  fail = true;
  clock.now = 3000;
  assert.ok(await dir.lookup("5Val"));
  clock.now = 7000;
  await assert.rejects(() => dir.lookup("5Val"), /chain down/);
  await assert.rejects(() => checkValidator(dir, "5Val", 10), /could not read the metagraph/);
});
