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

Deno.test({
  name: "chain directory on the local chain: key issued to a permitted validator only",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const { startLocalChain } = await import("../../chain/local/mod.ts");
    const { connectChainDirectory } = await import("../../store/chain_directory.ts");
    const { startStore } = await import("../../store/server.ts");
    const { Keypair } = await import("../../wallet/keypair.ts");
    const { u8aToHex } = await import("@polkadot/util");
    const metadataPath =
      new URL("../../../shared/chain/subtensor-metadata-v16.scale", import.meta.url).pathname;
    const chain = await startLocalChain({ metadataPath, blockTimeMs: 0 });
    const key = (i: number) => Keypair.fromSeed(new Uint8Array(32).fill(i));
    const [vali, miner, cold, owner] = await Promise.all([key(2), key(3), key(9), key(1)]);
    chain.createSubnet(1, { owner: { coldkey: cold.ss58Address, hotkey: owner.ss58Address } });
    chain.registerNeuron(1, vali.ss58Address, cold.ss58Address, {
      stakeRao: 50_000_000_000n,
      validatorPermit: true,
    });
    chain.registerNeuron(1, miner.ss58Address, cold.ss58Address);
    await chain.advanceBlocks(2);
    const { directory, close } = await connectChainDirectory({
      chainEndpoint: chain.url,
      netuid: 1,
    });
    const store = await startStore({ db: "sqlite::memory:", port: 0, directory, minStakeTao: 1 });
    try {
      const info = await directory.lookup(vali.ss58Address);
      assert.equal(info?.registered, true);
      assert.equal(info?.validatorPermit, true);
      assert.ok(info!.stakeTao >= 1, `stake ${info?.stakeTao}`);
      const post = (path: string, body: unknown) =>
        fetch(`${store.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const m = await (await post("/api/v1/generate_message", { hotkey: vali.ss58Address }))
        .json();
      const k = await post("/api/v1/generate_api_key", {
        hotkey: vali.ss58Address,
        message: m.message,
        signature: u8aToHex(vali.sign(m.message)),
      });
      assert.equal(k.status, 200);
      assert.match((await k.json()).api_key, /^cgp_/);
      const refused = await post("/api/v1/generate_message", { hotkey: miner.ss58Address });
      assert.equal(refused.status, 403);
      assert.match((await refused.json()).error, /no validator permit/);
      const stranger = await post("/api/v1/generate_message", { hotkey: cold.ss58Address });
      assert.match((await stranger.json()).error, /not registered/);
    } finally {
      await store.close();
      await close();
      await chain.close();
    }
  },
});
