import { ScoringPlanSchema } from "../../validator/actors/scorer.ts";
import { scoringPlan } from "../../validator/actors/task_runner.ts";
import { packVectors, unpackVectors } from "../../validator/packed_vectors.ts";
import assert from "node:assert/strict";
import { TaskBundleSchema } from "../../tasks/mod.ts";
import { prepareBundle } from "../../validator/bundle_setup.ts";
import { minerRecord, validatorRecord } from "../../validator/record_payloads.ts";
import { scoreTask } from "../../validator/score_task.ts";
import { fakeLlm } from "./fake_llm.ts";

const talk = [
  "gardening tomatoes greenhouse seedlings watering",
  "compost fertilizer gardening harvest",
  "tomatoes need sunshine and watering",
];
const conversation = (n: number, extra: Record<string, unknown> = {}) =>
  TaskBundleSchema.parse({
    type: "conversation_tagging",
    guid: "b1",
    input: {
      input_type: "conversation",
      guid: "c1",
      data: {
        lines: Array.from({ length: n }, (_, i) => [i % 2, talk[i % 3]]),
        participants: ["SPEAKER_0", "SPEAKER_1"],
      },
      ...extra,
    },
  });

Deno.test("bundle setup: conversation windows, quality gate before ground truth", async () => {
  const { llm, calls } = fakeLlm();
  const r = await prepareBundle(conversation(30), llm);
  assert.ok(r.ok);
  assert.equal(r.prepared.windows.length, 4);
  assert.deepEqual(calls.slice(0, 2), ["quality:30", "conv"]);
  assert.ok(r.prepared.groundTruth.tags.includes("gardening"));
  assert.equal(r.prepared.groundTruth.vectors.length, r.prepared.groundTruth.tags.length);

  const low = fakeLlm({ quality: 3 });
  const r2 = await prepareBundle(conversation(30), low.llm);
  assert.ok(!r2.ok && /quality 3 below threshold 5/.test(r2.reason));
  assert.ok(!low.calls.includes("conv"), "no ground truth is paid for a rejected conversation");
  const short = await prepareBundle(conversation(5), fakeLlm().llm);
  assert.ok(!short.ok && /too short/.test(short.reason));
  const none = await prepareBundle(conversation(30), fakeLlm({ quality: null }).llm);
  assert.ok(!none.ok && /no answer/.test(none.reason));
});

Deno.test("bundle setup: other types, and a bad payload is a reason, not a throw", async () => {
  const mk = (type: string, inputType: string, payload: unknown) =>
    TaskBundleSchema.parse({
      type,
      guid: "b2",
      input: {
        input_type: inputType,
        data: { lines: [[0, typeof payload === "string" ? payload : JSON.stringify(payload)]] },
      },
    });
  const { llm } = fakeLlm();
  const web = await prepareBundle(
    mk("webpage_metadata_generation", "webpage_markdown", {
      website_markdown: "# Sourdough baking guide with flour starter",
      enrichment: {
        search_results: { q: [{ title: "Bread", snippet: "fermentation starter flour" }] },
      },
    }),
    llm,
    { random: () => 0 },
  );
  assert.ok(web.ok);
  assert.equal(web.prepared.windows[0].lines.length, 2);
  const survey = await prepareBundle(
    mk("survey_tagging", "survey", {
      survey_question: "Why?",
      comment: "Because of price",
      selected_choices: ["price", "quality"],
    }),
    llm,
  );
  assert.ok(survey.ok);
  assert.deepEqual(survey.prepared.groundTruth.tags, ["price", "quality"]);
  assert.equal(survey.prepared.minTags, 1);
  const ner = await prepareBundle(
    mk("named_entities_extraction", "document", {
      transcript_text: "Council approved Riverside budget",
    }),
    llm,
  );
  assert.ok(ner.ok);
  assert.equal(ner.prepared.mechanism, "no_penalty");
  assert.equal(ner.prepared.tagValidation, "clean_only");
  const bad = await prepareBundle(
    mk("webpage_metadata_generation", "webpage_markdown", "# raw markdown"),
    llm,
  );
  assert.ok(!bad.ok && /not JSON/.test(bad.reason));
});

Deno.test("score task: aligned rewards, zero for failures, on-topic beats off-topic", async () => {
  const { llm } = fakeLlm();
  const r = await prepareBundle(conversation(30), llm);
  assert.ok(r.ok);
  const { scores, rewards } = await scoreTask(r.prepared, [
    { uid: 3, hotkey: "a", status: 200, tags: ["gardening", "tomatoes", "watering", "compost"] },
    { uid: 5, hotkey: "b", status: 408, tags: null },
    { uid: 7, hotkey: "c", status: 200, tags: ["zzz", "qqq", "xyxyx"] },
    { uid: 9, hotkey: "d", status: 200, tags: ["one"] },
    { uid: 11, hotkey: "e", status: 200, tags: [] },
  ], llm);
  assert.equal(rewards.length, 5);
  assert.ok(rewards[0] > rewards[2], `on-topic ${rewards[0]} > off-topic ${rewards[2]}`);
  assert.equal(rewards[1], 0);
  assert.equal(scores[1].zeroReason, "status 408");
  assert.equal(rewards[3], 0, "fewer than min_tags");
  assert.equal(rewards[4], 0);
  assert.equal(scores[4].zeroReason, "no tags");
  const failing = fakeLlm({ failValidation: true });
  const f = await scoreTask(r.prepared, [{
    uid: 1,
    hotkey: "x",
    status: 200,
    tags: ["gardening", "a", "b"],
  }], failing.llm);
  assert.equal(f.rewards[0], 0);
  assert.equal(f.scores[0].zeroReason, "tag validation failed");
});

Deno.test("scoring plan: packed ground-truth vectors score exactly as the pairs they came from", async () => {
  const { llm } = fakeLlm();
  const r = await prepareBundle(conversation(30), llm);
  assert.ok(r.ok);
  const plan = ScoringPlanSchema.parse(scoringPlan(r.prepared));
  const back = unpackVectors(plan.groundTruth.vectors);
  assert.deepEqual(
    [...back].map(([t, v]) => [t, Array.from(v)]),
    r.prepared.groundTruth.vectors,
    "every number back exactly, in tag order",
  );
  const answers = [
    { uid: 3, hotkey: "a", status: 200, tags: ["gardening", "tomatoes", "watering", "compost"] },
    { uid: 7, hotkey: "c", status: 200, tags: ["zzz", "qqq", "xyxyx", "gardening"] },
  ];
  const fromPairs = await scoreTask(r.prepared, answers, llm, () => 0.5);
  const fromPacked = await scoreTask(
    { ...plan, groundTruth: { tags: plan.groundTruth.tags, vectors: back } },
    answers,
    llm,
    () => 0.5,
  );
  assert.deepEqual(fromPacked, fromPairs);
  assert.throws(() => packVectors([["a", [1, 2]], ["b", [1]]]), /not 2/);
  const bad = { ...plan.groundTruth.vectors, data: new Float64Array(1) };
  assert.equal(
    ScoringPlanSchema.safeParse({ ...plan, groundTruth: { ...plan.groundTruth, vectors: bad } })
      .success,
    false,
  );
  const plain = { ...plan.groundTruth.vectors, data: Array.from(plan.groundTruth.vectors.data) };
  assert.equal(
    ScoringPlanSchema.safeParse({ ...plan, groundTruth: { ...plan.groundTruth, vectors: plain } })
      .success,
    false,
  );
});

Deno.test("records: upstream PUT body fields", async () => {
  const { llm } = fakeLlm();
  const r = await prepareBundle(conversation(30), llm);
  assert.ok(r.ok);
  const ctx = {
    mode: "test",
    model: "m",
    embeddingsModel: "e",
    llmType: "t",
    markerId: null,
    netuid: 33,
    hotkey: "val",
    batchNumber: 7,
  };
  const v = validatorRecord(ctx, r.prepared);
  assert.equal(v.neuron_type, "validator");
  assert.equal(v.task_id, null);
  assert.deepEqual(Object.keys(v.data), ["participantProfiles", "tags", "vectors"]);
  const m = minerRecord(ctx, { type: "conversation_tagging", guid: "t1" }, {
    uid: 3,
    hotkey: "minerhk",
    status: 200,
    originalTags: ["A"],
    validatedTags: ["a"],
    reward: 0.5,
    adjustedScore: 0.6,
    penalties: [],
  });
  assert.equal(m.hotkey, "minerhk");
  assert.equal(m.task_id, "t1");
  for (
    const k of [
      "mode",
      "model",
      "embeddings_model",
      "marker_id",
      "llm_type",
      "scoring_version",
      "cgp_version",
      "netuid",
      "batch_number",
      "data",
    ]
  ) {
    assert.ok(k in m, k);
  }
});
