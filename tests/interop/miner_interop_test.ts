/**
 * A real Python `bittensor` dendrite (9.0.0; 10.2.0 when `.venv/bt10` exists; the newest SDK
 * when it ships a dendrite, which 11.x does not) queries OUR miner axon (offline LLM) with the
 * payloads subnet 33's validator builds: a masked task of each type (conversation, its coding
 * variant, webpage with enrichment lines, survey, named entities) and the first generation's
 * window. Python gets non-empty string tags in the shape each generation expects; unregistered
 * and non-permit hotkeys get 403 as the Python dendrite reports it; garbage gets 200 and no tags.
 */
import assert from "node:assert/strict";
import { CgpLlm } from "../../llm/cgp_llm.ts";
import { OfflineProvider } from "../../llm/offline/offline_provider.ts";
import { Blacklist, type CallerInfo } from "../../miner/blacklist.ts";
import { createMinerAxon } from "../../miner/miner_axon.ts";
import { taggingOpsOf } from "../../miner/tagging_ops.ts";
import { Keypair } from "../../wallet/keypair.ts";
import { axonEnvs, pythonOf, runPython } from "./protocol_python.ts";

const TASK_CASES = [
  "conversation_tagging",
  "conversation_tagging_coding",
  "webpage_metadata_generation",
  "survey_tagging",
  "named_entities_extraction",
] as const;

/** Whether an env's bittensor still ships a dendrite (bittensor 11 dropped axon/dendrite). */
function hasDendrite(python: string | undefined): { ok: boolean; version: string } {
  if (!python) return { ok: false, version: "missing" };
  const r = new Deno.Command(python, {
    args: [
      "-c",
      "import bittensor as bt; print(bt.__version__, hasattr(bt, 'dendrite') or hasattr(bt, 'Dendrite'))",
    ],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  const [version, ok] = new TextDecoder().decode(r.stdout).trim().split(" ");
  return { ok: ok === "True", version: version ?? "unknown" };
}

const newest = pythonOf("btnew");
const newestInfo = hasDendrite(newest);
const envs = [
  ...axonEnvs().map((e) => ({ ...e, ignore: e.name !== "bt9" && !e.python, note: "" })),
  {
    name: "btnew",
    python: newest,
    ignore: !newestInfo.ok,
    note: newestInfo.ok ? "" : ` (bittensor ${newestInfo.version} ships no dendrite)`,
  },
];

for (const env of envs) {
  Deno.test({
    name: `python ${env.name} dendrite → our miner axon${env.note}`,
    ignore: env.ignore,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async (t) => {
      assert.ok(env.python, `missing .venv/${env.name} (run scripts/python_env.sh)`);
      const minerKey = await Keypair.generate();
      const validator = await Keypair.generate();
      const miner = await Keypair.generate();
      const stranger = await Keypair.generate();
      const known = new Map<string, CallerInfo>([
        [validator.ss58Address, { uid: 1, stakeTao: 5000, validatorPermit: true }],
        [miner.ss58Address, { uid: 2, stakeTao: 10, validatorPermit: false }],
      ]);
      const blacklist = new Blacklist(() => ({ lookup: (h) => known.get(h) }), {
        allowNonRegistered: false,
        forceValidatorPermit: true,
        minStakeTao: 0,
        maxRequestsPerMinute: 0,
      });
      const llm = new CgpLlm(new OfflineProvider());
      const axon = createMinerAxon({
        keypair: minerKey,
        ops: taggingOpsOf(llm),
        embed: (tags) => llm.getVectorEmbeddingsSet(tags),
        blacklist,
      });
      const served = axon.axon.serve({ hostname: "127.0.0.1", port: 0 });
      try {
        const lines = await runPython(env.python!, "miner_dendrite.py", {
          ip: "127.0.0.1",
          port: served.port,
          axon_hotkey: minerKey.ss58Address,
          callers: {
            validator: validator.mnemonic,
            miner: miner.mnemonic,
            stranger: stranger.mnemonic,
          },
          cases: [
            ...TASK_CASES.map((c) => [c, "validator"]),
            ["legacy_window", "validator"],
            ["garbage", "validator"],
            ["conversation_tagging", "stranger"],
            ["conversation_tagging", "miner"],
          ],
          timeout: 60,
        });
        const got = (caseName: string, caller = "validator") => {
          const l = lines.find((x) => x.case === caseName && x.caller === caller);
          assert.ok(l, `no line for ${caseName}/${caller}: ${JSON.stringify(lines)}`);
          return l as {
            status_code: number;
            status_message: string;
            cgp_output: Array<Record<string, unknown>> | null;
            version: string;
          };
        };
        const tagsOf = (caseName: string) => {
          const l = got(caseName);
          assert.equal(l.status_code, 200, `${caseName}: ${l.status_message}`);
          assert.ok(Array.isArray(l.cgp_output) && l.cgp_output.length === 1, caseName);
          const tags = l.cgp_output[0].tags;
          assert.ok(Array.isArray(tags) && tags.length > 0, `${caseName}: ${JSON.stringify(tags)}`);
          for (const tag of tags) {
            assert.equal(typeof tag, "string", `${caseName}: ${JSON.stringify(tag)}`);
            assert.ok((tag as string).trim().length > 0, caseName);
          }
          return { tags: tags as string[], out: l.cgp_output[0] };
        };

        for (const c of TASK_CASES) {
          await t.step(`${c}: tags reach Python, vectors null (today's generation)`, () => {
            const { out } = tagsOf(c);
            assert.equal(out.vectors, null);
            assert.deepEqual(Object.keys(out).sort(), ["tags", "vectors"]);
          });
        }

        await t.step("the coding variant and the other types are tagged from their content", () => {
          const text = (c: string) => tagsOf(c).tags.join(" ").toLowerCase();
          assert.match(text("conversation_tagging"), /sail|boat|teak|lighthouse|mast|coast/);
          assert.match(text("conversation_tagging_coding"), /rust|sqlx|tokio|postgres|pool|diesel/);
          assert.match(text("webpage_metadata_generation"), /garden|beekeep|compost|tomato/);
          // enrichment lines contribute their own tags
          assert.match(text("webpage_metadata_generation"), /kitchen|honeybee|rooftop|soil|hive/);
          assert.match(text("survey_tagging"), /hour|study|wifi|library|room/);
          assert.match(text("named_entities_extraction"), /carter|springfield|greenway|riverside/);
        });

        await t.step("first generation: {uid, tags, profiles, convoChecksum, vectors}", () => {
          const { tags, out } = tagsOf("legacy_window");
          assert.deepEqual(
            Object.keys(out).sort(),
            ["convoChecksum", "profiles", "tags", "uid", "vectors"],
          );
          const vectors = out.vectors as Record<string, { vectors: unknown }>;
          assert.deepEqual(Object.keys(vectors).sort(), [...tags].sort());
          const dims = new Set(Object.values(vectors).map((v) => (v.vectors as unknown[]).length));
          assert.equal(dims.size, 1, "every tag's vector has the same length");
          assert.ok([...dims][0] > 0);
          for (const v of Object.values(vectors)) {
            assert.ok((v.vectors as unknown[]).every((x) => typeof x === "number"));
          }
        });

        await t.step("garbage input: 200 with an empty tag list", () => {
          const l = got("garbage");
          assert.equal(l.status_code, 200, l.status_message);
          assert.deepEqual(l.cgp_output, [{ tags: [], vectors: null }]);
        });

        await t.step("an unregistered hotkey: 403 as the Python dendrite reports it", () => {
          const l = got("conversation_tagging", "stranger");
          assert.equal(l.status_code, 403, l.status_message);
          assert.match(l.status_message, /Unrecognized hotkey/);
          assert.equal(l.cgp_output, null);
        });

        await t.step("a registered hotkey without a validator permit: 403", () => {
          const l = got("conversation_tagging", "miner");
          assert.equal(l.status_code, 403, l.status_message);
          assert.match(l.status_message, /Non-validator hotkey/);
          assert.equal(l.cgp_output, null);
        });

        await t.step("the miner counted what it answered", () => {
          const s = axon.stats();
          // refused callers never reach the forward; garbage is an empty answer
          assert.equal(s.requests, TASK_CASES.length + 2);
          assert.equal(s.emptyAnswers, 1);
          assert.equal(s.cacheMisses, TASK_CASES.length + 1);
        });
      } finally {
        await served.shutdown();
        axon.axon.close();
      }
    },
  });
}
