/**
 * A real Python `bittensor` miner in the local subnet: next to our miners, a Python process
 * serves subnet 33's `CgSynapse` on the SDK's own axon (bittensor 9.0.0 from `.venv/bt9`, what
 * subnet 33 pins; 10.2.0 from `.venv/bt10`, the newest SDK that still has an axon). Its hotkey is
 * registered on the local chain and its axon announced there from our side; our validator finds it
 * in the metagraph, queries it with signed requests, scores its tags and rewards it. The Python
 * axon checks our signatures and nonces itself (a forged signature and a replayed nonce get 401),
 * and keeps accepting our validator's later nonces across steps.
 *
 * The newest bittensor (11.x, `.venv/btnew`) has no axon, dendrite or Synapse at all, so it cannot
 * run a miner; its case is ignored unless an axon module appears in that env.
 */
import assert from "node:assert/strict";
import {
  LOCAL_MINER_IP,
  type LocalSubnet,
  nextBlock,
  startLocalSubnet,
} from "../../local_subnet/local_subnet.ts";
import { CgSynapse } from "../../protocol/cg_synapse.ts";
import { Dendrite } from "../../protocol/dendrite/dendrite.ts";
import type { MinerTaskScore } from "../../validator/score_task.ts";
import { Validator, type ValidatorEvent } from "../../validator/validator.ts";
import { Keypair, type Signer } from "../../wallet/keypair.ts";
import {
  assertBittensorImports,
  freePort,
  PyProcess,
  pythonOf,
} from "../interop/protocol_python.ts";

const SHARED_DATA =
  new URL("../../../shared/data/facebook-chat-data.json", import.meta.url).pathname;
/** The Python miner's hotkey (both sides derive the same sr25519 key from it). */
const PY_MINER_MNEMONIC =
  "asthma system debate lion trick wait pill sudden provide actor shed enough";
const OUR_MINERS = 3;

/** True when the env's bittensor ships `bittensor/core/axon.py` (9.x, 10.x; not 11.x). */
function hasAxonModule(envName: string): boolean {
  const lib = new URL(`../../.venv/${envName}/lib/`, import.meta.url).pathname;
  try {
    for (const d of Deno.readDirSync(lib)) {
      try {
        Deno.statSync(`${lib}${d.name}/site-packages/bittensor/core/axon.py`);
        return true;
      } catch { /* not in this python */ }
    }
  } catch { /* no env */ }
  return false;
}

type ForwardLine = {
  dendrite_hotkey: string;
  uuid: string;
  nonce: string;
  lines: number;
  tags: string[];
};

function forwards(py: PyProcess): ForwardLine[] {
  return py.lines.filter((l) => l.forward).map((l) => l.forward as ForwardLine);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

const ENVS = [
  // bt9 always runs: a missing env fails loudly.
  { name: "bt9", ignore: false },
  { name: "bt10", ignore: !pythonOf("bt10") },
  { name: "btnew", ignore: !hasAxonModule("btnew") },
];

for (const env of ENVS) {
  Deno.test({
    name: `python ${env.name} bittensor miner in the local subnet` +
      (env.name === "btnew" && env.ignore ? " (ignored: this bittensor has no axon)" : ""),
    ignore: env.ignore,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn(t) {
      const python = pythonOf(env.name);
      assert.ok(python, `missing .venv/${env.name} (run scripts/python_env.sh)`);
      await assertBittensorImports(python);
      const dir = await Deno.makeTempDir({ prefix: `cgp-e2e-py-${env.name}-` });
      const s: LocalSubnet = await startLocalSubnet({
        dataDir: dir,
        miners: Array(OUR_MINERS).fill("honest"),
        storeImports: [SHARED_DATA],
        tempo: 10,
        weightsRateLimit: 3,
        validator: {
          // every serving neuron is queried: our miners, the Python one (the owner serves none)
          sampleSize: OUR_MINERS + 5,
          timeoutS: 5,
          bundlesPerStep: 2,
          tasksPerBundle: 2,
          minimumTasks: 2,
          concurrentTasks: 2,
          poolSize: 2,
        },
      });
      let py: PyProcess | undefined;
      let v: Validator | undefined;
      try {
        // The Python miner's hotkey: registered on chain like any miner.
        const pyHot = await Keypair.fromMnemonic(PY_MINER_MNEMONIC);
        const pyCold = await Keypair.fromSeed(crypto.getRandomValues(new Uint8Array(32)));
        const pyUid = s.chain.registerNeuron(s.netuid, pyHot.ss58Address, pyCold.ss58Address, {
          stakeRao: 10n * 1_000_000_000n,
        });
        await nextBlock(s.chain);

        const port = freePort();
        py = new PyProcess(python, "python_cg_miner.py", {
          port,
          hotkey: PY_MINER_MNEMONIC,
          allow: [s.validatorHotkey.ss58Address],
          external_ip: LOCAL_MINER_IP,
        });
        const ready = await py.waitFor((l) => l.ready === true || "error" in l);
        assert.equal(ready.ready, true, JSON.stringify(ready));

        await t.step(
          "the Python axon serves the same hotkey, announced on chain by us",
          async () => {
            assert.equal(ready.hotkey, pyHot.ss58Address);
            assert.equal(ready.axon_external_ip, LOCAL_MINER_IP);
            // the hotkey owner announces its axon: our client signs with the same sr25519 key
            await s.client.serveAxon(pyHot, { netuid: s.netuid, ip: LOCAL_MINER_IP, port });
            await nextBlock(s.chain);
            const mg = await s.client.metagraph(s.netuid);
            assert.equal(mg.hotkeys[pyUid], pyHot.ss58Address);
            assert.equal(mg.axons[pyUid].ip, LOCAL_MINER_IP);
            assert.equal(mg.axons[pyUid].port, port);
          },
        );

        v = new Validator(s.validatorConfig);
        const events: ValidatorEvent[] = [];
        v.on((e) => events.push(e));
        const scores = () =>
          events.flatMap((e) => (e.type === "task" ? e.scores : [])) as MinerTaskScore[];
        await v.start();

        const ours = new Set(s.miners.map((m) => m.uid));
        let afterStep1 = 0;
        await t.step(
          "step 1: the Python miner is queried, answers 200, is scored and rewarded",
          async () => {
            const report = await v!.step();
            assert.ok(report.ok, String(report.reason));
            const got = scores();
            const pyScores = got.filter((x) => x.uid === pyUid);
            assert.ok(pyScores.length >= 2, `python miner queried ${pyScores.length} times`);
            for (const x of pyScores) {
              assert.equal(x.status, 200, `python miner status ${x.status} ${x.zeroReason ?? ""}`);
              assert.ok(x.originalTags.length > 0, "python tags reached scoring");
            }
            // what the validator scored is exactly what the Python forward produced
            const fw = forwards(py!);
            assert.equal(fw.length, pyScores.length, "one forward per query, no retries");
            const produced = new Set(fw.map((f) => JSON.stringify(f.tags)));
            for (const x of pyScores) assert.ok(produced.has(JSON.stringify(x.originalTags)));
            // every forward came from our validator's hotkey: the SDK verified its signature and
            // nonce before calling forward (it answers 401 otherwise), and the allow-list passed
            for (const f of fw) assert.equal(f.dendrite_hotkey, s.validatorHotkey.ss58Address);
            assert.ok(fw.every((f) => f.lines > 0), "windows arrived with lines");
            assert.equal(py!.lines.filter((l) => "blacklisted" in l).length, 0);

            const pyMean = mean(pyScores.map((x) => x.reward));
            const ourMean = mean(got.filter((x) => ours.has(x.uid)).map((x) => x.reward));
            console.log(
              `${env.name} (bittensor ${ready.version}): python miner mean reward ` +
                `${pyMean.toFixed(4)}, ours ${ourMean.toFixed(4)}`,
            );
            assert.ok(pyScores.some((x) => x.reward > 0), "the python miner earns");
            assert.ok(ourMean > 0, "our miners earn");
            assert.ok(
              pyMean > 0.25 * ourMean,
              `python reward ${pyMean} comparable to ours ${ourMean}`,
            );
            afterStep1 = fw.length;
          },
        );

        await t.step("step 2: later nonces of the same dendrite are still accepted", async () => {
          const before = scores().length;
          const report = await v!.step();
          assert.ok(report.ok, String(report.reason));
          const pyScores = scores().slice(before).filter((x) => x.uid === pyUid);
          assert.ok(pyScores.length >= 1, "queried again");
          for (const x of pyScores) assert.equal(x.status, 200, `status ${x.status}`);
          const fw = forwards(py!);
          assert.ok(fw.length > afterStep1);
          // the Python axon keeps the last nonce per hotkey:uuid; ours only grow per uuid
          const last = new Map<string, bigint>();
          for (const f of fw) {
            const n = BigInt(f.nonce);
            const prev = last.get(f.uuid);
            assert.ok(prev === undefined || n > prev, `nonce ${n} after ${prev} (${f.uuid})`);
            last.set(f.uuid, n);
          }
          const step1Uuids = new Set(fw.slice(0, afterStep1).map((f) => f.uuid));
          assert.ok(
            fw.slice(afterStep1).some((f) => step1Uuids.has(f.uuid)),
            "step 2 reused a dendrite (uuid) the axon already held a nonce for",
          );
        });

        await t.step(
          "the Python axon refuses a forged signature, a replay and a stranger",
          async () => {
            const target = { ip: LOCAL_MINER_IP, port, hotkey: pyHot.ss58Address };
            const input = {
              cgp_input: [{
                task: {
                  type: "conversation_tagging",
                  input: { data: { window: [[0, "Sailing boats and harbour weather today"]] } },
                },
              }],
            };
            const send = async (
              req: { url: string; headers: Record<string, string>; body: string },
            ) => {
              const res = await fetch(req.url, {
                method: "POST",
                headers: req.headers,
                body: req.body,
              });
              return { status: res.status, body: await res.json() };
            };
            const before = forwards(py!).length;

            const ok = new Dendrite({ keypair: s.validatorHotkey });
            const req = ok.prepare(target, CgSynapse, input, 5);
            const first = await send(req);
            assert.equal(first.status, 200, JSON.stringify(first.body));
            assert.deepEqual(first.body.cgp_output?.[0]?.tags?.slice(0, 2), ["sailing", "boats"]);
            const replay = await send(req);
            assert.equal(replay.status, 401, JSON.stringify(replay.body));
            assert.match(String(replay.body.message), /Nonce is too old, a newer one/);

            // claims our validator's hotkey, signs with another key
            const other = await Keypair.fromSeed(crypto.getRandomValues(new Uint8Array(32)));
            const forger: Signer = {
              ss58Address: s.validatorHotkey.ss58Address,
              publicKey: s.validatorHotkey.publicKey,
              sign: (m) => other.sign(m),
            };
            const forged = await send(
              new Dendrite({ keypair: forger }).prepare(target, CgSynapse, input, 5),
            );
            assert.equal(forged.status, 401, JSON.stringify(forged.body));
            assert.match(String(forged.body.message), /Signature mismatch/);

            // a genuine signature from a hotkey that is not our validator: the blacklist refuses
            const stranger = await send(
              new Dendrite({ keypair: other }).prepare(target, CgSynapse, input, 5),
            );
            assert.equal(stranger.status, 403, JSON.stringify(stranger.body));
            assert.match(String(stranger.body.message), /not an allowed validator/);
            assert.ok(py!.lines.some((l) => l.blacklisted === other.ss58Address));

            assert.equal(
              forwards(py!).length,
              before + 1,
              "only the genuine request was forwarded",
            );
          },
        );

        await t.step("the Python process stops cleanly", async () => {
          await py!.kill();
          const status = await py!.finished();
          assert.equal(status.code, 0, py!.stderr.slice(-2000));
          assert.ok(py!.lines.some((l) => l.stopped === true));
        });
      } finally {
        await v?.stop(5_000);
        await py?.kill();
        await s.close();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  });
}
