/**
 * The whole subnet in one test: local chain with a subnet, the conversation store, six honest
 * miners (ours, on the offline provider through the fake OpenAI server) plus a miner that times
 * out, one that answers garbage and one that answers 50 MB, and the validator on actors.
 */
import assert from "node:assert/strict";
import { type LocalSubnet, startLocalSubnet } from "../../local_subnet/local_subnet.ts";
import { startStore } from "../../store/mod.ts";
import { loadState } from "../../validator/state.ts";
import { Validator, type ValidatorEvent } from "../../validator/validator.ts";
import type { MinerTaskScore } from "../../validator/score_task.ts";

const SHARED_DATA =
  new URL("../../../shared/data/facebook-chat-data.json", import.meta.url).pathname;

async function subnet(dataDir: string, opts: { commitReveal?: boolean; bad?: boolean } = {}) {
  return await startLocalSubnet({
    dataDir,
    miners: [
      "honest",
      "honest",
      "honest",
      "honest",
      "honest",
      "honest",
      ...(opts.bad ? (["timeout", "garbage", "huge"] as const) : []),
    ],
    commitReveal: opts.commitReveal,
    storeImports: [SHARED_DATA],
    tempo: 10,
    weightsRateLimit: 3,
    validator: {
      sampleSize: 9,
      timeoutS: 3,
      bundlesPerStep: 2,
      tasksPerBundle: 2,
      minimumTasks: 2,
      concurrentTasks: 2,
      poolSize: 2,
    },
  });
}

function collect(v: Validator) {
  const events: ValidatorEvent[] = [];
  v.on((e) => events.push(e));
  const scores = () =>
    events.flatMap((e) => (e.type === "task" ? e.scores : [])) as MinerTaskScore[];
  return { events, scores };
}

Deno.test({
  name:
    "mock subnet: windows reach miners, scores, moving averages, weights on chain, records, state",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "cgp-e2e-" });
    const s: LocalSubnet = await subnet(dir, { bad: true });
    // Records go to a second server on the same database (upstream's separate write host), so
    // the write side can fail while reservations still work.
    let writeStore = await startStore({
      db: `sqlite:${dir}/store.sqlite`,
      port: 0,
      requireApiKey: false,
    });
    const v = new Validator({
      ...s.validatorConfig,
      store: { ...s.validatorConfig.store, writeUrl: writeStore.url },
    });
    const { events, scores } = collect(v);
    try {
      await v.start();
      const report = await v.step();

      await t.step("windows reach miners and every queried miner gets a score", () => {
        assert.ok(report.ok, String(report.reason));
        assert.ok(report.scored >= 2);
        const honest = new Set(s.miners.filter((m) => m.behaviour === "honest").map((m) => m.uid));
        const got = scores();
        assert.ok(
          got.some((x) => honest.has(x.uid) && x.status === 200 && x.originalTags.length > 0),
        );
        assert.ok(got.some((x) => honest.has(x.uid) && x.reward > 0), "honest miners earn");
      });

      await t.step(
        "a timing-out, a garbage and a 50 MB miner score zero without disturbing others",
        () => {
          const byBehaviour = new Map(s.miners.map((m) => [m.uid, m.behaviour]));
          const bad = scores().filter((x) =>
            byBehaviour.get(x.uid) !== "honest" && byBehaviour.has(x.uid)
          );
          assert.ok(bad.length >= 3, "bad miners were queried");
          for (const x of bad) assert.equal(x.reward, 0, `${byBehaviour.get(x.uid)} uid ${x.uid}`);
          const timeout = bad.find((x) => byBehaviour.get(x.uid) === "timeout");
          assert.equal(timeout?.status, 408);
          const huge = bad.find((x) => byBehaviour.get(x.uid) === "huge");
          assert.ok(huge && huge.status !== 200, `huge answer refused (status ${huge?.status})`);
          const garbage = bad.find((x) => byBehaviour.get(x.uid) === "garbage");
          assert.ok(garbage && garbage.originalTags.length === 0);
        },
      );

      await t.step("moving averages changed and the state is on disk", async () => {
        const state = await loadState(s.validatorConfig.statePath);
        assert.ok(state, "state file written");
        assert.ok(state.ema.some((x) => x > 0), "some moving average rose");
        assert.equal(state.hotkeys.length, s.miners.length + 2);
        assert.ok(state.step >= 1);
      });

      await t.step("weights reach the chain and read back", async () => {
        const w = events.find((e) => e.type === "weights");
        assert.ok(w && w.type === "weights" && w.result.status === "set", JSON.stringify(w));
        const onChain = s.chain.weights(s.netuid, s.validatorUid);
        assert.ok(onChain.length > 0);
        assert.ok(onChain.some(([uid]) => uid === s.ownerUid), "the owner burn is in the weights");
        // after an epoch, incentive follows the weights: the metagraph shows it
        const deadline = Date.now() + 20_000;
        let incentive: number[] = [];
        while (Date.now() < deadline) {
          incentive = (await s.client.metagraph(s.netuid)).incentive;
          if (incentive.some((x) => x > 0)) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        assert.ok(incentive[s.ownerUid] > 0, `owner incentive ${incentive[s.ownerUid]}`);
      });

      await t.step("records land in the store", async () => {
        await v.system.ask("results-writer", "flush", {});
        const stats = await (await fetch(`${writeStore.url}/api/v1/stats`, {
          headers: { authorization: `Bearer ${s.validatorConfig.store.apiKey}` },
        })).json();
        assert.ok(stats.results_by_neuron_type.validator >= 1, JSON.stringify(stats));
        assert.ok(stats.results_by_neuron_type.miner >= 9, JSON.stringify(stats));
      });

      await t.step(
        "the store goes down and comes back: records are spooled, then delivered",
        async () => {
          const port = writeStore.port;
          await writeStore.close();
          const r = await v.step();
          assert.ok(r.scored > 0, "scoring goes on while the store's write host is down");
          const during = await v.system.ask("results-writer", "flush", {}) as {
            pending: number;
            storeUp: boolean;
          };
          assert.ok(during.pending > 0 && !during.storeUp, JSON.stringify(during));
          writeStore = await startStore({
            db: `sqlite:${dir}/store.sqlite`,
            port,
            requireApiKey: false,
          });
          const deadline = Date.now() + 30_000;
          let left = during.pending;
          while (Date.now() < deadline) {
            left =
              (await v.system.ask("results-writer", "flush", {}) as { pending: number }).pending;
            if (left === 0) break;
            await new Promise((r) => setTimeout(r, 200));
          }
          assert.equal(left, 0, "every spooled record delivered");
        },
      );

      await t.step(
        "the chain connection drops: the validator reconnects and keeps working",
        async () => {
          s.chain.dropConnections();
          const r = await v.step();
          assert.ok(r.scored > 0, String(r.reason));
          const view = await v.syncMetagraph();
          assert.ok(view.block > 0);
        },
      );

      await t.step(
        "an actor crashing mid-step is restarted and the step still completes",
        async () => {
          Deno.env.set("CGP_CHAOS_SCORER_CRASH_AT", "1");
          try {
            await v.system.stop("scorer");
            await v.system.spawn({
              name: "scorer",
              actor: (await import("../../validator/actors/scorer.ts")).scorer,
              supervision: { restart: "permanent", maxRestarts: 10, withinMs: 60_000 },
            });
            const crashes: string[] = [];
            const off = v.system.on((e) => e.type === "crashed" && crashes.push(e.actor));
            const r = await v.step();
            off();
            assert.ok(crashes.includes("scorer"), "the scorer crashed");
            assert.ok(r.scored > 0, String(r.reason));
          } finally {
            Deno.env.delete("CGP_CHAOS_SCORER_CRASH_AT");
          }
        },
      );
    } finally {
      await v.stop(5_000);
      await writeStore.close();
      await s.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "mock subnet with commit-reveal: weights are committed, then revealed by the chain",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cgp-e2e-cr-" });
    const s = await subnet(dir, { commitReveal: true });
    const v = new Validator(s.validatorConfig);
    const { events } = collect(v);
    try {
      await v.start();
      const r = await v.step();
      assert.ok(r.ok, String(r.reason));
      const w = events.find((e) => e.type === "weights");
      assert.ok(w && w.type === "weights" && w.result.status === "set", JSON.stringify(w));
      assert.match(w.result.call ?? "", /commit_timelocked/);
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && s.chain.weights(s.netuid, s.validatorUid).length === 0) {
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.ok(s.chain.weights(s.netuid, s.validatorUid).length > 0, "revealed weights on chain");
    } finally {
      await v.stop(5_000);
      await s.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
