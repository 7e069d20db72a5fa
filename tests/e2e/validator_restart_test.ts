/**
 * The validator's resilience promise, tested on the real command (`deno run -A main.ts validator`)
 * against a local subnet: killed at any point, `kill -9` included, in the middle of a step, and
 * restarted with the same flags, it loses at most the step in flight. No moving average goes back
 * to zero, the step counter never goes back, it keeps stepping; and every record spooled while the
 * store's write host was down is delivered after the restart, and the spool drains.
 */
import assert from "node:assert/strict";
import { validatorWalletAndStore } from "../helpers/validator_wallet.ts";
import { NodeProcess } from "../helpers/node_process.ts";
import { isDeepStrictEqual } from "node:util";
import { type LocalSubnet, nextBlock, startLocalSubnet } from "../../local_subnet/local_subnet.ts";
import { type ResultRow, startStore, type StoreServer } from "../../store/mod.ts";
import { recordsOf, type SpooledRecord } from "../../validator/results_spool.ts";
import { loadState, type ValidatorState } from "../../validator/state.ts";
import { Validator, type ValidatorEvent } from "../../validator/validator.ts";
import { Keypair } from "../../wallet/mod.ts";

const TAO = 1_000_000_000n;

/** Polls `probe` until it returns a value; fails naming `what` (with the log) past the deadline. */
async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  opts: { ms?: number; every?: number; v?: NodeProcess } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.ms ?? 180_000);
  for (;;) {
    const v = await probe();
    if (v) return v;
    assert.ok(!opts.v?.exited, `the validator exited while waiting for ${what}:\n${opts.v?.out}`);
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}:\n${opts.v?.out ?? ""}`);
    await new Promise((r) => setTimeout(r, opts.every ?? 200));
  }
}

/** The state on disk; a read that races a rename is retried by the caller's poll. */
async function readState(path: string): Promise<ValidatorState | undefined> {
  try {
    return await loadState(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/**
 * Every uid whose moving average was non-zero in `before` is still non-zero in `after` (a
 * moving average can be negative: nonsense tags can score below zero).
 */
function assertNoneReset(before: ValidatorState, after: ValidatorState, when: string) {
  assert.ok(after.step >= before.step, `${when}: step went back ${before.step} → ${after.step}`);
  for (let uid = 0; uid < before.ema.length; uid++) {
    if (before.ema[uid] === 0) continue;
    assert.equal(after.hotkeys[uid], before.hotkeys[uid], `${when}: uid ${uid} changed hotkey`);
    assert.ok(
      after.ema[uid] !== 0,
      `${when}: the moving average of uid ${uid} was reset (${before.ema[uid]} → ${
        after.ema[uid]
      })`,
    );
  }
}

/** Spooled records now on disk (complete files only: a temp file was never acknowledged). */
async function spooled(dir: string): Promise<Map<string, SpooledRecord>> {
  const out = new Map<string, SpooledRecord>();
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile || !e.name.endsWith(".json")) continue;
      try {
        // spool files hold a task's records; rejected/ files hold `{record, reason}`
        const content = JSON.parse(await Deno.readTextFile(`${dir}/${e.name}`));
        for (const r of recordsOf(content.record ?? content)) out.set(r.id, r);
      } catch (err) {
        // delivered and removed between the listing and the read
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out;
}

/** Every result the store holds under a bundle guid. */
async function resultsOf(store: StoreServer, guid: string): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (let offset = 0;; offset += 1000) {
    const page = await store.repo.listResults({ guid, offset, limit: 1000 });
    rows.push(...page);
    if (page.length < 1000) return rows;
  }
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test({
  name: "validator restart: kill -9 mid-step loses no moving average and no spooled record",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "cgp-validator-restart-" });
    let subnet: LocalSubnet | undefined;
    let store: StoreServer | undefined;
    const running: NodeProcess[] = [];
    try {
      subnet = await startLocalSubnet({
        dataDir: dir,
        llm: "offline",
        miners: ["honest", "honest", "honest", "random_tags"],
        tempo: 10,
        weightsRateLimit: 3,
      });
      const s = subnet;
      const setup = await validatorWalletAndStore(dir, "restart test");
      const made = setup.made;
      store = setup.store;
      const st = store;
      const keyFile = setup.keyFile;
      const cold = await Keypair.generate();
      const uid = s.chain.registerNeuron(s.netuid, made.hotkey.ss58Address, cold.ss58Address, {
        stakeRao: 10_000n * TAO,
        validatorPermit: true,
      });
      await nextBlock(s.chain);
      await waitFor(
        "the registration on chain",
        async () => (await s.client.uidOf(s.netuid, made.hotkey.ss58Address)) === uid,
      );
      const fullPath = `${dir}/validator-state`;
      const statePath = `${fullPath}/state.json`;
      const spoolDir = `${fullPath}/spool`;
      const flags = [
        "--netuid",
        String(s.netuid),
        "--subtensor.chain_endpoint",
        s.chain.url,
        "--wallet.name",
        "validator",
        "--wallet.hotkey",
        "default",
        "--wallet.path",
        `${dir}/wallets`,
        "--neuron.full_path",
        fullPath,
        "--store.url",
        st.url,
        "--store.api_key_file",
        keyFile,
        "--neuron.bundles_per_step",
        "2",
        "--neuron.tasks_per_bundle",
        "2",
        "--neuron.minimum_tasks",
        "2",
        "--neuron.timeout",
        "3",
        "--neuron.epoch_length",
        "3",
        "--actors.pool_size",
        "2",
      ];
      const start = async (extra: string[] = []) => {
        // one validator at a time on this state directory (a failed step may have left one)
        for (const old of running) if (!old.exited) await old.kill9();
        const v = new NodeProcess("validator", [...flags, ...extra]);
        running.push(v);
        return v;
      };

      let lastGood: ValidatorState | undefined;

      await t.step("kill -9 in the middle of a step: no moving average reset", async () => {
        const v1 = await start();
        // a completed step with some moving average above zero
        const first = await waitFor("a first step with a moving average", async () => {
          const x = await readState(statePath);
          return x && x.step >= 1 && x.ema.some((e) => e > 0) ? x : undefined;
        }, { v: v1 });
        // then the next step in flight: a task's scores are saved, the step is not counted yet
        let boundary = first;
        const inFlight = await waitFor("a task of the next step scored", async () => {
          const x = await readState(statePath);
          if (!x) return undefined;
          if (x.step > boundary.step) {
            boundary = x;
            return undefined;
          }
          return x.step === boundary.step && JSON.stringify(x.ema) !== JSON.stringify(boundary.ema)
            ? x
            : undefined;
        }, { v: v1, every: 20 });
        const status = await v1.kill9();
        assert.equal(status.signal, "SIGKILL");
        const onDisk = await loadState(statePath);
        assert.ok(onDisk, "the state file survives kill -9 whole (it parses)");
        assertNoneReset(first, onDisk, "after kill -9");
        assertNoneReset(inFlight, onDisk, "after kill -9 (vs. the step in flight)");

        const v2 = await start();
        const resumed = await waitFor("a step after the restart", async () => {
          const x = await readState(statePath);
          return x && x.step > onDisk.step ? x : undefined;
        }, { v: v2 });
        assertNoneReset(onDisk, resumed, "after the restart");
        assert.match(v2.out, /step \d+: "?ok"?/, v2.out);
        assert.doesNotMatch(v2.out, /hotkeys replaced/, "a restart resets no uid");
        await v2.kill9();
        lastGood = await loadState(statePath);
      });

      await t.step(
        "kill -9 at arbitrary moments: the state always loads, nothing reset",
        async () => {
          assert.ok(lastGood);
          for (const delayMs of [300, 1700, 3100]) {
            const before: ValidatorState = (await loadState(statePath))!;
            const v = await start();
            // let it get some way into its work (start-up, reservation, tasks), then pull the plug
            await waitFor("the validator at work", async () => {
              const x = await readState(statePath);
              return x && x.updatedAt !== before.updatedAt;
            }, { v });
            await new Promise((r) => setTimeout(r, delayMs));
            await v.kill9();
            const after = await loadState(statePath);
            assert.ok(after, `the state parses after kill -9 at +${delayMs} ms`);
            assertNoneReset(before, after, `kill -9 at +${delayMs} ms`);
            assertNoneReset(lastGood, after, `kill -9 at +${delayMs} ms (vs. the first run)`);
          }
          const v = await start();
          const before: ValidatorState = (await loadState(statePath))!;
          const resumed = await waitFor("a step after the last restart", async () => {
            const x = await readState(statePath);
            return x && x.step > before.step ? x : undefined;
          }, { v });
          assertNoneReset(before, resumed, "after the last restart");
          await v.kill9();
        },
      );

      await t.step(
        "records spooled while the write host is down all reach the store after kill -9 and restart",
        async () => {
          const before: ValidatorState = (await loadState(statePath))!;
          const deadWriteUrl = `http://127.0.0.1:${freePort()}`;
          const v = await start(["--store.write_url", deadWriteUrl]);
          // at least one whole step's records pile up in the spool
          await waitFor("a step with the write host down", async () => {
            const x = await readState(statePath);
            return x && x.step > before.step;
          }, { v });
          await waitFor("records in the spool", async () => (await spooled(spoolDir)).size >= 3, {
            v,
          });
          await v.kill9();
          const pending = await spooled(spoolDir);
          assert.ok(pending.size >= 3, `spooled: ${pending.size}`);
          const kinds = new Set([...pending.values()].map((r) =>
            (r.body as { neuron_type: string })
              .neuron_type
          ));
          assert.ok(kinds.has("miner"), "miner records were spooled");

          // restarted with a working write host (the store itself)
          const v2 = await start();
          await waitFor("the spooled records in the store and out of the spool", async () => {
            const left = await spooled(spoolDir);
            return [...pending.keys()].every((name) => !left.has(name));
          }, { v: v2 });
          for (const [name, rec] of pending) {
            const rows = await resultsOf(st, rec.guid);
            const found = rows.some((r) => isDeepStrictEqual(r.body, rec.body));
            assert.ok(found, `spooled record ${name} (${rec.id}) is not in the store`);
          }
          // the spool drains: whatever the running validator adds is delivered too
          await waitFor("an empty spool", async () => (await spooled(spoolDir)).size === 0, {
            v: v2,
            every: 50,
          });
          const rejected = await spooled(`${spoolDir}/rejected`);
          assert.deepEqual([...rejected.keys()], [], "the store refused no record");
          const after = await loadState(statePath);
          assertNoneReset(before, after!, "after the spool test");
          v2.child.kill("SIGTERM");
          const status = await v2.done;
          assert.equal(status.code, 0, v2.out);
        },
      );
    } finally {
      for (const v of running) if (!v.exited) await v.kill9();
      await store?.close();
      await subnet?.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "validator restart: a step's records are on disk by the time the step returns",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "cgp-validator-spooled-" });
    const s = await startLocalSubnet({
      dataDir: dir,
      llm: "offline",
      miners: ["honest", "honest", "honest", "random_tags"],
      validator: {
        timeoutS: 3,
        bundlesPerStep: 2,
        tasksPerBundle: 2,
        minimumTasks: 2,
        concurrentTasks: 2,
        poolSize: 2,
      },
    });
    // records can only be spooled: the write host is a closed port
    const v = new Validator({
      ...s.validatorConfig,
      store: { ...s.validatorConfig.store, writeUrl: `http://127.0.0.1:${freePort()}` },
    });
    const events: ValidatorEvent[] = [];
    v.on((e) => events.push(e));
    try {
      await v.start();
      for (let i = 0; i < 3; i++) {
        const r = await v.step();
        assert.ok(r.scored > 0, String(r.reason));
        // what the step produced: one record per reserved bundle, one per miner answer scored
        const expected = events.reduce(
          (n, e) =>
            n + (e.type === "bundles" ? e.reserved : e.type === "task" ? e.scores.length : 0),
          0,
        );
        const onDisk = (await spooled(s.validatorConfig.spoolDir)).size;
        assert.equal(onDisk, expected, `after step ${i + 1}: spooled ${onDisk} of ${expected}`);
      }
    } finally {
      await v.stop(5_000);
      await s.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "validator restart: a conversation reserved again gets its own validator record",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "cgp-validator-again-" });
    const s = await startLocalSubnet({
      dataDir: dir,
      llm: "offline",
      miners: ["honest", "honest"],
      demoData: false,
    });
    // a store holding one conversation, leased for one second: every step reserves it again
    const demo = (await Deno.readTextFile(
      new URL("../../store/demo_data/conversations.jsonl", import.meta.url),
    ))
      .split("\n").filter((l) => l.startsWith("{"));
    await Deno.writeTextFile(`${dir}/one.jsonl`, demo[0] + "\n");
    const guid = JSON.parse(demo[0]).guid as string;
    const one = await startStore({
      db: `sqlite:${dir}/one.sqlite`,
      port: 0,
      requireApiKey: false,
      leaseSeconds: 1,
      importFiles: [`${dir}/one.jsonl`],
    });
    const config = {
      ...s.validatorConfig,
      store: { url: one.url, apiKey: null, timeoutMs: 5_000 },
      timeoutS: 3,
      bundlesPerStep: 1,
      tasksPerBundle: 2,
      minimumTasks: 1,
      poolSize: 2,
      disableSetWeights: true,
    };
    let v: Validator | undefined;
    try {
      // one step, a restart (a new process has a new batch number), the lease runs out, a step
      for (let i = 0; i < 2; i++) {
        if (v) await v.stop(5_000);
        if (i) await new Promise((r) => setTimeout(r, 1_500));
        v = new Validator(config);
        await v.start();
        const r = await v.step();
        assert.ok(r.scored > 0, String(r.reason));
      }
      const last = v!;
      await waitFor("an empty spool", async () => {
        const left = await last.system.ask("results-writer", "flush", {}) as { pending: number };
        return left.pending === 0;
      });
      const rejected = await spooled(`${s.validatorConfig.spoolDir}/rejected`);
      assert.deepEqual([...rejected.keys()], [], "the store refused no record");
      const validatorRecords = (await resultsOf(one, guid)).filter((r) =>
        r.neuronType === "validator"
      );
      assert.equal(validatorRecords.length, 2, "one validator record per reservation");
    } finally {
      await v?.stop(5_000);
      await one.close();
      await s.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
