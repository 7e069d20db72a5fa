/**
 * `deno run -A main.ts validator ...` as an operator runs it, against a local subnet: every
 * start-up mistake ends with its own exit code and a message naming it (no stack trace); a
 * registered btcli wallet steps (reserve from the store with the key in `readyai_api_data.json`,
 * query the miners, score, save the state), and SIGTERM stops it with exit 0 and the state on disk.
 */
import assert from "node:assert/strict";
import { validatorWalletAndStore } from "../helpers/validator_wallet.ts";
import { NodeProcess, runToEnd } from "../helpers/node_process.ts";
import { type LocalSubnet, nextBlock, startLocalSubnet } from "../../local_subnet/local_subnet.ts";
import type { StoreServer } from "../../store/mod.ts";
import { VALIDATOR_EXIT } from "../../validator/command.ts";
import { loadState, type ValidatorState } from "../../validator/state.ts";
import { Keypair } from "../../wallet/mod.ts";

const TAO = 1_000_000_000n;

function assertNoStack(out: string) {
  assert.doesNotMatch(out, /^\s+at .+:\d+:\d+\)?$/m, `a stack trace was printed:\n${out}`);
}

/** Polls `probe` until it returns a value, failing with `what` (and the log) past `ms`. */
async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  opts: { ms?: number; log?: () => string; exited?: Promise<unknown> } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.ms ?? 120_000);
  let exited = false;
  opts.exited?.then(() => (exited = true));
  for (;;) {
    const v = await probe();
    if (v) return v;
    assert.ok(!exited, `the validator exited while waiting for ${what}:\n${opts.log?.() ?? ""}`);
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}:\n${opts.log?.() ?? ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stateOrUndefined(path: string): Promise<ValidatorState | undefined> {
  try {
    return await loadState(path);
  } catch {
    return undefined;
  }
}

Deno.test({
  name: "validator command: start-up mistakes, then a registered wallet steps and stops on SIGTERM",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "cgp-validator-cmd-" });
    let subnet: LocalSubnet | undefined;
    let store: StoreServer | undefined;
    try {
      subnet = await startLocalSubnet({
        dataDir: dir,
        llm: "offline",
        miners: ["honest", "honest", "honest"],
        tempo: 10,
        weightsRateLimit: 3,
      });
      const s = subnet;
      const setup = await validatorWalletAndStore(dir, "command test");
      const made = setup.made;
      store = setup.store;
      const keyFile = setup.keyFile;
      const fullPath = `${dir}/validator-state`;
      const base = [
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
        store.url,
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

      await t.step("a bad flag value: exit 2 naming the flag", async () => {
        const r = await runToEnd("validator", [...base, "--neuron.sample_size", "six"]);
        assert.equal(r.code, VALIDATOR_EXIT.badFlags, r.out);
        assert.match(r.out, /--neuron\.sample_size: .*"six"/);
        assertNoStack(r.out);
      });

      await t.step("an unknown flag: exit 2 naming it", async () => {
        const r = await runToEnd("validator", [...base, "--neuron.bundles_per_stepp", "2"]);
        assert.equal(r.code, VALIDATOR_EXIT.badFlags, r.out);
        assert.match(r.out, /--neuron\.bundles_per_stepp: unknown flag/);
        assertNoStack(r.out);
      });

      await t.step("a bad LLM environment: exit 6 naming the variable", async () => {
        const r = await runToEnd("validator", base, { LLM_TYPE: "openai", OPENAI_API_KEY: "" });
        assert.equal(r.code, VALIDATOR_EXIT.llm, r.out);
        assert.match(r.out, /OPENAI_API_KEY: required when LLM_TYPE is openai/);
        assertNoStack(r.out);
      });

      await t.step("a missing wallet: exit 4 naming the path", async () => {
        const r = await runToEnd("validator", [...base, "--wallet.hotkey", "nope"]);
        assert.equal(r.code, VALIDATOR_EXIT.wallet, r.out);
        assert.ok(r.out.includes(`${dir}/wallets/validator/hotkeys/nope`), r.out);
        assertNoStack(r.out);
      });

      await t.step("an unregistered hotkey: exit 3 saying so", async () => {
        const r = await runToEnd("validator", base);
        assert.equal(r.code, VALIDATOR_EXIT.notRegistered, r.out);
        assert.ok(
          r.out.includes(
            `hotkey ${made.hotkey.ss58Address} is not registered on netuid ${s.netuid}`,
          ),
          r.out,
        );
        assertNoStack(r.out);
        assert.equal(await stateOrUndefined(`${fullPath}/state.json`), undefined);
      });

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

      await t.step("an unusable state file: exit 7 naming it, the file left alone", async () => {
        await Deno.mkdir(fullPath, { recursive: true });
        const statePath = `${fullPath}/state.json`;
        for (const bad of ["{torn", JSON.stringify({ version: 1, step: -1 })]) {
          await Deno.writeTextFile(statePath, bad);
          const r = await runToEnd("validator", base);
          assert.equal(r.code, VALIDATOR_EXIT.state, r.out);
          assert.ok(r.out.includes(`state file ${statePath} is`), r.out);
          assertNoStack(r.out);
          assert.equal(await Deno.readTextFile(statePath), bad, "never silently replaced");
        }
        await Deno.remove(statePath);
      });

      await t.step("registered: steps against the local subnet, SIGTERM → exit 0", async () => {
        const v = new NodeProcess("validator", base);
        let status: Deno.CommandStatus | undefined;
        try {
          const state = await waitFor(
            "a successful step with a moving average",
            async () => {
              const st = await stateOrUndefined(`${fullPath}/state.json`);
              return st && st.step >= 1 && st.ema.some((x) => x > 0) ? st : undefined;
            },
            { log: () => v.out, exited: v.done },
          );
          assert.match(v.out, /step 1: "?ok"?/, v.out);
          // every miner of the subnet is in the state, and we never queried ourselves
          assert.equal(state.hotkeys[uid], made.hotkey.ss58Address);
          assert.equal(state.ema[uid], 0, "the validator never scores itself");
          const honest = s.miners.map((m) => m.uid);
          assert.ok(honest.some((u) => state.ema[u] > 0), JSON.stringify(state.ema));
          // records reached the store under our hotkey's key
          await waitFor("records in the store", async () => {
            const stats = await (await fetch(`${store!.url}/api/v1/stats`)).json();
            return stats.results_by_neuron_type?.validator >= 1 &&
              stats.results_by_neuron_type?.miner >= 1;
          }, { log: () => v.out, exited: v.done });
          v.child.kill("SIGTERM");
          status = await v.done;
        } finally {
          if (!status) {
            try {
              v.child.kill("SIGKILL");
            } catch { /* already gone */ }
            await v.done;
          }
        }
        assert.equal(status.code, VALIDATOR_EXIT.ok, v.out);
        assert.match(v.out, /stopping: finishing the step in flight/);
        assertNoStack(v.out);
        const after = await loadState(`${fullPath}/state.json`);
        assert.ok(after && after.step >= 1, "the state file is there after the stop");
        assert.ok(after.ema.some((x) => x > 0));
        const leftovers = [...Deno.readDirSync(fullPath)].map((e) => e.name)
          .filter((n) => n.includes(".tmp-"));
        assert.deepEqual(leftovers, [], "no temp files left beside the state");
      });
    } finally {
      await store?.close();
      await subnet?.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
