import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { CgpLlm } from "../../llm/cgp_llm.ts";
import { EmbeddingCache } from "../../llm/embedding_cache.ts";
import { LlmError } from "../../llm/errors.ts";
import { startFakeOpenAIServer } from "../../llm/fake_openai_server.ts";
import { OfflineProvider } from "../../llm/offline/offline_provider.ts";
import { detectPromptId } from "../../llm/prompts/mod.ts";
import { providerFor } from "./helpers.ts";

const LINES: [number, string][] = [
  [0, "Do you play any instruments?"],
  [1, "I play jazz piano and I collect vinyl records."],
  [0, "Nice! I am learning classical guitar."],
];

/** A deterministic random source. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

Deno.test("CgpLlm operations on the offline provider", async (t) => {
  const llm = new CgpLlm(new OfflineProvider());
  await t.step("conversation, coding variant and prompt override", async () => {
    const tags = await llm.conversationToMetadata(LINES);
    for (const tag of ["jazz piano", "vinyl records", "classical guitar"]) {
      assert.ok(tags.includes(tag), tags.join(", "));
    }
    assert.ok(tags.every((t) => t === t.toLowerCase() && t.length >= 3));
    const coding = await llm.conversationToMetadata(
      [[0, "My Rust program panics with a borrow checker error in the async runtime."]],
      { coding: true },
    );
    assert.ok(coding.includes("async runtime"), coding.join(", "));
    const over = await llm.conversationToMetadata(LINES, { promptOverride: "List the topics." });
    assert.ok(over.includes("jazz piano"));
  });
  await t.step("webpage, enrichment and their combination", async () => {
    const page = await llm.websiteToMetadata(
      "# Sourdough bread\n[Home](/) [Shop](/shop)\nFeed the rye starter and bake in a Dutch oven.",
    );
    const enrichment = await llm.enrichmentToMetadata(
      "Sourdough starter guide\nHow to keep a rye starter alive and bake sourdough bread.",
    );
    assert.ok(page.includes("sourdough bread") && enrichment.includes("sourdough bread"));
    const combined = await llm.combineMetadataTags([page, enrichment]);
    assert.equal(combined[0], "sourdough bread"); // named by both lists
    assert.equal(new Set(combined).size, combined.length);
    assert.ok(combined.length <= 20);
  });
  await t.step("survey and named entities", async () => {
    assert.deepEqual(
      await llm.surveyToMetadata("Why did you cancel?", "The subscription price was too high."),
      ["subscription price"],
    );
    const text = "Senator Jane Roe met NASA officials in Washington.";
    const a = await llm.rawTranscriptToNamedEntities(text);
    const b = await llm.enrichmentToNamedEntities("NASA budget\nNASA asked Congress for money.");
    assert.deepEqual(a, ["jane roe", "nasa", "washington"]);
    const merged = await llm.combineNamedEntities([a, b]);
    assert.equal(merged[0], "nasa");
    assert.ok(merged.includes("congress"));
    assert.deepEqual(await llm.rawWebpageToNamedEntities(text), a);
  });
  await t.step("empty input: empty result, no LLM call", async () => {
    const before = llm.usage().total.calls;
    assert.deepEqual(await llm.conversationToMetadata([]), []);
    assert.deepEqual(await llm.websiteToMetadata("  "), []);
    assert.deepEqual(await llm.combineMetadataTags([[], []]), []);
    assert.deepEqual(await llm.validateTagSet([]), []);
    assert.deepEqual(await llm.validateTagSet(["x", "!!"]), []);
    assert.equal(await llm.validateConversationQuality([]), null);
    assert.equal((await llm.getVectorEmbeddingsSet(["", "  "])).size, 0);
    assert.equal(llm.usage().total.calls, before);
  });
  await t.step(
    "tag validation: good kept, malformed dropped, verbatim originals only",
    async () => {
      const tags = ["travel", "healthy lunch", "inentertainment", "xqzv", "Sci-Fi", "music"];
      const kept = await llm.validateTagSet(tags, seeded(1));
      assert.deepEqual(new Set(kept), new Set(["travel", "healthy lunch", "music"]));
      const lenient = new CgpLlm(new OfflineProvider(), { keepCleanedVariants: true });
      assert.ok((await lenient.validateTagSet(tags, seeded(1)))!.includes("sci fi"));
    },
  );
  await t.step(
    "tag validation: at most 20 tags go to the LLM, chosen by the random source",
    async () => {
      const many = Array.from(
        { length: 30 },
        (_, i) => `topic ${["alpha", "beta", "gamma"][i % 3]} ${i}`,
      );
      const provider = new OfflineProvider();
      const seen: string[] = [];
      const spy = new CgpLlm({
        ...provider,
        name: provider.name,
        chatModel: provider.chatModel,
        embeddingModel: provider.embeddingModel,
        chat: (req) => {
          seen.push(req.prompt);
          return provider.chat(req);
        },
        embed: (x, o) => provider.embed(x, o),
        usage: () => provider.usage(),
        close: () => provider.close(),
      });
      await spy.validateTagSet(many, seeded(7));
      const sent = /<keywords>(.*)<\/keywords>/.exec(seen[0])![1].split(", ");
      assert.equal(sent.length, 20);
      await spy.validateTagSet(many, seeded(7));
      assert.equal(seen[1], seen[0], "same random source, same selection");
      await spy.validateTagSet(many, seeded(8));
      assert.notEqual(seen[2], seen[0]);
    },
  );
  await t.step("quality gate", async () => {
    const q = await llm.validateConversationQuality([
      [0, "What did you think of the new library downtown?"],
      [1, "I loved the reading rooms and the children's section was full of families."],
      [0, "Did you get a membership card while you were there?"],
      [1, "Yes, and I borrowed two novels and a cookbook about Italian food."],
    ]);
    assert.ok(q && q.quality_score >= 8 && q.primary_reason === "Good Quality", JSON.stringify(q));
  });
  await t.step("embeddings: real GloVe vectors keyed by trimmed tag", async () => {
    const m = await llm.getVectorEmbeddingsSet([" salad ", "salad", "football"]);
    assert.deepEqual([...m.keys()], ["salad", "football"]);
    assert.equal(m.get("salad")!.length, 100);
  });
});

Deno.test("CgpLlm over HTTP: failures are typed errors or empty results", async (t) => {
  await using server = await startFakeOpenAIServer();
  const llm = new CgpLlm(providerFor(server, { maxRetries: 1 }), { qualityModel: "gpt-5-nano" });

  await t.step("the coding prompt is chosen when asked", async () => {
    server.reset();
    await llm.conversationToMetadata(LINES, { coding: true });
    assert.equal(detectPromptId(server.requests[0].prompt!), "conversation_tagging_coding");
  });
  await t.step("malformed bodies: LlmError; empty content: no tags", async () => {
    server.reset();
    server.enqueue({ malformed: "invalid_json" });
    await assert.rejects(llm.conversationToMetadata(LINES), LlmError);
    server.enqueue({ malformed: "null_content" });
    assert.deepEqual(await llm.conversationToMetadata(LINES), []);
    server.enqueue({ content: "I'm sorry, I can't help with that" });
    assert.deepEqual(await llm.conversationToMetadata(LINES), [
      "i'm sorry",
      "i can't help with that",
    ]);
  });
  await t.step("server down: the tagging op throws a typed error", async () => {
    server.reset();
    server.enqueue({ status: 500, times: 2 });
    await assert.rejects(llm.conversationToMetadata(LINES), (e: unknown) => {
      assert.ok(e instanceof LlmError && e.code === "server");
      return true;
    });
  });
  await t.step("tag validation fails open (default) or throws when asked not to", async () => {
    server.reset();
    server.enqueue({ status: 503, times: 2 });
    const tags = ["Travel", "music", "xx", "travel"];
    assert.deepEqual(new Set(await llm.validateTagSet(tags)), new Set(["travel", "music"]));
    server.enqueue({ status: 503, times: 2 });
    await assert.rejects(llm.validateTagSet(tags, Math.random, { failOpen: false }), LlmError);
    const strict = new CgpLlm(llm.provider, { failOpenValidation: false });
    server.enqueue({ status: 503, times: 2 });
    await assert.rejects(strict.validateTagSet(tags), LlmError);
    server.enqueue({ content: "" });
    assert.equal(await llm.validateTagSet(tags), null, "an empty reply is null, like upstream");
  });
  await t.step("quality: its own model, null on bad JSON or a dead server", async () => {
    server.reset();
    const ok = await llm.validateConversationQuality(LINES);
    assert.ok(ok && ok.quality_score >= 1);
    assert.equal(server.requests[0].model, "gpt-5-nano");
    assert.equal(server.requests[0].json, true);
    server.enqueue({
      content: '```json\n{"quality_score": 9, "primary_reason": "Good Quality"}\n```',
    });
    assert.equal((await llm.validateConversationQuality(LINES))?.quality_score, 9);
    server.enqueue({ content: "I think it is a 7/10" });
    assert.equal(await llm.validateConversationQuality(LINES), null);
    server.enqueue({ status: 500, times: 2 });
    assert.equal(await llm.validateConversationQuality(LINES), null);
    server.enqueue({ malformed: "empty_choices" });
    assert.equal(await llm.validateConversationQuality(LINES), null);
  });
  await t.step("embeddings: provider failure is a typed error", async () => {
    server.reset();
    server.enqueue({ endpoint: "embeddings", status: 500, times: 2 });
    await assert.rejects(llm.getVectorEmbeddingsSet(["salad"]), LlmError);
  });
});

Deno.test("embedding cache: hits, restarts, models and dimensions", async (t) => {
  await using server = await startFakeOpenAIServer();
  const dir = await Deno.makeTempDir({ prefix: "emb-cache-" });
  const path = `${dir}/sub/embeddings.sqlite`;
  const tags = ["healthy lunch", "salad", "football", "stock market"];
  try {
    let first: Map<string, Float32Array>;
    await t.step("first call: one batched request; second call: none", async () => {
      const llm = new CgpLlm(providerFor(server), { cache: EmbeddingCache.open(path) });
      first = await llm.getVectorEmbeddingsSet(tags);
      assert.equal(server.stats().embeddings, 1);
      assert.deepEqual(server.requests[0].inputs, tags);
      const again = await llm.getVectorEmbeddingsSet([...tags].reverse());
      assert.equal(server.stats().embeddings, 1, "served from the cache");
      for (const tag of tags) assert.deepEqual([...again.get(tag)!], [...first.get(tag)!]);
      // Only the new tag is requested.
      await llm.getVectorEmbeddingsSet(["salad", "jazz"]);
      assert.equal(server.stats().embeddings, 2);
      assert.deepEqual(server.requests[1].inputs, ["jazz"]);
      await llm.close();
    });
    await t.step("after a restart the vectors are still cached", async () => {
      server.reset();
      const llm = new CgpLlm(providerFor(server), { cache: EmbeddingCache.open(path) });
      const m = await llm.getVectorEmbeddingsSet(tags);
      assert.equal(server.stats().embeddings, 0);
      for (const tag of tags) assert.deepEqual([...m.get(tag)!], [...first.get(tag)!]);
      await llm.close();
    });
    await t.step("another embedding model is a miss", async () => {
      server.reset();
      const cache = EmbeddingCache.open(path);
      const other = providerFor(server, {
        embeddings: { baseURL: server.url, apiKey: "k", model: "other-model", dimensions: 100 },
      });
      const llm = new CgpLlm(other, { cache });
      await llm.getVectorEmbeddingsSet(tags);
      assert.equal(server.stats().embeddings, 1);
      assert.notEqual(llm.embeddingCacheModel, new CgpLlm(providerFor(server)).embeddingCacheModel);
      await llm.close();
    });
    await t.step("rows of the wrong dimension are rejected, then replaced", async () => {
      server.reset();
      const model = new CgpLlm(providerFor(server)).embeddingCacheModel;
      // Corrupt one row: its blob no longer matches its width.
      const db = new DatabaseSync(path);
      db.prepare("UPDATE embeddings SET vec = ? WHERE model = ? AND text = ?")
        .run(new Uint8Array(40), model, "salad");
      db.close();
      let cache = EmbeddingCache.open(path);
      assert.equal(cache.getMany(model, ["salad", "football"], 100).size, 1);
      assert.equal(cache.stats().rejected, 1);
      // A cache filled at another width never answers for this one.
      assert.equal(cache.getMany(model, ["football"], 50).size, 0);
      const llm = new CgpLlm(providerFor(server), { cache });
      const m = await llm.getVectorEmbeddingsSet(["salad", "football"]);
      assert.deepEqual(server.requests[0].inputs, ["salad"]);
      assert.equal(m.get("salad")!.length, 100);
      await llm.close();
      // A model whose width changed drops its old rows.
      cache = EmbeddingCache.open(path);
      cache.putMany(model, [["soup", new Float32Array(50).fill(1)]]);
      assert.equal(cache.modelDimensions(model), 50);
      assert.equal(cache.getMany(model, ["football", "soup"]).size, 1);
      assert.equal(cache.getMany(model, ["soup"], 100).size, 0);
      assert.throws(
        () => cache.putMany(model, [["a", new Float32Array(2)], ["b", new Float32Array(3)]]),
        /mixed or zero dimensions/,
      );
      cache.close();
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
