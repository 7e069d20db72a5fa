import assert from "node:assert/strict";
import { LlmError } from "../../llm/errors.ts";
import { startFakeOpenAIServer } from "../../llm/fake_openai_server.ts";
import { OfflineProvider } from "../../llm/offline/offline_provider.ts";
import { conversationQualityPrompt, conversationTaggingPrompt } from "../../llm/prompts/mod.ts";
import { DEFAULT_PRICES } from "../../llm/prices.ts";
import { providerFor } from "./helpers.ts";

const TAGGING = conversationTaggingPrompt([
  [0, "Do you play any instruments?"],
  [1, "I play jazz piano and I collect vinyl records."],
]);

async function rejectsWith(p: Promise<unknown>, code: string, check?: (e: LlmError) => void) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof LlmError, `expected LlmError, got ${e}`);
    assert.equal(e.code, code, e.message);
    check?.(e);
    return true;
  });
}

Deno.test("OpenAIProvider over the fake server (real openai SDK over HTTP)", async (t) => {
  await using server = await startFakeOpenAIServer({ apiKey: "test-key" });

  await t.step("chat: text reply, usage and cost per call kind", async () => {
    server.reset();
    const p = providerFor(server);
    const r = await p.chat({ prompt: TAGGING.text, kind: "tagging" });
    assert.match(r.text, /jazz piano/);
    assert.ok(r.promptTokens > 0 && r.completionTokens > 0);
    assert.equal(server.requests[0].authorization, "Bearer test-key");
    assert.equal(server.requests[0].json, false);
    const u = p.usage();
    assert.equal(u.byKind.tagging.calls, 1);
    assert.equal(u.byKind.tagging.promptTokens, r.promptTokens);
    assert.equal(u.byKind.tagging.completionTokens, r.completionTokens);
    const price = DEFAULT_PRICES["gpt-5-mini"];
    const cost = (r.promptTokens * price.input + r.completionTokens * price.output) / 1e6;
    assert.ok(Math.abs(u.byKind.tagging.costUsd! - cost) < 1e-12);
    assert.equal(u.total.calls, 1);
    assert.equal(u.byModel["gpt-5-mini"].calls, 1);
  });

  await t.step("chat: JSON mode sends response_format and gets JSON", async () => {
    server.reset();
    const p = providerFor(server);
    const q = conversationQualityPrompt([[0, "Hello, how was the concert?"], [1, "Loud."]]);
    const r = await p.chat({ prompt: q.text, kind: "quality", json: true });
    assert.equal(server.requests[0].json, true);
    assert.equal(typeof JSON.parse(r.text).quality_score, "number");
  });

  await t.step("unknown model: tokens counted, cost not guessed", async () => {
    const p = providerFor(server, { chatModel: "my-local-model" });
    await p.chat({ prompt: TAGGING.text, kind: "tagging" });
    const c = p.usage().byKind.tagging;
    assert.equal(c.costUsd, null);
    assert.equal(c.unpricedCalls, 1);
    assert.ok(c.totalTokens > 0);
  });

  await t.step("429 twice, then success: retried with backoff", async () => {
    server.reset();
    server.enqueue({ endpoint: "chat", status: 429, times: 2, retryAfterS: 0 });
    const p = providerFor(server);
    const r = await p.chat({ prompt: TAGGING.text, kind: "tagging" });
    assert.match(r.text, /jazz/);
    assert.equal(server.stats().chat, 3);
    assert.equal(p.usage().byKind.tagging.retries, 2);
    assert.equal(p.usage().byKind.tagging.failures, 0);
  });

  await t.step("5xx until retries run out: a typed server error", async () => {
    server.reset();
    server.enqueue({ status: 503, times: 10 });
    const p = providerFor(server, { maxRetries: 2 });
    await rejectsWith(p.chat({ prompt: TAGGING.text, kind: "tagging" }), "server", (e) => {
      assert.equal(e.status, 503);
      assert.equal(e.attempts, 3);
      assert.equal(e.kind, "tagging");
      assert.ok(e.retryable);
    });
    assert.equal(server.stats().chat, 3);
    assert.equal(p.usage().byKind.tagging.failures, 1);
  });

  await t.step("other 4xx: not retried", async () => {
    server.reset();
    server.enqueue({ status: 400 });
    const p = providerFor(server);
    await rejectsWith(p.chat({ prompt: TAGGING.text, kind: "tagging" }), "client", (e) => {
      assert.equal(e.status, 400);
      assert.equal(e.attempts, 1);
    });
    assert.equal(server.stats().chat, 1);
    const wrongKey = providerFor(server, { apiKey: "nope" });
    await rejectsWith(wrongKey.chat({ prompt: TAGGING.text, kind: "tagging" }), "client", (e) => {
      assert.equal(e.status, 401);
    });
  });

  await t.step("a slow reply times out (each attempt), then a typed timeout error", async () => {
    server.reset();
    server.enqueue({ delayMs: 5_000, times: 2 });
    const p = providerFor(server, { timeoutMs: 150, maxRetries: 1 });
    await rejectsWith(p.chat({ prompt: TAGGING.text, kind: "tagging" }), "timeout", (e) => {
      assert.equal(e.attempts, 2);
    });
    assert.equal(server.stats().chat, 2);
  });

  await t.step("malformed replies: clear errors, not retried, never a crash", async () => {
    const p = providerFor(server);
    for (const malformed of ["invalid_json", "empty_choices"] as const) {
      server.reset();
      server.enqueue({ malformed });
      await rejectsWith(p.chat({ prompt: TAGGING.text, kind: "tagging" }), "malformed");
      assert.equal(server.stats().chat, 1, malformed);
    }
    server.reset();
    server.enqueue({ malformed: "null_content" });
    assert.equal((await p.chat({ prompt: TAGGING.text, kind: "tagging" })).text, "");
  });

  await t.step("the concurrency limit holds", async () => {
    // A fresh server: the timed-out requests above may still be sleeping on the old one.
    await using server = await startFakeOpenAIServer({ apiKey: "test-key" });
    server.enqueue({ delayMs: 100, times: 6 });
    const p = providerFor(server, { concurrency: 2 });
    const replies = await Promise.all(
      Array.from({ length: 6 }, () => p.chat({ prompt: TAGGING.text, kind: "tagging" })),
    );
    assert.equal(replies.length, 6);
    assert.equal(server.stats().maxInFlight, 2);
    assert.equal(server.stats().chat, 6);
    // The measure itself can see more: with a limit of 6, six run at once.
    server.reset();
    server.enqueue({ delayMs: 100, times: 6 });
    const wide = providerFor(server, { concurrency: 6 });
    await Promise.all(
      Array.from({ length: 6 }, () => wide.chat({ prompt: TAGGING.text, kind: "tagging" })),
    );
    assert.equal(server.stats().maxInFlight, 6);
  });

  await t.step("embeddings: batched, in order, equal to the backend's vectors", async () => {
    server.reset();
    const p = providerFor(server, { embeddingBatchSize: 3 });
    const texts = ["salad", "grilled chicken", "football", "stock market", "jazz", "piano", "x y"];
    const vecs = await p.embed(texts);
    assert.deepEqual(server.requests.map((r) => r.inputs?.length), [3, 3, 1]);
    const direct = await new OfflineProvider().embed(texts);
    assert.equal(vecs.length, 7);
    for (let i = 0; i < 7; i++) assert.deepEqual([...vecs[i]], [...direct[i]]);
    assert.equal(p.usage().byKind.embedding.calls, 3);
    assert.ok(p.usage().byKind.embedding.promptTokens > 0);
  });

  await t.step("embeddings: wrong width or a missing vector is a malformed error", async () => {
    const p = providerFor(server);
    for (const malformed of ["wrong_dims", "missing_embedding"] as const) {
      server.reset();
      server.enqueue({ endpoint: "embeddings", malformed });
      await rejectsWith(p.embed(["salad", "soup"]), "malformed");
    }
    server.reset();
    server.enqueue({ endpoint: "embeddings", status: 500 });
    assert.equal((await p.embed(["salad"]))[0].length, 100);
    assert.equal(server.stats().embeddings, 2);
  });

  await t.step("extra body fields reach the server (OpenRouter provider order)", async () => {
    server.reset();
    const p = providerFor(server, { extraBody: { provider: { order: ["chutes"] } } });
    await p.chat({ prompt: TAGGING.text, kind: "tagging" });
    assert.deepEqual(server.requests[0].extra.provider, { order: ["chutes"] });
  });
});

Deno.test("OpenAIProvider: connection refused is a typed network error after retries", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  await using server = await startFakeOpenAIServer();
  const p = providerFor(server, { baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 2 });
  await rejectsWith(p.chat({ prompt: TAGGING.text, kind: "tagging" }), "network", (e) => {
    assert.equal(e.attempts, 3);
  });
});

Deno.test("fake server: HTTP control API scripts replies", async () => {
  await using server = await startFakeOpenAIServer();
  const base = server.url.replace(/\/v1$/, "");
  const r = await fetch(`${base}/control/script`, {
    method: "POST",
    body: JSON.stringify([{ endpoint: "chat", status: 500, times: 1 }]),
  });
  assert.deepEqual(await r.json(), { pending: 1 });
  const bad = await fetch(`${base}/control/script`, {
    method: "POST",
    body: JSON.stringify({ status: 200 }),
  });
  assert.equal(bad.status, 400);
  await bad.body?.cancel();
  const p = providerFor(server);
  await p.chat({ prompt: TAGGING.text, kind: "tagging" });
  const stats = await (await fetch(`${base}/control/stats`)).json();
  assert.equal(stats.chat, 2);
  assert.equal(stats.requests[0].script.status, 500);
  assert.equal(stats.pending, 0);
  const unknown = await fetch(`${server.url}/completions`, { method: "POST", body: "{}" });
  assert.equal(unknown.status, 404);
  await unknown.body?.cancel();
  // The offline backend refuses prompts it does not know: 400, not retried.
  await rejectsWith(p.chat({ prompt: "write a poem", kind: "other" }), "client");
});
