// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import init, { tld, tle } from "@ideallabs/timelock_wasm_wrapper";
import { hexToU8a, u8aToHex } from "@polkadot/util";
import { LocalBeacon, QUICKNET_GENESIS_TIME, roundMessage } from "../../chain/local/mod.ts";
import { setup, submit } from "./local_chain_helpers.ts";

const QUICKNET = JSON.parse(
  await Deno.readTextFile(new URL("../../../shared/vectors/drand/quicknet.json", import.meta.url)),
);

Deno.test("local beacon is a quicknet-style beacon: tle for its key decrypts with its round signature", async () => {
  await init();
  // Same identity as quicknet (sha256 of the round, u64 big-endian).
  for (const p of QUICKNET.pulses.slice(0, 3)) {
    assert.equal(Buffer.from(roundMessage(BigInt(p.round))).toString("hex"), p.identity);
  }
  const beacon = new LocalBeacon();
  const round = 1234567n;
  const pulse = beacon.pulse(round);
  assert.equal(pulse.signature.length, 48);
  assert.equal(beacon.publicKey.length, 96);
  assert.ok(beacon.verify(round, pulse.signature));
  assert.ok(!beacon.verify(round + 1n, pulse.signature));
  const msg = new TextEncoder().encode("weights payload");
  const ct = new Uint8Array(
    tle(
      roundMessage(round),
      msg,
      crypto.getRandomValues(new Uint8Array(32)),
      beacon.publicKey,
      "bls12_381",
    ),
  );
  assert.equal(ct.length, 244 + msg.length);
  assert.deepEqual(new Uint8Array(tld(ct, pulse.signature, "bls12_381")), msg);
  assert.throws(() => tld(ct, beacon.pulse(round + 1n).signature, "bls12_381"));
  // A different seed is a different beacon: its signature does not open the ciphertext.
  assert.throws(() =>
    tld(ct, new LocalBeacon(new Uint8Array([9])).pulse(round).signature, "bls12_381")
  );
});

/** The SDK-era reveal_round formula (bittensor-drand generate_commit), with the chain's clock. */
function revealRound(
  block: number,
  netuid: number,
  tempo: number,
  period: number,
  nowS: number,
  blockTimeS: number,
): bigint {
  const curEpoch = Math.floor((block + netuid + 1) / (tempo + 1));
  const revealEpoch = curEpoch + period;
  const firstRevealBlk = revealEpoch * (tempo + 1) - (netuid + 1);
  const target = firstRevealBlk + 3;
  const secs = (target - block) * blockTimeS;
  return BigInt(Math.max(1, Math.floor((nowS + secs - QUICKNET_GENESIS_TIME) / 3)));
}

Deno.test("local chain: a timelocked commit is revealed at its reveal epoch and the weights appear", async () => {
  await init();
  const s = await setup();
  const { chain, keys } = s;
  const api = s.api as any;
  try {
    const netuid = 2;
    chain.createSubnet(netuid, {
      tempo: 10,
      commitReveal: true,
      minAllowedWeights: 1,
      weightsVersionKey: 3,
    });
    const vali = chain.registerNeuron(netuid, keys.alice.address, keys.bob.address, {
      stakeRao: 10n ** 12n,
      validatorPermit: true,
    });
    const m1 = chain.registerNeuron(netuid, keys.charlie.address, keys.dave.address);
    const m2 = chain.registerNeuron(netuid, keys.eve.address, keys.dave.address);
    await chain.advanceBlocks(3);

    const revealed: number[] = [];
    const unsub = await api.query.system.events((evs: any) => {
      for (const e of evs) {
        if (e.event.method === "TimelockedWeightsRevealed") revealed.push(chain.blockNumber());
      }
    });

    // Client side, as the SDK does it: hyperparams from the runtime API, chain time, beacon key from storage.
    const hp = (await api.call.subnetInfoRuntimeApi.getSubnetHyperparamsV2(netuid)).unwrap();
    const tempo = hp.tempo.toNumber();
    const period = hp.commitRevealPeriod.toNumber();
    const block = (await api.query.system.number()).toNumber();
    const nowS = (await api.query.timestamp.now()).toNumber() / 1000;
    const round = revealRound(block, netuid, tempo, period, nowS, 12);
    const pk = hexToU8a((await api.query.drand.beaconConfig()).publicKey.toHex());
    const payload = api.registry.createType("(Vec<u8>, Vec<u16>, Vec<u16>, u64)", [
      u8aToHex(keys.alice.publicKey),
      [m1, m2],
      [1000, 3000],
      3,
    ]).toU8a();
    const ct = new Uint8Array(
      tle(
        roundMessage(round),
        payload,
        crypto.getRandomValues(new Uint8Array(32)),
        pk,
        "bls12_381",
      ),
    );

    const r = await submit(
      s,
      api.tx.subtensorModule.commitTimelockedWeights(netuid, u8aToHex(ct), round, 4),
      keys.alice,
    );
    assert.deepEqual(r.events, [
      "subtensorModule.TimelockedWeightsCommitted",
      "system.ExtrinsicSuccess",
    ]);
    const commitBlock = chain.blockNumber();
    const commitEpoch = Math.floor((commitBlock + netuid + 1) / (tempo + 1));
    const stored = await api.query.subtensorModule.timelockedWeightCommits(netuid, commitEpoch);
    assert.equal(stored.length, 1);
    assert.equal(stored[0][0].toString(), keys.alice.address);
    assert.equal(stored[0][3].toBigInt(), round);
    assert.deepEqual(chain.weights(netuid, vali), []);

    // A reveal round already in the past is refused by the pool (Custom error 15).
    await chain.advanceBlocks(1);
    await assert.rejects(
      submit(
        s,
        api.tx.subtensorModule.commitTimelockedWeights(netuid, u8aToHex(ct), 1, 4),
        keys.alice,
      ),
      /Custom error: 15$/,
    );

    // Nothing before the reveal epoch.
    const firstReveal = (commitEpoch + period) * (tempo + 1) - (netuid + 1);
    while (chain.blockNumber() < firstReveal - 1) await chain.advanceBlocks(1);
    assert.deepEqual(chain.weights(netuid, vali), []);
    // Within the reveal epoch the pulse arrives and the chain reveals by itself.
    while (chain.blockNumber() < firstReveal + tempo && chain.weights(netuid, vali).length === 0) {
      await chain.advanceBlocks(1);
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(chain.weights(netuid, vali), [[m1, 21845], [m2, 65535]]);
    const revealBlock = chain.blockNumber();
    assert.ok(
      revealBlock >= firstReveal && revealBlock < firstReveal + tempo + 1,
      `revealed at ${revealBlock}`,
    );
    assert.ok(revealed.includes(revealBlock), `event seen at ${revealed}`);
    assert.deepEqual((await api.query.subtensorModule.weights(netuid, vali)).toJSON(), [
      [m1, 21845],
      [m2, 65535],
    ]);
    assert.equal(
      (await api.query.subtensorModule.timelockedWeightCommits(netuid, commitEpoch)).length,
      0,
    );
    unsub();
  } finally {
    await s.close();
  }
});

Deno.test("local chain: a commit whose payload names another hotkey is dropped", async () => {
  await init();
  const s = await setup();
  const { chain, keys } = s;
  const api = s.api as any;
  try {
    chain.createSubnet(3, {
      tempo: 5,
      commitReveal: true,
      minAllowedWeights: 1,
      weightsRateLimit: 0,
    });
    const vali = chain.registerNeuron(3, keys.alice.address, keys.bob.address, {
      stakeRao: 10n ** 12n,
      validatorPermit: true,
    });
    const m1 = chain.registerNeuron(3, keys.charlie.address, keys.dave.address);
    await chain.advanceBlocks(1);
    const round = chain.lastStoredRound() + 4n;
    const payload = api.registry.createType("(Vec<u8>, Vec<u16>, Vec<u16>, u64)", [
      u8aToHex(keys.bob.publicKey),
      [m1],
      [1],
      0,
    ]).toU8a();
    const ct = new Uint8Array(
      tle(
        roundMessage(round),
        payload,
        crypto.getRandomValues(new Uint8Array(32)),
        chain.beaconPublicKey,
        "bls12_381",
      ),
    );
    const r = await submit(
      s,
      api.tx.subtensorModule.commitTimelockedMechanismWeights(3, 0, u8aToHex(ct), round, 4),
      keys.alice,
    );
    assert.equal(r.error, undefined);
    await chain.advanceBlocks(20);
    assert.deepEqual(chain.weights(3, vali), []);
    // The legacy payload (no hotkey) is accepted. (Two uids, so it cannot also parse as the new layout.)
    const legacy = api.registry.createType("(Vec<u16>, Vec<u16>, u64)", [[m1, vali], [2, 1], 0])
      .toU8a();
    const round2 = chain.lastStoredRound() + 4n;
    const ct2 = new Uint8Array(
      tle(
        roundMessage(round2),
        legacy,
        crypto.getRandomValues(new Uint8Array(32)),
        chain.beaconPublicKey,
        "bls12_381",
      ),
    );
    assert.equal(
      (await submit(
        s,
        api.tx.subtensorModule.commitTimelockedWeights(3, u8aToHex(ct2), round2, 4),
        keys.alice,
      )).error,
      undefined,
    );
    await chain.advanceBlocks(20);
    assert.deepEqual(chain.weights(3, vali), [[m1, 65535], [vali, 32768]]);
    // Wrong commit-reveal version fails in dispatch.
    const bad = await submit(
      s,
      api.tx.subtensorModule.commitTimelockedWeights(
        3,
        u8aToHex(ct2),
        chain.lastStoredRound() + 4n,
        3,
      ),
      keys.alice,
    );
    assert.equal(bad.error, "subtensorModule.IncorrectCommitRevealVersion");
  } finally {
    await s.close();
  }
});
