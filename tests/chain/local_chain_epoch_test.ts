// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { Keyring } from "@polkadot/api";
import { blocksUntilNextEpoch, epochIndex, shouldRunEpoch } from "../../chain/local/mod.ts";
import { setup, submit } from "./local_chain_helpers.ts";

Deno.test("epoch schedule follows subtensor's blocks_until_next_epoch", () => {
  // Table from the pallet's doc comment: (tempo, netuid) -> blocks until next epoch at block 0.
  assert.equal(blocksUntilNextEpoch(0, 2, 0), 1);
  assert.equal(blocksUntilNextEpoch(1, 2, 0), 0);
  assert.equal(blocksUntilNextEpoch(0, 100, 0), 99);
  assert.equal(blocksUntilNextEpoch(1, 100, 0), 98);
  // netuid 1, tempo 10: the epoch runs when (block + 2) % 11 == 10, the last block of an epoch index.
  assert.equal(shouldRunEpoch(1, 10, 8), true);
  assert.equal(shouldRunEpoch(1, 10, 9), false);
  assert.equal(epochIndex(1, 10, 8), 0n);
  assert.equal(epochIndex(1, 10, 9), 1n);
});

Deno.test("local chain: an epoch turns weights into incentive, dividends and emission", async () => {
  const s = await setup();
  const { chain, keys } = s;
  const api = s.api as any;
  try {
    const netuid = 4;
    chain.createSubnet(netuid, {
      tempo: 9,
      commitReveal: false,
      minAllowedWeights: 1,
      weightsRateLimit: 0,
    });
    const v1 = chain.registerNeuron(netuid, keys.alice.address, keys.bob.address, {
      stakeRao: 3_000_000_000_000n,
      validatorPermit: true,
    });
    const v2 = chain.registerNeuron(netuid, keys.bob.address, keys.bob.address, {
      stakeRao: 1_000_000_000_000n,
      validatorPermit: true,
    });
    const m1 = chain.registerNeuron(netuid, keys.charlie.address, keys.dave.address);
    const m2 = chain.registerNeuron(netuid, keys.eve.address, keys.dave.address);
    await chain.advanceBlocks(1);
    // Both validators prefer m2 (3:1).
    await submit(s, api.tx.subtensorModule.setWeights(netuid, [m1, m2], [1, 3], 0), keys.alice);
    await submit(s, api.tx.subtensorModule.setWeights(netuid, [m1, m2], [1, 3], 0), keys.bob);
    while (!shouldRunEpoch(netuid, 9, chain.blockNumber())) await chain.advanceBlocks(1);
    let inc = (await api.query.subtensorModule.incentive(netuid)).toJSON() as number[];
    assert.equal(inc[v1], 0);
    assert.equal(inc[v2], 0);
    assert.ok(Math.abs(inc[m2] / 65535 - 0.75) < 0.001, `m2 incentive ${inc[m2]}`);
    assert.ok(Math.abs(inc[m1] / 65535 - 0.25) < 0.001, `m1 incentive ${inc[m1]}`);
    const div = (await api.query.subtensorModule.dividends(netuid)).toJSON() as number[];
    assert.ok(div[v1] > div[v2] && div[v2] > 0, `dividends ${div}`);
    assert.equal(div[m1], 0);
    const em = (await api.query.subtensorModule.emission(netuid)).toJSON() as number[];
    assert.ok(em[m2] > em[m1] && em[m1] > 0, `emission ${em}`);
    const lite = await api.call.neuronInfoRuntimeApi.getNeuronsLite(netuid);
    assert.equal(lite[m2].incentive.toNumber(), inc[m2]);
    assert.equal(lite[m2].emission.toBigInt(), BigInt(em[m2]));
    // Validators change their minds: m1 now gets most of the incentive.
    await submit(s, api.tx.subtensorModule.setWeights(netuid, [m1, m2], [9, 1], 0), keys.alice);
    await submit(s, api.tx.subtensorModule.setWeights(netuid, [m1, m2], [9, 1], 0), keys.bob);
    await chain.advanceBlocks(1);
    while (!shouldRunEpoch(netuid, 9, chain.blockNumber())) await chain.advanceBlocks(1);
    inc = (await api.query.subtensorModule.incentive(netuid)).toJSON() as number[];
    assert.ok(inc[m1] > inc[m2] * 5, `incentive ${inc}`);
  } finally {
    await s.close();
  }
});

Deno.test("local chain: a 256-neuron subnet syncs through get_neurons_lite and the metagraph", async () => {
  const s = await setup();
  const { chain } = s;
  const api = s.api as any;
  try {
    const kr = new Keyring({ type: "sr25519" });
    const cold = kr.addFromSeed(new Uint8Array(32).fill(255));
    chain.createSubnet(5, {
      tempo: 20,
      commitReveal: false,
      minAllowedWeights: 1,
      weightsRateLimit: 0,
    });
    const hot = Array.from(
      { length: 256 },
      (_, i) => kr.addFromSeed(new Uint8Array(32).fill(i + 1)),
    );
    hot.forEach((h, i) =>
      chain.registerNeuron(5, h.address, cold.address, {
        stakeRao: BigInt(i + 1) * 1_000_000_000n,
        validatorPermit: i < 8,
      })
    );
    await chain.advanceBlocks(1);
    const weights = await submit(
      s,
      api.tx.subtensorModule.setWeights(5, hot.map((_, i) => i), hot.map((_, i) => i + 1), 0),
      hot[0],
    );
    assert.equal(weights.error, undefined);
    await chain.advanceBlocks(25);
    const lite = await api.call.neuronInfoRuntimeApi.getNeuronsLite(5);
    assert.equal(lite.length, 256);
    assert.equal(lite[255].hotkey.toString(), hot[255].address);
    const mg = (await api.call.subnetInfoRuntimeApi.getMetagraph(5)).unwrap();
    assert.equal(mg.hotkeys.length, 256);
    assert.equal(mg.axons.length, 256);
    assert.ok((mg.incentives[255].toNumber()) > mg.incentives[1].toNumber());
    assert.equal((await api.query.subtensorModule.weights(5, 0)).length, 256);
    assert.equal((await api.query.subtensorModule.keys.entries(5)).length, 256);
  } finally {
    await s.close();
  }
});
