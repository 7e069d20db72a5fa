import assert from "node:assert/strict";
import { Blacklist, type CallerInfo } from "../../miner/blacklist.ts";
import { LlmGate, ShedError } from "../../miner/llm_gate.ts";
import {
  mineInput,
  MinerInputError,
  parseMinerInput,
  type TaggingOps,
} from "../../miner/mine_task.ts";
import { inputKey, ResultCache } from "../../miner/result_cache.ts";

const lines: [number, string][] = [[0, "I love hiking in the alps"], [1, "mountains are great"]];

function recordingOps() {
  const calls: string[] = [];
  const ops: TaggingOps = {
    conversationTags: (
      l,
      o,
    ) => (calls.push(`conv:${l.length}:${o.coding}:${o.prompt ?? ""}`),
      Promise.resolve(["hiking", "alps"])),
    websiteTags: (_m, o) => (calls.push(`web:${o.coding}`), Promise.resolve(["web"])),
    enrichmentTags: () => (calls.push("enrich"), Promise.resolve(["snippet"])),
    combineTags: (ls) => (calls.push(`combine:${ls.length}`), Promise.resolve(ls.flat())),
    surveyTags: (q, c) => (calls.push(`survey:${q}:${c}`), Promise.resolve(["survey tag"])),
    transcriptEntities: () => (calls.push("ner"), Promise.resolve(["Alice"])),
    webpageEntities: () => (calls.push("ner-web"), Promise.resolve(["Bob"])),
    combineEntities: (ls) => (calls.push(`ner-combine:${ls.length}`), Promise.resolve(ls.flat())),
  };
  return { ops, calls };
}

const task = (type: string, data: Record<string, unknown>, categories: string[] = []) => ({
  task: {
    type,
    guid: "HIDDEN",
    input: { guid: "HIDDEN", input_type: "conversation", data, input_categories: categories },
    prompt_chain: [{ prompt_template: "custom {{ input }}" }],
  },
});

Deno.test("miner input: both generations parse; garbage is a named error", () => {
  const t = parseMinerInput([task("conversation_tagging", { window_idx: -1, window: lines })]);
  assert.equal(t.generation, "task");
  const l = parseMinerInput([{ guid: 7, window_idx: 3, lines }]);
  assert.deepEqual(l, { generation: "legacy", guid: "7", windowIdx: 3, lines });
  assert.throws(() => parseMinerInput([]), MinerInputError);
  assert.throws(() => parseMinerInput("x"), MinerInputError);
  assert.throws(() => parseMinerInput([{ task: { type: "nope" } }]), /cgp_input\[0\]: task\.type/);
  assert.throws(() => parseMinerInput([{ lines: "x" }]), /neither/);
});

Deno.test("miner: each task type routes to its operations", async () => {
  const { ops, calls } = recordingOps();
  assert.deepEqual(
    await mineInput(
      parseMinerInput([task("conversation_tagging", { window: lines }, ["coding"])]),
      ops,
    ),
    ["hiking", "alps"],
  );
  await mineInput(parseMinerInput([task("conversation_tagging", { window: lines })]), ops, {
    useTaskPrompt: true,
  });
  await mineInput(
    parseMinerInput([
      task("webpage_metadata_generation", { window: [[0, "# page"], [0, "t\ns"]] }),
    ]),
    ops,
  );
  await mineInput(
    parseMinerInput([task("survey_tagging", { survey_question: "Why?", comment: "Because" })]),
    ops,
  );
  await mineInput(
    parseMinerInput([task("named_entities_extraction", { window: [[0, "doc"], [0, "page"]] })]),
    ops,
  );
  assert.deepEqual(
    await mineInput(parseMinerInput([task("survey_tagging", { comment: " " })]), ops),
    [],
  );
  assert.deepEqual(
    await mineInput(parseMinerInput([task("conversation_tagging", { window: [] })]), ops),
    [],
  );
  assert.deepEqual(calls, [
    "conv:2:true:",
    "conv:2:false:custom {{ input }}",
    "web:false",
    "enrich",
    "combine:2",
    "survey:Why?:Because",
    "ner",
    "ner-web",
    "ner-combine:2",
  ]);
});

Deno.test("result cache: key ignores masked ids, LRU bound, empty answers not cached", async () => {
  const a = parseMinerInput([task("conversation_tagging", { window: lines, window_idx: -1 })]);
  const b = parseMinerInput([{
    task: { ...task("conversation_tagging", { window: lines }).task, guid: "other" },
  }]);
  const c = parseMinerInput([task("conversation_tagging", { window: [[0, "different"]] })]);
  assert.equal(await inputKey(a, false), await inputKey(b, false));
  assert.notEqual(await inputKey(a, false), await inputKey(c, false));
  const cache = new ResultCache(2);
  cache.set("k1", ["a"]);
  cache.set("k2", ["b"]);
  cache.get("k1");
  cache.set("k3", ["c"]);
  assert.equal(cache.get("k2"), undefined, "least recently used evicted");
  assert.deepEqual(cache.get("k1"), ["a"]);
  cache.set("empty", []);
  assert.equal(cache.get("empty"), undefined);
  assert.equal(cache.hits, 2);
  assert.equal(cache.misses, 2);
});

Deno.test("blacklist: unregistered, permit, stake, rate limit", () => {
  const infos: Record<string, CallerInfo> = {
    val: { uid: 1, stakeTao: 5000, validatorPermit: true },
    poor: { uid: 2, stakeTao: 1, validatorPermit: true },
    miner: { uid: 3, stakeTao: 9999, validatorPermit: false },
  };
  const view = { lookup: (h: string) => infos[h] };
  let now = 0;
  const bl = new Blacklist(() => view, {
    allowNonRegistered: false,
    forceValidatorPermit: true,
    minStakeTao: 10,
    maxRequestsPerMinute: 2,
  }, () => now);
  assert.deepEqual(bl.check("stranger"), { blocked: true, reason: "Unrecognized hotkey" });
  assert.deepEqual(bl.check("miner"), { blocked: true, reason: "Non-validator hotkey" });
  assert.match((bl.check("poor") as { reason: string }).reason, /below the minimum 10/);
  assert.deepEqual(bl.check("val"), { blocked: false });
  assert.deepEqual(bl.check("val"), { blocked: false });
  assert.match((bl.check("val") as { reason: string }).reason, /Rate limit/);
  now += 61_000;
  assert.deepEqual(bl.check("val"), { blocked: false });
  assert.equal(bl.priority("val"), 5000);
  assert.equal(bl.priority("stranger"), 0);
  const open = new Blacklist(() => view, {
    allowNonRegistered: true,
    forceValidatorPermit: false,
    minStakeTao: 0,
    maxRequestsPerMinute: 0,
  });
  assert.deepEqual(open.check("stranger"), { blocked: false });
  assert.deepEqual(open.check("miner"), { blocked: false });
});

Deno.test("llm gate: bounded, priority order, shed before deadline", async () => {
  const gate = new LlmGate(1);
  const order: string[] = [];
  let release!: () => void;
  const first = gate.run(() => new Promise<void>((r) => (release = r)), {
    priority: 0,
    startWithinMs: 1000,
  });
  const low = gate.run(() => (order.push("low"), Promise.resolve()), {
    priority: 1,
    startWithinMs: 5000,
  });
  const high = gate.run(() => (order.push("high"), Promise.resolve()), {
    priority: 100,
    startWithinMs: 5000,
  });
  const doomed = gate.run(() => Promise.resolve("ran"), { priority: 0, startWithinMs: 10 });
  await assert.rejects(doomed, ShedError);
  assert.equal(gate.running, 1);
  assert.equal(gate.waiting, 2);
  release();
  await Promise.all([first, low, high]);
  assert.deepEqual(order, ["high", "low"]);
  assert.equal(gate.running, 0);
  assert.equal(gate.shed, 1);
});
