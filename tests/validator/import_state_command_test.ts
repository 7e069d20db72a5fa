/**
 * `deno run -A main.ts import-state --from state.npz` as an operator switching from the Python
 * validator runs it, on files written by real numpy `np.savez` (as upstream's `save_state` does):
 * the state lands under `--neuron.full_path`, an existing state is only replaced with `--force`,
 * a garbage file is refused with a clear message and leaves the old state alone. Then a validator
 * started on the imported state keeps the moving averages of every uid whose hotkey is still in
 * the metagraph, and only a replaced hotkey starts over.
 */
import assert from "node:assert/strict";
import { startLocalSubnet } from "../../local_subnet/local_subnet.ts";
import { loadState } from "../../validator/state.ts";
import { Validator } from "../../validator/validator.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PY = `${ROOT}.venv/bt9/bin/python`;

/** Writes a state.npz with numpy exactly as upstream's `save_state` does. */
async function numpyState(
  out: string,
  s: { step: number; hotkeys: string[]; scores: number[]; ema: number[] },
  compressed = false,
): Promise<void> {
  const script = [
    "import json, sys",
    "import numpy as np",
    "s = json.loads(sys.argv[2])",
    `save = np.${compressed ? "savez_compressed" : "savez"}`,
    "save(sys.argv[1], step=np.int64(s['step']), scores=np.array(s['scores'], dtype=np.float32),",
    "     hotkeys=s['hotkeys'], ema_scores=np.array(s['ema'], dtype=np.float32))",
  ].join("\n");
  const r = await new Deno.Command(PY, { args: ["-c", script, out, JSON.stringify(s)] }).output();
  assert.equal(r.code, 0, `numpy could not write ${out}: ${new TextDecoder().decode(r.stderr)}`);
}

async function importState(args: string[]) {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "import-state", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

function assertNoStack(out: string) {
  assert.doesNotMatch(out, /^\s+at .+:\d+:\d+\)?$/m, `a stack trace was printed:\n${out}`);
}

const f32 = (xs: number[]) => xs.map((x) => Math.fround(x));

const HOTKEYS = [
  "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
  "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
  "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y",
];

Deno.test("import-state command: imports, refuses to overwrite, refuses garbage", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "cgp-import-state-" });
  const fullPath = `${dir}/validator`;
  const target = `${fullPath}/state.json`;
  try {
    const first = {
      step: 1234,
      hotkeys: HOTKEYS,
      scores: [0.5, 0.25, 0.125],
      ema: [0.1, 0.2, 0.3],
    };
    await numpyState(`${dir}/a.npz`, first);
    await numpyState(
      `${dir}/b.npz`,
      { step: 99, hotkeys: HOTKEYS.slice(0, 2), scores: [1, 0], ema: [0.7, 0] },
      true,
    );

    await t.step("writes the state file under --neuron.full_path", async () => {
      const r = await importState(["--from", `${dir}/a.npz`, "--neuron.full_path", fullPath]);
      assert.equal(r.code, 0, r.out);
      assert.ok(
        r.out.includes(`imported step 1234, 3 uids (3 with a moving average) into ${target}`),
        r.out,
      );
      const s = await loadState(target);
      assert.ok(s);
      assert.equal(s.step, 1234);
      assert.deepEqual(s.hotkeys, HOTKEYS);
      assert.deepEqual(s.scores, [0.5, 0.25, 0.125]);
      assert.deepEqual(s.ema, f32(first.ema), "float32 values carried exactly");
      assert.equal(s.lastWeightBlock, null);
    });

    await t.step("refuses to overwrite an existing state without --force", async () => {
      const before = await Deno.readTextFile(target);
      const r = await importState(["--from", `${dir}/b.npz`, "--neuron.full_path", fullPath]);
      assert.equal(r.code, 2, r.out);
      assert.ok(r.out.includes(`${target} already exists; pass --force to replace it`), r.out);
      assert.equal(await Deno.readTextFile(target), before, "the state is untouched");
    });

    await t.step("a garbage file: non-zero exit, a clear message, the old state kept", async () => {
      const before = await Deno.readTextFile(target);
      await Deno.writeTextFile(`${dir}/garbage.npz`, "this is not an npz file at all\n");
      const r = await importState([
        "--from",
        `${dir}/garbage.npz`,
        "--neuron.full_path",
        fullPath,
        "--force",
      ]);
      assert.notEqual(r.code, 0, r.out);
      assert.match(r.out, /import-state: not a zip archive/);
      assertNoStack(r.out);
      assert.equal(await Deno.readTextFile(target), before, "the state is untouched");

      const missing = await importState([
        "--from",
        `${dir}/nope.npz`,
        "--neuron.full_path",
        fullPath,
        "--force",
      ]);
      assert.notEqual(missing.code, 0, missing.out);
      assert.ok(missing.out.includes(`${dir}/nope.npz`), missing.out);
      assertNoStack(missing.out);

      const noFrom = await importState(["--neuron.full_path", fullPath]);
      assert.equal(noFrom.code, 2, noFrom.out);
      assert.match(noFrom.out, /--from <state\.npz> is required/);
    });

    await t.step("--force replaces it (savez_compressed too)", async () => {
      const r = await importState([
        "--from",
        `${dir}/b.npz`,
        "--neuron.full_path",
        fullPath,
        "--force",
      ]);
      assert.equal(r.code, 0, r.out);
      const s = await loadState(target);
      assert.equal(s?.step, 99);
      assert.deepEqual(s?.hotkeys, HOTKEYS.slice(0, 2));
      assert.deepEqual(s?.ema, f32([0.7, 0]));
    });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test({
  name: "import-state then validator: moving averages kept where hotkeys match the metagraph",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "cgp-import-run-" });
    const s = await startLocalSubnet({
      dataDir: dir,
      llm: "offline",
      miners: ["honest", "honest", "honest"],
      validator: {
        timeoutS: 3,
        bundlesPerStep: 2,
        tasksPerBundle: 2,
        minimumTasks: 2,
        concurrentTasks: 2,
        poolSize: 2,
        disableSetWeights: true,
      },
    });
    let v: Validator | undefined;
    try {
      const hotkeys = (await s.client.metagraph(s.netuid)).hotkeys;
      const n = hotkeys.length;
      assert.ok(n >= 5, `metagraph of ${n}`);
      // The Python validator knew one uid fewer (the subnet grew since), and at the first miner's
      // uid it knew a hotkey that has since been replaced.
      const replaced = s.miners[0].uid;
      const grown = n - 1;
      assert.notEqual(replaced, grown);
      const known = hotkeys.slice(0, n - 1).map((hk, uid) => uid === replaced ? HOTKEYS[0] : hk);
      const ema = known.map((_, uid) => 0.05 * (uid + 1));
      await numpyState(`${dir}/state.npz`, {
        step: 500,
        hotkeys: known,
        scores: known.map(() => 0.1),
        ema,
      });
      const fullPath = s.validatorConfig.statePath.replace(/\/state\.json$/, "");
      const r = await importState(["--from", `${dir}/state.npz`, "--neuron.full_path", fullPath]);
      assert.equal(r.code, 0, r.out);

      v = new Validator(s.validatorConfig);
      await v.start();
      const started = await loadState(s.validatorConfig.statePath);
      assert.ok(started);
      assert.equal(started.step, 500, "the step counter carries on");
      assert.deepEqual(started.hotkeys, hotkeys, "arrays follow the metagraph");
      assert.equal(started.ema.length, n, "the moving averages grew with the metagraph");
      for (let uid = 0; uid < n; uid++) {
        const want = uid === replaced || uid === grown ? 0 : Math.fround(ema[uid]);
        assert.equal(started.ema[uid], want, `uid ${uid}`);
      }

      const report = await v.step();
      assert.ok(report.scored > 0, String(report.reason));
      const after = await loadState(s.validatorConfig.statePath);
      assert.ok(after);
      assert.equal(after.step, 501);
      for (let uid = 0; uid < n; uid++) {
        if (uid === replaced || uid === grown) continue;
        assert.ok(after.ema[uid] !== 0, `uid ${uid} kept a moving average (${after.ema[uid]})`);
      }
    } finally {
      await v?.stop(5_000);
      await s.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
