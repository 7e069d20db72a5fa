import assert from "node:assert/strict";
import {
  BundlePayloadError,
  conversationWindows,
  describeZodError,
  maskTaskForMiner,
  parseBundlePayload,
  SurveyPayloadSchema,
  TaskBundleSchema,
  TaskSchema,
  toMiningTasks,
} from "../../tasks/mod.ts";

const lines = Array.from({ length: 30 }, (_, i) => [i % 2, `line ${i}`]);
const bundleJson = {
  mode: "local",
  api_version: 1.4,
  type: "conversation_tagging",
  guid: 103733224526844599340117036848021470924n.toString(),
  scoring_mechanism: "ground_truth_tag_similarity_scoring",
  input: {
    input_type: "conversation",
    guid: 42,
    data: { participants: ["SPEAKER_0", "SPEAKER_1"], lines, total: 30 },
  },
  prompt_chain: [{ step: 0, prompt_template: "Tag this: {{ input }}" }],
  example_output: { tags: ["guitar"], type: "List[str]" },
  errors: [],
  warnings: [],
  data_type: 1,
  future_field: "kept",
};

Deno.test("task bundle: parses, coerces guids, keeps unknown fields", () => {
  const b = TaskBundleSchema.parse(bundleJson);
  assert.equal(b.type, "conversation_tagging");
  assert.equal(b.input.guid, "42");
  assert.equal((b as Record<string, unknown>).future_field, "kept");
});

Deno.test("task bundle: bad input names the field", () => {
  const bad = structuredClone(bundleJson) as Record<string, unknown>;
  (bad.input as { data: { lines: unknown } }).data.lines = [[0, 5]];
  const r = TaskBundleSchema.safeParse(bad);
  assert.equal(r.success, false);
  assert.match(describeZodError(r.error!), /input\.data\.lines\.0\.1/);
  const r2 = TaskBundleSchema.safeParse({ ...bundleJson, type: "skill_generation" });
  assert.equal(r2.success, false);
  assert.match(describeZodError(r2.error!), /type/);
});

Deno.test("mining tasks: 5 random windows, fresh guids, masked copies hide ids", () => {
  const bundle = TaskBundleSchema.parse(bundleJson);
  const windows = conversationWindows(bundle.input.data.lines);
  assert.equal(windows.length, 4);
  let g = 0;
  const tasks = toMiningTasks({ bundle, windows }, { random: () => 0.5, newGuid: () => `t${g++}` });
  assert.equal(tasks.length, 4, "fewer windows than 5: all of them");
  assert.deepEqual(new Set(tasks.map((t) => t.input!.data.window_idx)), new Set([0, 1, 2, 3]));
  const t = TaskSchema.parse(tasks[0]);
  assert.equal(t.bundle_guid, bundle.guid);
  assert.equal(t.input!.data.prompt, "Tag this: {{ input }}");
  const m = maskTaskForMiner(t);
  assert.equal(m.guid, "HIDDEN");
  assert.equal(m.bundle_guid, "HIDDEN");
  assert.equal(m.input!.guid, "HIDDEN");
  assert.equal(m.input!.data.window_idx, -1);
  assert.notEqual(t.guid, "HIDDEN", "masking copies, the original keeps its ids");
});

Deno.test("bundle payloads: JSON documents checked, clear errors", () => {
  const ok = parseBundlePayload(
    [[0, JSON.stringify({ survey_question: "q?", comment: "c", selected_choices: ["a"] })]],
    SurveyPayloadSchema,
    "survey",
  );
  assert.equal(ok.survey_question, "q?");
  assert.throws(
    () => parseBundlePayload([[0, "# raw markdown"]], SurveyPayloadSchema, "survey"),
    (e) => e instanceof BundlePayloadError && /not JSON/.test(e.message),
  );
  assert.throws(
    () => parseBundlePayload([[0, "{}"]], SurveyPayloadSchema, "survey"),
    /survey_question/,
  );
});
