// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { ApiPromise, WsProvider } from "@polkadot/api";
import { u8aToHex } from "@polkadot/util";
import { decodeAddress } from "@polkadot/util-crypto";
import { fetchMetadata, startLocalChain } from "../../chain/local/mod.ts";
import { METADATA_PATH, setup } from "./local_chain_helpers.ts";

async function rawRpc(url: string, frames: string[]): Promise<unknown[]> {
  const ws = new WebSocket(url);
  const out: unknown[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.onerror = () => reject(new Error("ws error"));
    ws.onopen = () => frames.forEach((f) => ws.send(f));
    ws.onmessage = (ev) => {
      out.push(JSON.parse(String(ev.data)));
      if (out.length === frames.length) resolve();
    };
  });
  ws.close();
  await new Promise((r) => setTimeout(r, 10));
  return out;
}

Deno.test("local chain: @polkadot/api connects and reads storage and runtime APIs", async (t) => {
  const s = await setup();
  const { chain, keys } = s;
  const api = s.api as any;
  try {
    chain.createSubnet(1, {
      tempo: 10,
      commitReveal: false,
      weightsVersionKey: 7,
      owner: { coldkey: keys.ferdie.address, hotkey: keys.eve.address },
    });
    chain.fund(keys.alice.address, 5_000_000_000n);
    const uidA = chain.registerNeuron(1, keys.alice.address, keys.bob.address, {
      stakeRao: 2_000_000_000_000n,
      validatorPermit: true,
    });
    const uidC = chain.registerNeuron(1, keys.charlie.address, keys.dave.address);
    await chain.advanceBlocks(2);

    await t.step("runtime version and chain properties come from the metadata", () => {
      assert.equal(api.runtimeVersion.specName.toString(), "node-subtensor");
      assert.ok(api.runtimeVersion.specVersion.toNumber() > 300);
      assert.equal(api.registry.chainSS58, 42);
      assert.deepEqual(api.registry.chainDecimals, [9]);
      assert.deepEqual(api.registry.chainTokens, ["TAO"]);
      assert.ok(api.call.neuronInfoRuntimeApi?.getNeuronsLite, "runtime APIs are exposed");
    });

    await t.step("storage queries decode with the metadata types", async () => {
      assert.equal(
        (await api.query.subtensorModule.uids(1, keys.alice.address)).toString(),
        String(uidA),
      );
      assert.equal((await api.query.subtensorModule.uids(1, keys.eve.address)).isNone, true);
      assert.equal(
        (await api.query.subtensorModule.keys(1, uidC)).toString(),
        keys.charlie.address,
      );
      assert.equal((await api.query.subtensorModule.subnetworkN(1)).toNumber(), 2);
      assert.equal((await api.query.subtensorModule.tempo(1)).toNumber(), 10);
      assert.equal((await api.query.subtensorModule.weightsVersionKey(1)).toString(), "7");
      assert.equal((await api.query.subtensorModule.commitRevealWeightsEnabled(1)).isTrue, false);
      assert.equal(
        (await api.query.subtensorModule.subnetOwnerHotkey(1)).toString(),
        keys.eve.address,
      );
      assert.equal(
        (await api.query.subtensorModule.totalHotkeyAlpha(keys.alice.address, 1)).toString(),
        "2000000000000",
      );
      assert.deepEqual((await api.query.subtensorModule.validatorPermit(1)).toJSON(), [
        true,
        false,
      ]);
      assert.equal(
        (await api.query.subtensorModule.owner(keys.charlie.address)).toString(),
        keys.dave.address,
      );
      // Metadata default for a subnet that does not exist (ValueQuery).
      assert.equal((await api.query.subtensorModule.weightsSetRateLimit(99)).toNumber(), 100);
      const acct = await api.query.system.account(keys.alice.address);
      assert.equal(acct.data.free.toString(), "5000000000");
      assert.equal(acct.nonce.toNumber(), 0);
      assert.equal((await api.query.system.number()).toNumber(), 2);
      const now = (await api.query.timestamp.now()).toNumber();
      assert.equal(now, chain.timestampMs());
      const entries = await api.query.subtensorModule.keys.entries(1);
      assert.equal(entries.length, 2);
    });

    await t.step("drand storage holds the local beacon's key and pulses", async () => {
      const cfg = await api.query.drand.beaconConfig();
      assert.equal((cfg as any).publicKey.toHex(), u8aToHex(chain.beaconPublicKey));
      const last = (await api.query.drand.lastStoredRound()).toBigInt();
      assert.equal(last, chain.lastStoredRound());
      const pulse = (await api.query.drand.pulses(last)) as any;
      assert.equal(pulse.unwrap().round.toBigInt(), last);
      assert.equal(pulse.unwrap().signature.length, 48);
    });

    await t.step(
      "get_neurons_lite, get_neuron_lite, metagraph, subnet state, hyperparams",
      async () => {
        const lite = await api.call.neuronInfoRuntimeApi.getNeuronsLite(1);
        assert.equal(lite.length, 2);
        assert.equal(lite[0].hotkey.toString(), keys.alice.address);
        assert.equal(lite[0].coldkey.toString(), keys.bob.address);
        assert.equal(lite[0].validatorPermit.isTrue, true);
        assert.equal(lite[0].stake[0][1].toString(), "2000000000000");
        assert.equal(lite[1].uid.toNumber(), 1);
        const one = await api.call.neuronInfoRuntimeApi.getNeuronLite(1, 1);
        assert.equal(one.unwrap().hotkey.toString(), keys.charlie.address);
        assert.equal((await api.call.neuronInfoRuntimeApi.getNeuronLite(1, 9)).isNone, true);
        const call = api.call.subnetInfoRuntimeApi as any;
        const mg = (await call.getMetagraph(1)).unwrap();
        assert.equal(mg.numUids.toNumber(), 2);
        assert.equal(mg.hotkeys[1].toString(), keys.charlie.address);
        assert.equal(mg.weightsVersion.toString(), "7");
        const state = (await call.getSubnetState(1)).unwrap();
        assert.equal(state.alphaStake[0].toString(), "2000000000000");
        const hp = (await call.getSubnetHyperparamsV2(1)).unwrap();
        assert.equal(hp.tempo.toNumber(), 10);
        assert.equal(hp.commitRevealWeightsEnabled.isTrue, false);
        assert.equal((await call.getMetagraph(42)).isNone, true);
      },
    );

    await t.step(
      "unknown method is -32601, malformed JSON is -32700, and the server survives",
      async () => {
        const out = await rawRpc(chain.url, [
          JSON.stringify({ jsonrpc: "2.0", id: 1, method: "no_suchMethod", params: [] }),
          "{not json",
          JSON.stringify({
            jsonrpc: "2.0",
            id: 3,
            method: "state_call",
            params: ["Nope_nothing", "0x"],
          }),
        ]);
        const byId = (id: unknown) => out.find((m: any) => m.id === id) as any;
        assert.equal(byId(1).error.code, -32601);
        assert.equal(byId(null).error.code, -32700);
        assert.ok(byId(3).error);
        assert.equal((await api.query.subtensorModule.subnetworkN(1)).toNumber(), 2);
      },
    );

    await t.step("two clients at once, and a client reconnects after dropConnections", async () => {
      const api2: any = await ApiPromise.create({
        provider: new WsProvider(chain.url),
        noInitWarn: true,
      });
      assert.equal((await api2.query.subtensorModule.subnetworkN(1)).toNumber(), 2);
      const disconnected = new Promise<void>((r) => api.once("disconnected", () => r()));
      const reconnected = new Promise<void>((r) => api.once("connected", () => r()));
      chain.dropConnections();
      await disconnected;
      await reconnected;
      await chain.advanceBlocks(1);
      assert.equal((await api.query.system.number()).toNumber(), 3);
      assert.equal((await api2.query.system.number()).toNumber(), 3);
      await api2.disconnect();
    });

    await t.step("a new-heads subscription sees produced blocks", async () => {
      const seen: number[] = [];
      const unsub = await api.rpc.chain.subscribeNewHeads((h: any) => {
        seen.push(h.number.toNumber());
      });
      await chain.advanceBlocks(2);
      await new Promise((r) => setTimeout(r, 30));
      unsub();
      assert.ok(seen.includes(chain.blockNumber()), `saw ${seen}`);
    });
  } finally {
    await s.close();
  }
});

Deno.test("local chain: metadata is fetched once from an endpoint and then cached", async () => {
  const source = await startLocalChain({ metadataPath: METADATA_PATH, blockTimeMs: 0 });
  const cacheDir = await Deno.makeTempDir();
  try {
    const first = await fetchMetadata(source.url, { cacheDir });
    assert.equal(first.fromCache, false);
    assert.deepEqual(first.bytes, await Deno.readFile(METADATA_PATH));
    assert.ok(first.path.startsWith(cacheDir) && first.path.endsWith(".scale"));
    const second = await fetchMetadata(source.url, { cacheDir });
    assert.equal(second.fromCache, true);
    assert.equal(second.path, first.path);
    const copy = await startLocalChain({ metadataBytes: second.bytes, blockTimeMs: 0 });
    const api = await ApiPromise.create({ provider: new WsProvider(copy.url), noInitWarn: true });
    assert.equal(
      api.runtimeVersion.specVersion.toNumber(),
      (await source.engine.codec.version).specVersion,
    );
    await api.disconnect();
    await copy.close();
    await assert.rejects(fetchMetadata("ws://127.0.0.1:1", { cacheDir, timeoutMs: 2000 }));
  } finally {
    await source.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("local chain: timer mode produces blocks by itself", async () => {
  const chain = await startLocalChain({ metadataPath: METADATA_PATH, blockTimeMs: 20 });
  try {
    const start = chain.blockNumber();
    while (chain.blockNumber() < start + 3) await new Promise((r) => setTimeout(r, 10));
    assert.ok(chain.blockNumber() >= start + 3);
    void decodeAddress;
  } finally {
    await chain.close();
  }
});
