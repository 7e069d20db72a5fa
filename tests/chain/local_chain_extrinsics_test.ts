// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { WsProvider } from "@polkadot/api";
import { u8aToHex } from "@polkadot/util";
import { setup, submit } from "./local_chain_helpers.ts";

const ip4 = (s: string) => s.split(".").reduce((a, b) => (a << 8n) | BigInt(b), 0n);

Deno.test("local chain: extrinsics are checked like subtensor checks them", async (t) => {
  const s = await setup();
  const { chain, keys } = s;
  const api = s.api as any;
  try {
    chain.createSubnet(1, {
      tempo: 360,
      commitReveal: false,
      weightsRateLimit: 5,
      minAllowedWeights: 1,
      weightsVersionKey: 10,
    });
    const vali = chain.registerNeuron(1, keys.alice.address, keys.bob.address, {
      stakeRao: 1_000_000_000_000n,
      validatorPermit: true,
    });
    const miner = chain.registerNeuron(1, keys.charlie.address, keys.dave.address);
    await chain.advanceBlocks(1);

    await t.step("set_weights is accepted: WeightsSet event, max-upscaled row stored", async () => {
      const r = await submit(
        s,
        api.tx.subtensorModule.setWeights(1, [vali, miner], [1, 3], 10),
        keys.alice,
      );
      assert.deepEqual(r.events, ["subtensorModule.WeightsSet", "system.ExtrinsicSuccess"]);
      const ws = r.result.events.find((e: any) => e.event.method === "WeightsSet")!;
      assert.deepEqual(ws.event.data.toJSON(), [1, vali]);
      assert.deepEqual(chain.weights(1, vali), [[vali, 21845], [miner, 65535]]);
      const row = await api.query.subtensorModule.weights(1, vali);
      assert.deepEqual(row.toJSON(), [[vali, 21845], [miner, 65535]]);
      const last = await api.query.subtensorModule.lastUpdate(1);
      assert.equal(last.toJSON()[vali], chain.blockNumber());
      assert.equal((await api.query.system.account(keys.alice.address)).nonce.toNumber(), 1);
    });

    await t.step(
      "a second set_weights within the rate limit is rejected by the pool: Custom error 6",
      async () => {
        await assert.rejects(
          submit(s, api.tx.subtensorModule.setWeights(1, [miner], [1], 10), keys.alice),
          /1010: Invalid Transaction: Custom error: 6/,
        );
        assert.equal(chain.pendingExtrinsics(), 0);
      },
    );

    await t.step("after the rate limit set_mechanism_weights works", async () => {
      await chain.advanceBlocks(5);
      const r = await submit(
        s,
        api.tx.subtensorModule.setMechanismWeights(1, 0, [miner], [7], 10),
        keys.alice,
      );
      assert.equal(r.error, undefined);
      assert.deepEqual(chain.weights(1, vali), [[miner, 65535]]);
    });

    await t.step(
      "an old version key fails in dispatch: ExtrinsicFailed IncorrectWeightVersionKey",
      async () => {
        await chain.advanceBlocks(5);
        const r = await submit(
          s,
          api.tx.subtensorModule.setWeights(1, [miner], [1], 9),
          keys.alice,
        );
        assert.equal(r.error, "subtensorModule.IncorrectWeightVersionKey");
        assert.ok(r.events.includes("system.ExtrinsicFailed"));
        const failed = r.result.events.find((e: any) => e.event.method === "ExtrinsicFailed")!;
        const mod = (failed.event.data[0] as any).asModule;
        assert.equal(mod.index.toNumber(), 7);
        assert.equal(
          mod.error[0],
          api.errors.subtensorModule.IncorrectWeightVersionKey.meta.index.toNumber(),
        );
      },
    );

    await t.step(
      "an unregistered hotkey fails in dispatch (HotKeyNotRegisteredInSubNet)",
      async () => {
        const r = await submit(s, api.tx.subtensorModule.setWeights(1, [miner], [1], 10), keys.eve);
        assert.equal(r.error, "subtensorModule.HotKeyNotRegisteredInSubNet");
      },
    );

    await t.step(
      "a miner without permit cannot weight others: NeuronNoValidatorPermit; self-weight is fine",
      async () => {
        const r = await submit(
          s,
          api.tx.subtensorModule.setWeights(1, [vali], [1], 10),
          keys.charlie,
        );
        assert.equal(r.error, "subtensorModule.NeuronNoValidatorPermit");
        await chain.advanceBlocks(5);
        const self = await submit(
          s,
          api.tx.subtensorModule.setWeights(1, [miner], [1], 10),
          keys.charlie,
        );
        assert.equal(self.error, undefined);
      },
    );

    await t.step("duplicate uids and unknown uids fail in dispatch", async () => {
      await chain.advanceBlocks(5);
      assert.equal(
        (await submit(
          s,
          api.tx.subtensorModule.setWeights(1, [miner, miner], [1, 2], 10),
          keys.alice,
        )).error,
        "subtensorModule.DuplicateUids",
      );
      assert.equal(
        (await submit(s, api.tx.subtensorModule.setWeights(1, [0, 5], [1, 2], 10), keys.alice))
          .error,
        "subtensorModule.UidVecContainInvalidOne",
      );
    });

    await t.step("StakeThreshold above the stake: pool rejects with Custom error 1", async () => {
      chain.setStakeThreshold(10_000_000_000_000n);
      await assert.rejects(
        submit(s, api.tx.subtensorModule.setWeights(1, [miner], [1], 10), keys.alice),
        /Custom error: 1$/,
      );
      chain.setStakeThreshold(0n);
    });

    await t.step(
      "set_weights on a commit-reveal subnet fails with CommitRevealEnabled",
      async () => {
        chain.setHyperparameter(1, "CommitRevealWeightsEnabled", true);
        await chain.advanceBlocks(1);
        assert.equal((await api.query.subtensorModule.commitRevealWeightsEnabled(1)).isTrue, true);
        const r = await submit(
          s,
          api.tx.subtensorModule.setWeights(1, [miner], [1], 10),
          keys.alice,
        );
        assert.equal(r.error, "subtensorModule.CommitRevealEnabled");
        chain.setHyperparameter(1, "commitRevealWeightsEnabled", false);
      },
    );

    await t.step(
      "serve_axon stores the axon (AxonServed) and the rate limit then applies (Custom error 12)",
      async () => {
        const r = await submit(
          s,
          api.tx.subtensorModule.serveAxon(1, 1002003, ip4("10.0.0.1"), 8091, 4, 4, 0, 0),
          keys.charlie,
        );
        assert.deepEqual(r.events, ["subtensorModule.AxonServed", "system.ExtrinsicSuccess"]);
        const axon = (await api.query.subtensorModule.axons(1, keys.charlie.address)).unwrap();
        assert.equal(axon.ip.toBigInt(), ip4("10.0.0.1"));
        assert.equal(axon.port.toNumber(), 8091);
        assert.equal(axon.version.toNumber(), 1002003);
        assert.equal(axon.block.toNumber(), chain.blockNumber());
        const lite = await api.call.neuronInfoRuntimeApi.getNeuronLite(1, miner);
        assert.equal(lite.unwrap().axonInfo.port.toNumber(), 8091);
        await assert.rejects(
          submit(
            s,
            api.tx.subtensorModule.serveAxon(1, 1, ip4("10.0.0.2"), 8091, 4, 4, 0, 0),
            keys.charlie,
          ),
          /Custom error: 12$/,
        );
      },
    );

    await t.step("serve_axon guard failures: unregistered 10, bad ip 11, port 0 13", async () => {
      await assert.rejects(
        submit(
          s,
          api.tx.subtensorModule.serveAxon(1, 1, ip4("10.0.0.1"), 8091, 4, 4, 0, 0),
          keys.eve,
        ),
        /Custom error: 10$/,
      );
      await assert.rejects(
        submit(
          s,
          api.tx.subtensorModule.serveAxon(1, 1, ip4("127.0.0.1"), 8091, 4, 4, 0, 0),
          keys.alice,
        ),
        /Custom error: 11$/,
      );
      await assert.rejects(
        submit(
          s,
          api.tx.subtensorModule.serveAxon(1, 1, ip4("10.0.0.1"), 0, 4, 4, 0, 0),
          keys.alice,
        ),
        /Custom error: 13$/,
      );
    });

    await t.step(
      "burned_register by the coldkey pays Burn and registers the hotkey (NeuronRegistered)",
      async () => {
        chain.fund(keys.ferdie.address, 1_000_000_000n);
        const burn = (await api.query.subtensorModule.burn(1)).toBigInt();
        const r = await submit(
          s,
          api.tx.subtensorModule.burnedRegister(1, keys.eve.address),
          keys.ferdie,
        );
        assert.deepEqual(r.events, ["subtensorModule.NeuronRegistered", "system.ExtrinsicSuccess"]);
        const uid = (await api.query.subtensorModule.uids(1, keys.eve.address)).unwrap().toNumber();
        assert.equal(uid, 2);
        assert.equal(
          (await api.query.system.account(keys.ferdie.address)).data.free.toBigInt(),
          1_000_000_000n - burn,
        );
        assert.equal(
          (await api.query.subtensorModule.owner(keys.eve.address)).toString(),
          keys.ferdie.address,
        );
        const again = await submit(
          s,
          api.tx.subtensorModule.burnedRegister(1, keys.eve.address),
          keys.ferdie,
        );
        assert.equal(again.error, "subtensorModule.HotKeyAlreadyRegisteredInSubNet");
        const poor = await submit(
          s,
          api.tx.subtensorModule.burnedRegister(1, keys.dave.address),
          keys.dave,
        );
        assert.equal(poor.error, "subtensorModule.NotEnoughBalanceToStake");
      },
    );

    await t.step("add_stake moves free balance to the hotkey's alpha", async () => {
      chain.fund(keys.bob.address, 5_000_000_000n);
      const before = (await api.query.subtensorModule.totalHotkeyAlpha(keys.alice.address, 1))
        .toBigInt();
      const r = await submit(
        s,
        api.tx.subtensorModule.addStake(keys.alice.address, 1, 2_000_000_000n),
        keys.bob,
      );
      assert.equal(r.error, undefined);
      assert.ok(r.events.includes("subtensorModule.StakeAdded"));
      assert.equal(
        (await api.query.subtensorModule.totalHotkeyAlpha(keys.alice.address, 1)).toBigInt(),
        before + 2_000_000_000n,
      );
    });

    await t.step("a bad signature is rejected by the pool", async () => {
      const tx = api.tx.subtensorModule.setWeights(1, [miner], [1], 10);
      const nonce = (await api.rpc.system.accountNextIndex(keys.alice.address)).toNumber();
      await tx.signAsync(keys.alice, { nonce });
      const hex: string = tx.toHex();
      const sig = u8aToHex(tx.signature.toU8a()).slice(2);
      const flipped = sig.slice(0, 10) + (sig[10] === "0" ? "1" : "0") + sig.slice(11);
      const bad = hex.replace(sig, flipped);
      assert.notEqual(bad, hex);
      await assert.rejects(
        api.rpc.author.submitExtrinsic(bad),
        /1010: Invalid Transaction: Transaction has a bad signature/,
      );
      const raw = new WsProvider(chain.url);
      await raw.isReady;
      await assert.rejects(
        raw.send("author_submitExtrinsic", ["0x1234"]),
        /1001: Extrinsic has invalid format/,
      );
      await raw.disconnect();
    });

    await t.step(
      "a call the local chain does not model is refused by the pool, not faked",
      async () => {
        await assert.rejects(
          submit(s, api.tx.balances.transferKeepAlive(keys.bob.address, 1000), keys.alice),
          /1010: Invalid Transaction: Transaction call is not expected/,
        );
      },
    );

    await t.step("a stale nonce is rejected as outdated", async () => {
      const tx = api.tx.subtensorModule.setWeights(1, [miner], [1], 10);
      await tx.signAsync(keys.alice, { nonce: 0 });
      await assert.rejects(api.rpc.author.submitExtrinsic(tx.toHex()), /Transaction is outdated/);
    });
  } finally {
    await s.close();
  }
});
