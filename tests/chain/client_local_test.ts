/**
 * The subtensor client against the local chain (`chain/local`, manual blocks, real metadata):
 * metagraph round trip, serve_axon, weights accepted and refused (by our pre-checks and, with
 * them skipped, by the chain: mapped by name), a timelocked commit revealed by the chain, a
 * dropped connection recovered, an unreachable endpoint reported.
 */
import assert from "node:assert/strict";
import { type LocalChain, startLocalChain } from "../../chain/local/mod.ts";
import {
  ChainUnavailableError,
  DispatchFailedError,
  type Metagraph,
  SubtensorClient,
  TransactionRejectedError,
} from "../../chain/mod.ts";
import { Keypair } from "../../wallet/keypair.ts";

const METADATA =
  new URL("../../../shared/chain/subtensor-metadata-v16.scale", import.meta.url).pathname;

async function key(i: number): Promise<Keypair> {
  const seed = new Uint8Array(32);
  seed.fill(i);
  return await Keypair.fromSeed(seed);
}

/** Awaits `p` while producing a block whenever an extrinsic waits in the pool (manual mode). */
async function land<T>(chain: LocalChain, p: Promise<T>): Promise<T> {
  let settled = false;
  p.then(() => settled = true, () => settled = true);
  while (!settled) {
    if (chain.pendingExtrinsics() > 0) await chain.advanceBlocks(1);
    await new Promise((r) => setTimeout(r, 10));
  }
  return await p;
}

async function start() {
  const chain = await startLocalChain({ metadataPath: METADATA, blockTimeMs: 0 });
  const client = await SubtensorClient.connect({
    chainEndpoint: chain.url,
    callTimeoutMs: 15_000,
    inclusionTimeoutMs: 30_000,
    reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
  });
  return {
    chain,
    client,
    async close() {
      await client.close();
      await chain.close();
    },
  };
}

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "metagraph round trip, registration check, serve_axon and read back",
  ...opts,
  fn: async () => {
    const { chain, client, close } = await start();
    try {
      const owner = await key(1), vali = await key(2), miner = await key(3), cold = await key(9);
      chain.createSubnet(1, { owner: { coldkey: cold.ss58Address, hotkey: owner.ss58Address } });
      const uo = chain.registerNeuron(1, owner.ss58Address, cold.ss58Address);
      const uv = chain.registerNeuron(1, vali.ss58Address, cold.ss58Address, {
        stakeRao: 5_000_000_000n,
        validatorPermit: true,
      });
      const um = chain.registerNeuron(1, miner.ss58Address, cold.ss58Address);
      await chain.advanceBlocks(2);
      assert.equal(await client.uidOf(1, vali.ss58Address), uv);
      assert.equal(await client.uidOf(1, (await key(77)).ss58Address), null);

      const mg: Metagraph = await client.metagraph(1);
      assert.equal(mg.block, chain.blockNumber());
      assert.equal(mg.n, 3);
      const snap = chain.neurons(1);
      for (const nr of snap) {
        assert.equal(mg.hotkeys[nr.uid], nr.hotkey);
        assert.equal(mg.coldkeys[nr.uid], nr.coldkey);
        assert.equal(mg.validatorPermit[nr.uid], nr.validatorPermit);
        assert.equal(mg.incentive[nr.uid], nr.incentive / 65535);
      }
      assert.equal(mg.stakeRao[uv] >= 5_000_000_000n, true);
      assert.equal(mg.stake[uv], Number(mg.stakeRao[uv]) / 1e9);
      assert.equal(mg.ownerHotkey, owner.ss58Address);
      assert.equal(mg.ownerUid, uo);
      assert.equal(typeof mg.hyperparameters.tempo, "number");

      const served = await land(
        chain,
        client.serveAxon(miner, { netuid: 1, ip: "203.0.113.9", port: 8091 }),
      );
      assert.equal(served.status, "served");
      if (served.status === "served") {
        assert.ok(served.inclusion.events.some((e) => e.method === "AxonServed"));
        assert.equal(typeof served.inclusion.blockNumber, "number");
      }
      const after = await client.metagraph(1);
      assert.deepEqual(
        {
          ip: after.axons[um].ip,
          port: after.axons[um].port,
          ipType: after.axons[um].ipType,
          protocol: after.axons[um].protocol,
        },
        { ip: "203.0.113.9", port: 8091, ipType: 4, protocol: 4 },
      );
      const again = await client.serveAxon(miner, { netuid: 1, ip: "203.0.113.9", port: 8091 });
      assert.equal(again.status, "unchanged");
      // a new port right away hits ServingRateLimit: the pool's custom error 12, named
      await assert.rejects(
        () => land(chain, client.serveAxon(miner, { netuid: 1, ip: "203.0.113.9", port: 8092 })),
        (e: unknown) =>
          e instanceof TransactionRejectedError && e.reason === "ServingRateLimitExceeded",
      );
      const stranger = await client.serveAxon(await key(78), {
        netuid: 1,
        ip: "203.0.113.9",
        port: 1,
      });
      assert.equal(stranger.status, "not_registered");
    } finally {
      await close();
    }
  },
});

Deno.test({
  name: "burned_register: coldkey pays, uid assigned; second time already registered",
  ...opts,
  fn: async () => {
    const { chain, client, close } = await start();
    try {
      const cold = await key(20), hot = await key(21);
      chain.createSubnet(4);
      chain.fund(cold.ss58Address, 1_000_000_000_000n);
      await chain.advanceBlocks(1);
      const r = await land(chain, client.burnedRegister(cold, 4, hot.ss58Address));
      assert.equal(r.status, "registered");
      const uid = await client.uidOf(4, hot.ss58Address);
      assert.equal(r.status === "registered" && r.uid, uid);
      const again = await client.burnedRegister(cold, 4, hot.ss58Address);
      assert.deepEqual(again, { status: "already_registered", uid });
      const poor = await key(22);
      const refused = await client.burnedRegister(poor, 4, (await key(23)).ss58Address);
      assert.equal(refused.status === "refused" && refused.reason, "balance");
    } finally {
      await close();
    }
  },
});

Deno.test({
  name: "set weights: accepted, then refused for rate limit, version key, unregistered, no permit",
  ...opts,
  fn: async () => {
    const { chain, client, close } = await start();
    try {
      const netuid = 2;
      const vali = await key(2), miner = await key(3), other = await key(4), cold = await key(9);
      chain.createSubnet(netuid, {
        commitReveal: false,
        weightsRateLimit: 5,
        weightsVersionKey: 3,
        minAllowedWeights: 1,
      });
      const uv = chain.registerNeuron(netuid, vali.ss58Address, cold.ss58Address, {
        stakeRao: 10n ** 12n,
        validatorPermit: true,
      });
      const um = chain.registerNeuron(netuid, miner.ss58Address, cold.ss58Address);
      const uo = chain.registerNeuron(netuid, other.ss58Address, cold.ss58Address);
      await chain.advanceBlocks(2);

      const ok = await land(
        chain,
        client.setWeights(vali, { netuid, uids: [um, uo], weights: [0.25, 0.75], versionKey: 3 }),
      );
      assert.equal(ok.status, "included");
      if (ok.status !== "included") return;
      assert.equal(ok.commitReveal, false);
      assert.equal(ok.call, "set_mechanism_weights");
      assert.deepEqual(ok.weights, [21845, 65535]);
      assert.ok(ok.inclusion.events.some((e) => e.method === "WeightsSet"));
      assert.deepEqual(chain.weights(netuid, uv).sort((a, b) => a[0] - b[0]), [[um, 21845], [
        uo,
        65535,
      ]]);

      // rate limit: our pre-check answers "not now" with the blocks left...
      const rl = await client.setWeights(vali, { netuid, uids: [um], weights: [1], versionKey: 3 });
      assert.equal(rl.status, "not_now");
      assert.ok(rl.status === "not_now" && rl.blocksLeft > 0 && rl.blocksLeft <= 6);
      // ...and the chain agrees when asked anyway (pool custom error 6, named)
      await assert.rejects(
        () =>
          land(
            chain,
            client.setWeights(vali, {
              netuid,
              uids: [um],
              weights: [1],
              versionKey: 3,
              skipChecks: true,
            }),
          ),
        (e: unknown) =>
          e instanceof TransactionRejectedError && e.code === 6 && e.reason === "RateLimitExceeded",
      );
      await chain.advanceBlocks(6);

      // version key below WeightsVersionKey
      const vk = await client.setWeights(vali, { netuid, uids: [um], weights: [1], versionKey: 2 });
      assert.equal(vk.status === "refused" && vk.reason, "version_key");
      await assert.rejects(
        () =>
          land(
            chain,
            client.setWeights(vali, {
              netuid,
              uids: [um],
              weights: [1],
              versionKey: 2,
              skipChecks: true,
            }),
          ),
        (e: unknown) => chainSays(e, "IncorrectWeightVersionKey"),
      );

      // unregistered hotkey
      const stranger = await key(50);
      const ur = await client.setWeights(stranger, {
        netuid,
        uids: [um],
        weights: [1],
        versionKey: 3,
      });
      assert.equal(ur.status === "refused" && ur.reason, "not_registered");
      await assert.rejects(
        () =>
          land(
            chain,
            client.setWeights(stranger, {
              netuid,
              uids: [um],
              weights: [1],
              versionKey: 3,
              skipChecks: true,
            }),
          ),
        (e: unknown) =>
          (e instanceof TransactionRejectedError && (e.code === 10 || e.code === 19)) ||
          (e instanceof DispatchFailedError && e.error === "HotKeyNotRegisteredInSubNet"),
      );

      // no validator permit (weights on others)
      const np = await client.setWeights(miner, {
        netuid,
        uids: [uo],
        weights: [1],
        versionKey: 3,
      });
      assert.equal(np.status === "refused" && np.reason, "no_permit");
      await assert.rejects(
        () =>
          land(
            chain,
            client.setWeights(miner, {
              netuid,
              uids: [uo],
              weights: [1],
              versionKey: 3,
              skipChecks: true,
            }),
          ),
        (e: unknown) => chainSays(e, "NeuronNoValidatorPermit"),
      );

      // all-zero weights: nothing to submit
      const z = await client.setWeights(vali, { netuid, uids: [um], weights: [0], versionKey: 3 });
      assert.equal(z.status === "refused" && z.reason, "no_weights");
    } finally {
      await close();
    }
  },
});

/**
 * The chain's refusal for `name`: subtensor's pool maps IncorrectWeightVersionKey and
 * NeuronNoValidatorPermit to BadRequest (255), so only our pre-check can name them; a chain that
 * lets them through to dispatch fails with the named module error.
 */
function chainSays(e: unknown, name: string): boolean {
  if (e instanceof DispatchFailedError) return e.error === name;
  return e instanceof TransactionRejectedError && e.code === 255 && e.reason === "BadRequest";
}

Deno.test({
  name: "commit-reveal on: timelocked commit for the chain's beacon, revealed weights read back",
  ...opts,
  fn: async () => {
    const { chain, client, close } = await start();
    try {
      const netuid = 3;
      const vali = await key(2), m1 = await key(3), m2 = await key(4), cold = await key(9);
      chain.createSubnet(netuid, {
        tempo: 10,
        commitReveal: true,
        minAllowedWeights: 1,
        weightsRateLimit: 0,
      });
      const uv = chain.registerNeuron(netuid, vali.ss58Address, cold.ss58Address, {
        stakeRao: 10n ** 12n,
        validatorPermit: true,
      });
      const u1 = chain.registerNeuron(netuid, m1.ss58Address, cold.ss58Address);
      const u2 = chain.registerNeuron(netuid, m2.ss58Address, cold.ss58Address);
      await chain.advanceBlocks(3);

      const r = await land(
        chain,
        client.setWeights(vali, { netuid, uids: [u1, u2], weights: [1, 3] }),
      );
      assert.equal(r.status, "included");
      if (r.status !== "included") return;
      assert.equal(r.commitReveal, true);
      assert.equal(r.call, "commit_timelocked_mechanism_weights");
      assert.ok(r.revealRound! >= Number(chain.lastStoredRound()));
      assert.ok(r.inclusion.events.some((e) => e.method === "TimelockedWeightsCommitted"));
      assert.deepEqual(chain.weights(netuid, uv), []);
      // advance through the reveal epoch: the chain decrypts with its own beacon's pulse
      for (let i = 0; i < 40 && chain.weights(netuid, uv).length === 0; i++) {
        await chain.advanceBlocks(1);
      }
      assert.deepEqual(chain.weights(netuid, uv).sort((a, b) => a[0] - b[0]), [[u1, 21845], [
        u2,
        65535,
      ]]);
    } finally {
      await close();
    }
  },
});

Deno.test({
  name: "a dropped connection is recovered; an unreachable endpoint is a typed error",
  ...opts,
  fn: async () => {
    const { chain, client, close } = await start();
    try {
      const before = await client.currentBlock();
      chain.dropConnections();
      await chain.advanceBlocks(1);
      const after = await client.currentBlock(); // waits for the reconnect within its deadline
      assert.equal(after, before + 1);
      assert.ok(client.isConnected);
    } finally {
      await close();
    }
    // nothing listens there any more
    await assert.rejects(
      () =>
        SubtensorClient.connect({
          chainEndpoint: chain.url,
          connectTimeoutMs: 1500,
          reconnect: { initialDelayMs: 50 },
        }),
      ChainUnavailableError,
    );
  },
});
