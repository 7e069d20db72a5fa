import assert from "node:assert/strict";
import { LlmError } from "../../llm/errors.ts";
import { GLOVE_MODEL, loadGloveEmbedder } from "../../llm/offline/glove.ts";
import {
  decodeGloveTable,
  encodeGloveTable,
  quantizeRows,
  tokenizeForEmbedding,
} from "../../llm/offline/glove_format.ts";
import { OfflineProvider } from "../../llm/offline/offline_provider.ts";
import { WinkVectorsParser } from "../../llm/offline/wink_vectors_parser.ts";
import { qualityFromStats } from "../../llm/offline/quality_stats.ts";
import * as P from "../../llm/prompts/mod.ts";
import { parseTagValidationReply } from "../../scoring/validate_tags.ts";

function cosine(a: Float32Array, b: Float32Array): number {
  let d = 0, x = 0, y = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    x += a[i] * a[i];
    y += b[i] * b[i];
  }
  return x === 0 || y === 0 ? 0 : d / Math.sqrt(x * y);
}

Deno.test("GloVe cache format round-trips and rejects damage", () => {
  const rows = new Float32Array([0.5, -1, 0.25, 0, 0, 0, 3, 2, -1]);
  const q = quantizeRows(rows, 3);
  assert.ok(q.fidelity > 0.999);
  assert.equal(q.scales[1], 0); // all-zero row
  const bytes = encodeGloveTable({ words: ["tea", "zero", "café"], dims: 3, ...q });
  const t = decodeGloveTable(bytes);
  assert.equal(t.count, 3);
  assert.equal(t.dims, 3);
  assert.deepEqual([...t.offsets], [0, 4, 9, 15]);
  assert.deepEqual([...t.q], [...q.q]);
  assert.throws(() => decodeGloveTable(bytes.subarray(0, bytes.length - 1)), /truncated/);
  const bad = bytes.slice();
  bad[0] = 0;
  assert.throws(() => decodeGloveTable(bad), /bad magic/);
  assert.throws(
    () =>
      encodeGloveTable({
        words: ["a\nb"],
        dims: 1,
        scales: new Float32Array(1),
        q: new Int8Array(1),
        fidelity: 1,
      }),
    /newline/,
  );
  assert.deepEqual(tokenizeForEmbedding("Healthy-lunch: “Salad”, don't!"), [
    "healthy-lunch",
    "salad",
    "don't",
  ]);
});

Deno.test("wink vectors parser: streamed in any chunking, escapes and exponents", () => {
  const vectors: Record<string, number[]> = {
    "tea": [0.5, -1, 1e-5, 1.118, 0],
    'quo"te': [-2.5e1, 3, 0, 1, 1],
    "\\": [1, 2, 3, 3.7, 2],
    "café": [0.25, 0.125, -0.0625, 0.3, 3],
    "vectors": [1, 1, 1, 1.7, 4],
  };
  const json = JSON.stringify({
    precision: 8,
    dimensions: 3,
    words: ["tea", "vectors", 'a"b', "]"],
    vectors,
    unkVector: [0, 0, 0, -1],
  });
  const bytes = new TextEncoder().encode(json);
  const want = (() => {
    const p = new WinkVectorsParser();
    p.push(bytes);
    return p.finish();
  })();
  assert.deepEqual(want.words, Object.keys(vectors));
  assert.equal(want.dims, 3);
  const rows = Float32Array.from(Object.values(vectors).flatMap((v) => v.slice(0, 3)));
  const direct = quantizeRows(rows, 3);
  assert.deepEqual([...want.q], [...direct.q]);
  assert.deepEqual([...want.scales], [...direct.scales]);
  for (const size of [1, 2, 3, 7, 64]) {
    const p = new WinkVectorsParser();
    for (let i = 0; i < bytes.length; i += size) p.push(bytes.subarray(i, i + size));
    const got = p.finish();
    assert.deepEqual(got.words, want.words, `chunk ${size}`);
    assert.deepEqual([...got.q], [...want.q], `chunk ${size}`);
  }
  const cut = new WinkVectorsParser();
  cut.push(bytes.subarray(0, bytes.length - 40));
  assert.throws(() => cut.finish(), /incomplete/);
  const noDims = new WinkVectorsParser();
  assert.throws(
    () => noDims.push(new TextEncoder().encode('{"words":[],"vectors":{"a":[1]}}')),
    /dimensions/,
  );
});

Deno.test("GloVe embedder: real vectors, phrases, unknown words", async () => {
  const g = await loadGloveEmbedder();
  assert.equal(g.dimensions, 100);
  assert.equal(g.vocabularySize, 341_479);
  assert.ok(g.fidelity > 0.999, `fidelity ${g.fidelity}`);
  const [salad, lettuce, football, nonsense, phrase] = g.embed([
    "salad",
    "lettuce",
    "football",
    "xqzvblorf",
    "grilled chicken",
  ]);
  assert.ok(cosine(salad, lettuce) > cosine(salad, football) + 0.2);
  assert.ok(nonsense.every((x) => x === 0), "all-unknown text embeds as the zero vector");
  // A phrase is the mean of its word vectors.
  const grilled = g.wordVector("grilled")!, chicken = g.wordVector("chicken")!;
  for (let i = 0; i < 100; i++) {
    assert.ok(Math.abs(phrase[i] - (grilled[i] + chicken[i]) / 2) < 1e-6);
  }
  // Function words are skipped when the phrase has content words, used when it has none.
  assert.deepEqual([...g.embed(["the salad"])[0]], [...salad]);
  assert.ok(g.embed(["the"])[0].some((x) => x !== 0));
  assert.equal(g.knownWords("sushi and xqzv"), 1);
});

Deno.test("GloVe: healthy-lunch example ranks on-topic tags above off-topic, nonsense last", async () => {
  const g = await loadGloveEmbedder();
  const llm = new OfflineProvider();
  const text = "I had a healthy lunch: a salad with spinach, tomatoes and grilled chicken, " +
    "and fruit for dessert";
  // Ground truth: the text's own tags, from the offline tagger; neighbourhood = their mean.
  const p = P.conversationTaggingPrompt([[0, text]]);
  const truth = P.parseCommaList((await llm.chat({ prompt: p.text, kind: "tagging" })).text);
  assert.ok(truth.includes("salad") && truth.includes("healthy lunch"), truth.join(", "));
  const gt = g.embed(truth);
  const centre = new Float32Array(100);
  for (const v of gt) for (let i = 0; i < 100; i++) centre[i] += v[i] / gt.length;
  const score = (tags: string[]) =>
    g.embed(tags).reduce((s, v) => s + cosine(centre, v), 0) / tags.length;
  const onTopic = score(["healthy lunch", "salad", "vegetables", "nutrition"]);
  const related = score(["restaurant", "cooking"]);
  const offTopic = score(["football", "stock market"]);
  const nonsense = score(["xqzv", "blorf"]);
  assert.ok(onTopic > related, `${onTopic} > ${related}`);
  assert.ok(related > offTopic, `${related} > ${offTopic}`);
  assert.ok(offTopic > nonsense, `${offTopic} > ${nonsense}`);
  assert.equal(nonsense, 0);
});

Deno.test("offline provider answers every prompt sensibly", async (t) => {
  const llm = new OfflineProvider();
  const ask = async (r: P.RenderedPrompt) =>
    (await llm.chat({ prompt: r.text, kind: r.kind, json: r.json })).text;

  await t.step("conversation tagging: keywords and noun phrases of the turns", async () => {
    const tags = P.parseCommaList(
      await ask(P.conversationTaggingPrompt([
        [0, "Do you play any instruments?"],
        [1, "I play jazz piano and I collect vinyl records."],
      ])),
    );
    for (const t of ["jazz piano", "vinyl records"]) assert.ok(tags.includes(t), tags.join());
    assert.ok(!tags.some((t) => /conversation|participant|comma/.test(t)), "no instruction words");
  });
  await t.step("webpage: the page, not the instructions", async () => {
    const tags = P.parseCommaList(
      await ask(
        P.webpageTaggingPrompt("# Sourdough bread\nFeed the rye starter, bake in a Dutch oven."),
      ),
    );
    assert.ok(tags.includes("sourdough bread") && tags.includes("dutch oven"), tags.join());
    assert.ok(!tags.includes("boilerplate") && !tags.includes("tags"), tags.join());
  });
  await t.step("named entities: proper-noun runs without titles, money", async () => {
    const ents = (await ask(
      P.transcriptEntitiesPrompt(
        "Senator Jane Roe met NASA officials in Washington. Mr. John Smith of the Department " +
          "of Energy approved $3 million.",
      ),
    )).split(", ");
    for (const e of ["Jane Roe", "NASA", "Washington", "John Smith", "Department of Energy"]) {
      assert.ok(ents.includes(e), `${e} in ${ents}`);
    }
    assert.ok(ents.some((e) => e.includes("3 million")));
  });
  await t.step("survey: multi-word concepts from the comment", async () => {
    const tags = P.parseCommaList(
      await ask(
        P.surveyTaggingPrompt("Why did you cancel?", "The subscription price was too high."),
      ),
    );
    assert.deepEqual(tags, ["subscription price"]);
  });
  await t.step("combine: items named by several lists first", async () => {
    const merged = P.parseCommaList(
      await ask(P.combineTagsPrompt([["cargo", "Rust"], ["rust", "borrow checker"], ["rust"]])),
    );
    assert.deepEqual(merged, ["rust", "cargo", "borrow checker"]);
  });
  await t.step("validation: real words good, run-together or gibberish malformed", async () => {
    const tags = ["travel", "healthy lunch", "inentertainment", "xqzv", "sci fi"];
    const reply = await ask(P.tagValidationPrompt(tags));
    assert.match(reply, /^good english keywords: .*\nmalformed keywords: .*$/);
    assert.deepEqual(parseTagValidationReply(reply, tags), ["travel", "healthy lunch", "sci fi"]);
  });
  await t.step("quality: JSON verdict from text statistics", async () => {
    const good = P.parseQualityReply(
      await ask(P.conversationQualityPrompt([
        [0, "What did you think of the new library downtown?"],
        [1, "I loved the reading rooms and the children's section was full of families."],
        [0, "Did you get a membership card while you were there?"],
        [1, "Yes, and I borrowed two novels and a cookbook about Italian food."],
      ])),
    );
    assert.ok(good.quality_score >= 8, JSON.stringify(good));
    const bad = P.parseQualityReply(
      await ask(P.conversationQualityPrompt([[0, "um uh um so uh"], [0, "uh [inaudible] um um"]])),
    );
    assert.ok(bad.quality_score <= 3, JSON.stringify(bad));
    assert.equal(bad.primary_reason, "Filler Word Overload");
  });
  await t.step("an unknown prompt is an unsupported LlmError", async () => {
    await assert.rejects(llm.chat({ prompt: "Write me a poem", kind: "other" }), (e: unknown) => {
      assert.ok(e instanceof LlmError);
      assert.equal(e.code, "unsupported");
      assert.match(e.message, /unrecognised prompt/);
      return true;
    });
  });
  await t.step("embeddings and usage accounting", async () => {
    const [v] = await llm.embed(["salad"], { kind: "embedding" });
    assert.equal(v.length, 100);
    const u = llm.usage();
    assert.equal(llm.embeddingModel, GLOVE_MODEL);
    assert.ok(u.byKind.tagging.calls >= 2);
    assert.equal(u.byKind.embedding.calls, 1);
    assert.equal(u.byKind.other.failures, 1);
    assert.equal(u.total.costUsd, 0); // offline models are priced at zero
  });
});

Deno.test("quality statistics penalise the right reason", () => {
  const known = (w: string) => !w.startsWith("zz");
  const clean: [number, string][] = [
    [0, "We walked along the river and talked about our favourite books and films."],
    [1, "Then we had dinner at a small Italian place near the old bridge in town."],
  ];
  assert.equal(qualityFromStats(clean, known).primary_reason, "Good Quality");
  const garbled: [number, string][] = clean.map(([s, t]) => [s, t.replace(/\b(\w)(\w+)/g, "zz$2")]);
  assert.equal(qualityFromStats(garbled, known).primary_reason, "Transcription Errors");
  const mono: [number, string][] = [0, 1, 2, 3].map(
    () => [0, "I went to the market and bought fresh bread today."],
  );
  const r = qualityFromStats(mono, known);
  assert.ok(
    ["Crosstalk", "Speaker Misidentification"].includes(r.primary_reason),
    r.primary_reason,
  );
  assert.ok(r.quality_score < 10);
});

Deno.test("GloVe conversion is lazy, atomic and safe when two processes race", async () => {
  const dir = await Deno.makeTempDir({ prefix: "glove-race-" });
  try {
    // A small source in the package's own format keeps this test fast; the real 307 MB file
    // goes through the same worker when the default cache is first built.
    const words = Array.from({ length: 3000 }, (_, i) => `w${i}x`);
    const vectors: Record<string, number[]> = {};
    words.forEach((w, i) => {
      vectors[w] = [...Array.from({ length: 100 }, (_, d) => Math.sin(i * 7 + d)), 1, i];
    });
    const source = `${dir}/source.json`;
    await Deno.writeTextFile(source, JSON.stringify({ dimensions: 100, words, vectors }));
    const cacheDir = `${dir}/cache`;
    const glove = new URL("../../llm/offline/glove.ts", import.meta.url).href;
    const code = `import { loadGloveEmbedder } from "${glove}";
      const g = await loadGloveEmbedder({ cacheDir: ${JSON.stringify(cacheDir)},
        sourcePath: ${JSON.stringify(source)} });
      console.log(JSON.stringify({ n: g.vocabularySize, v: Array.from(g.embed(["w42x"])[0]) }));`;
    const run = async () => {
      const r = await new Deno.Command(Deno.execPath(), {
        args: ["eval", code],
        cwd: new URL("../..", import.meta.url).pathname,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
      return JSON.parse(new TextDecoder().decode(r.stdout).trim().split("\n").pop()!);
    };
    const [a, b] = await Promise.all([run(), run()]);
    assert.equal(a.n, 3000);
    assert.deepEqual(a, b);
    const want = vectors.w42x.slice(0, 100);
    assert.ok(cosine(Float32Array.from(a.v), Float32Array.from(want)) > 0.999);
    const files = [...Deno.readDirSync(cacheDir)].map((e) => e.name);
    assert.deepEqual(files, ["glove-sg-100d.v1.bin"], "one complete file, no temporary leftovers");
    // A damaged cache file is rebuilt instead of being trusted.
    const path = `${cacheDir}/glove-sg-100d.v1.bin`;
    const size = (await Deno.stat(path)).size;
    await Deno.truncate(path, 1000);
    assert.deepEqual(await run(), a);
    assert.equal((await Deno.stat(path)).size, size);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
