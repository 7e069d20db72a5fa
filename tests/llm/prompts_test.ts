import assert from "node:assert/strict";
import {
  combineTagsPrompt,
  conversationQualityPrompt,
  conversationTaggingPrompt,
  detectPromptId,
  enrichmentEntitiesPrompt,
  enrichmentTaggingPrompt,
  parseCommaList,
  parseQualityReply,
  PROMPT_IDS,
  PromptInputError,
  surveyTaggingPrompt,
  tagValidationPrompt,
  transcriptEntitiesPrompt,
  webpageEntitiesPrompt,
  webpageTaggingPrompt,
} from "../../llm/prompts/mod.ts";
import { LlmError } from "../../llm/errors.ts";

const LINES: [number, string][] = [
  [0, "What do you do on weekends?"],
  [1, "I go hiking in the Alps and play jazz piano."],
  [0, "Nice, which trails?"],
];

Deno.test("conversation tagging prompt", async (t) => {
  await t.step("renders the conversation as upstream's XML, after the instructions", () => {
    const p = conversationTaggingPrompt(LINES, { conversationId: "83945" });
    assert.equal(p.id, "conversation_tagging");
    assert.equal(p.kind, "tagging");
    assert.equal(p.json, false);
    const xml = "<conversation id='83945'><p0>What do you do on weekends?</p0>" +
      "<p1>I go hiking in the Alps and play jazz piano.</p1><p0>Nice, which trails?</p0>" +
      "</conversation>";
    assert.ok(p.text.includes(`\n\n${xml}\n\n`), p.text);
    assert.ok(p.text.indexOf("topic interests") < p.text.indexOf(xml));
    assert.match(p.text, /<p0> mostly asks the questions and <p1> gives the answers/);
    assert.match(p.text, /comma-separated tags and nothing else/);
    assert.match(p.text, /no English commentary/);
    assert.ok(p.text.endsWith("[cgp-prompt: conversation_tagging]"));
  });
  await t.step("skips lines that are not [speaker, text] pairs", () => {
    const bad = [[0, "ok"], ["x", "no"], [1], [2, "   "], [1, "fine"]] as unknown as [
      number,
      string,
    ][];
    const p = conversationTaggingPrompt(bad);
    assert.ok(p.text.includes("<conversation id='1'><p0>ok</p0><p1>fine</p1></conversation>"));
  });
  await t.step("coding variant asks for at most 10 lowercase technical tags", () => {
    const p = conversationTaggingPrompt(LINES, { coding: true });
    assert.equal(p.id, "conversation_tagging_coding");
    assert.match(p.text, /at most 10 tags/);
    assert.match(p.text, /lowercase/);
    assert.match(p.text, /programming languages/);
  });
  await t.step("prompt override replaces the instructions but keeps the data", () => {
    const p = conversationTaggingPrompt(LINES, { promptOverride: "Give me tags, CSV please." });
    assert.ok(p.text.startsWith("Give me tags, CSV please.\n\n<conversation id='1'>"));
    assert.ok(!p.text.includes("topic interests"));
    assert.equal(detectPromptId(p.text), "conversation_tagging");
  });
  await t.step("empty input is a clear error", () => {
    assert.throws(() => conversationTaggingPrompt([]), (e: unknown) => {
      assert.ok(e instanceof PromptInputError);
      assert.match(e.message, /conversation_tagging: lines must contain at least one/);
      return true;
    });
    assert.throws(() => conversationTaggingPrompt(LINES, { promptOverride: "  " }), /not be empty/);
  });
});

Deno.test("webpage, enrichment, survey and entity prompts", async (t) => {
  await t.step("webpage: at most 15 tags, boilerplate ignored, markdown cut to 1000 chars", () => {
    const md = "# Sourdough baking\n" + "flour ".repeat(400);
    const p = webpageTaggingPrompt(md);
    assert.match(p.text, /at most 15 lowercase tags/);
    assert.match(p.text, /Ignore navigation menus/);
    const body = p.text.slice(p.text.indexOf("<webpage>\n") + 10, p.text.indexOf("\n</webpage>"));
    assert.equal(body, md.slice(0, 1000));
    assert.equal(webpageTaggingPrompt(md, { coding: true }).id, "webpage_tagging_coding");
    assert.throws(() => webpageTaggingPrompt(""), /markdown must not be empty/);
  });
  await t.step("enrichment: title and snippet, at most 10 tags", () => {
    const p = enrichmentTaggingPrompt("Bread 101\nHow to feed a starter");
    assert.match(p.text, /at most 10 lowercase tags/);
    assert.ok(
      p.text.includes("<search_result>\nBread 101\nHow to feed a starter\n</search_result>"),
    );
    assert.equal(enrichmentTaggingPrompt("x", { coding: true }).id, "enrichment_tagging_coding");
  });
  await t.step("survey: question and comment, same language, empty when vague", () => {
    const p = surveyTaggingPrompt("Why did you cancel?", "Too expensive for what it offers.");
    assert.equal(p.kind, "survey");
    assert.ok(p.text.includes("<survey_question>\nWhy did you cancel?\n</survey_question>"));
    assert.ok(p.text.includes("<comment>\nToo expensive for what it offers.\n</comment>"));
    assert.match(p.text, /two to five words/);
    assert.match(p.text, /same language as the comment/);
    assert.match(p.text, /empty line/);
    assert.throws(() => surveyTaggingPrompt("q", ""), /comment must not be empty/);
  });
  await t.step("named entities: 20 normalised entities of the listed kinds", () => {
    for (
      const [p, tag] of [
        [transcriptEntitiesPrompt("Senator Jane Roe met NASA."), "transcript"],
        [webpageEntitiesPrompt("Senator Jane Roe met NASA."), "webpage"],
        [enrichmentEntitiesPrompt("Senator Jane Roe met NASA."), "search_result"],
      ] as const
    ) {
      assert.equal(p.kind, "named_entities");
      assert.match(p.text, /at most 20 named entities/);
      assert.match(p.text, /people, organisations, locations, laws and statutes, budgets/);
      assert.ok(p.text.includes(`<${tag}>\nSenator Jane Roe met NASA.\n</${tag}>`));
    }
    assert.throws(() => transcriptEntitiesPrompt(" \n"), PromptInputError);
  });
  await t.step("combine: each non-empty list in its own block", () => {
    const p = combineTagsPrompt([["rust", "cargo, crates"], [], ["memory safety"]]);
    assert.equal(p.kind, "combine");
    assert.ok(
      p.text.includes(
        '<lists>\n<list n="1">rust, cargo  crates</list>\n<list n="2">memory safety</list>\n</lists>',
      ),
    );
    assert.match(p.text, /at most 20 items/);
    assert.throws(() => combineTagsPrompt([[], [" "]]), /at least one non-empty list/);
  });
});

Deno.test("tag validation prompt", () => {
  const p = tagValidationPrompt(["travel", "inentertainment", "sci fi"]);
  assert.equal(p.kind, "validation");
  assert.ok(p.text.includes("<keywords>travel, inentertainment, sci fi</keywords>"));
  assert.match(p.text, /good English keywords/);
  assert.match(p.text, /several words run together without spaces/);
  assert.match(p.text, /\ngood english keywords: keyword, keyword, \.\.\.\nmalformed keywords:/);
  assert.throws(() => tagValidationPrompt([]), /tags must contain at least one item/);
});

Deno.test("conversation quality prompt and reply parsing", async (t) => {
  await t.step("JSON mode, the three keys, the reasons, the transcript", () => {
    const p = conversationQualityPrompt(LINES);
    assert.equal(p.json, true);
    assert.equal(p.kind, "quality");
    for (const k of ["quality_score", "primary_reason", "reason_details"]) {
      assert.ok(p.text.includes(`"${k}"`), k);
    }
    for (const r of ["Speaker Misidentification", "Crosstalk", "Filler Word Overload"]) {
      assert.ok(p.text.includes(r), r);
    }
    assert.ok(p.text.includes("<p1>I go hiking in the Alps and play jazz piano.</p1>"));
  });
  await t.step("parses plain, fenced and wrapped JSON", () => {
    const obj = { quality_score: 7, primary_reason: "Crosstalk", reason_details: "some overlap" };
    assert.deepEqual(parseQualityReply(JSON.stringify(obj)), obj);
    assert.deepEqual(parseQualityReply("```json\n" + JSON.stringify(obj) + "\n```"), obj);
    assert.deepEqual(parseQualityReply("Here you go: " + JSON.stringify(obj) + " thanks"), obj);
    assert.deepEqual(
      parseQualityReply('{"quality_score": "8", "primary_reason": "Good Quality"}'),
      { quality_score: 8, primary_reason: "Good Quality", reason_details: "" },
    );
  });
  await t.step("invalid replies are clear LlmErrors", () => {
    const cases: [string, RegExp][] = [
      ["no json here", /contains no JSON object/],
      ["{quality_score: 5}", /not valid JSON/],
      ['{"quality_score": 11, "primary_reason": "x"}', /quality_score/],
      ['{"quality_score": 5}', /primary_reason/],
    ];
    for (const [reply, re] of cases) {
      assert.throws(() => parseQualityReply(reply), (e: unknown) => {
        assert.ok(e instanceof LlmError);
        assert.equal(e.code, "malformed");
        assert.match(e.message, re);
        return true;
      });
    }
  });
});

Deno.test("comma-list replies", () => {
  assert.deepEqual(parseCommaList("Jazz, Miles Davis ,hiking"), ["jazz", "miles davis", "hiking"]);
  assert.deepEqual(parseCommaList('"Sci-Fi", "sci-fi", , ""'), ["sci-fi"]);
  assert.deepEqual(parseCommaList("```\nTags: rust, 3d printing, go.\n```"), [
    "rust",
    "3d printing",
    "go",
  ]);
  assert.deepEqual(parseCommaList("1. alpha\n2. beta\n- gamma"), ["alpha", "beta", "gamma"]);
  assert.deepEqual(parseCommaList(""), []);
  assert.deepEqual(parseCommaList(null), []);
});

Deno.test("every prompt id round-trips through its marker", () => {
  for (const id of PROMPT_IDS) {
    assert.equal(detectPromptId(`some text\n\n[cgp-prompt: ${id}]`), id);
  }
  assert.equal(detectPromptId("[cgp-prompt: unknown_thing]"), null);
  assert.equal(detectPromptId("a prompt without marker"), null);
});
