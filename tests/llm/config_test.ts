import assert from "node:assert/strict";
import { loadLlmConfig } from "../../llm/config.ts";
import { LlmError } from "../../llm/errors.ts";
import { createCgpLlmFromEnv, createProviderFromEnv } from "../../llm/factory.ts";
import { startFakeOpenAIServer } from "../../llm/fake_openai_server.ts";
import { OfflineProvider } from "../../llm/offline/offline_provider.ts";
import { OpenAIProvider } from "../../llm/openai_provider.ts";
import { backoffDelay } from "../../llm/retry.ts";
import { Semaphore } from "../../llm/semaphore.ts";
import { UsageMeter } from "../../llm/usage.ts";

function configError(env: Record<string, string>, variable: string, re: RegExp) {
  assert.throws(() => loadLlmConfig(env), (e: unknown) => {
    assert.ok(e instanceof LlmError, String(e));
    assert.equal(e.code, "config");
    assert.equal(e.variable, variable);
    assert.match(e.message, re);
    assert.ok(e.message.startsWith(`${variable}: `), e.message);
    return true;
  });
}

Deno.test("config: upstream presets and defaults", async (t) => {
  await t.step("openai by default: gpt-5.2, quality on gpt-5-mini, 3-small at 1536", () => {
    const c = loadLlmConfig({ OPENAI_API_KEY: "sk" });
    assert.equal(c.preset, "openai");
    assert.equal(c.baseURL, undefined);
    assert.equal(c.chatModel, "gpt-5.2");
    assert.equal(c.qualityModel, "gpt-5-mini");
    assert.deepEqual(c.embeddings, {
      baseURL: undefined,
      apiKey: "sk",
      model: "text-embedding-3-small",
      dimensions: 1536,
    });
    assert.equal(c.timeoutMs, 60_000);
    assert.equal(c.maxRetries, 3);
    assert.ok(c.embeddingCachePath?.endsWith("/cgp-node/embeddings.sqlite"));
  });
  await t.step("OPENAI_MODEL is used for quality too; embeddings model overrides", () => {
    const c = loadLlmConfig({
      OPENAI_API_KEY: "sk",
      OPENAI_MODEL: "gpt-4o",
      OPENAI_EMBEDDINGS_MODEL: "text-embedding-3-large",
      OPENAI_EMBEDDINGS_MODEL_OVERRIDE: "text-embedding-ada-002",
    });
    assert.equal(c.chatModel, "gpt-4o");
    assert.equal(c.qualityModel, "gpt-4o");
    assert.equal(c.embeddings.model, "text-embedding-ada-002");
    assert.equal(c.embeddings.dimensions, undefined);
  });
  await t.step("LLM_TYPE_OVERRIDE wins over LLM_TYPE", () => {
    const c = loadLlmConfig({ LLM_TYPE: "openai", LLM_TYPE_OVERRIDE: "offline" });
    assert.equal(c.preset, "offline");
    assert.equal(c.embeddings.dimensions, 100);
  });
  await t.step("openrouter: base URL, deepseek, provider order", () => {
    const c = loadLlmConfig({
      LLM_TYPE: "OpenRouter",
      OPENROUTER_API_KEY: "or",
      OPENROUTER_PROVIDER_PREFERENCE: "together",
    });
    assert.equal(c.baseURL, "https://openrouter.ai/api/v1");
    assert.equal(c.chatModel, "deepseek/deepseek-chat");
    assert.deepEqual(c.extraBody, { provider: { order: ["together"] } });
    assert.equal(c.embeddings.baseURL, "https://openrouter.ai/api/v1");
    assert.equal(c.embeddings.model, "text-embedding-3-small");
  });
  await t.step("chutes: its own embeddings URL", () => {
    const c = loadLlmConfig({
      LLM_TYPE_OVERRIDE: "chutes",
      CHUTES_API_KEY: "ch",
      CHUTES_EMBEDDING_URL: "https://emb.example/v1/embeddings",
    });
    assert.equal(c.baseURL, "https://llm.chutes.ai/v1");
    assert.equal(c.chatModel, "deepseek-ai/DeepSeek-V3");
    assert.equal(c.embeddings.baseURL, "https://emb.example/v1");
    assert.equal(c.embeddings.apiKey, "ch");
  });
  await t.step("groq and anthropic embed through OpenAI", () => {
    const g = loadLlmConfig({ LLM_TYPE: "groq", GROQ_API_KEY: "gq", OPENAI_API_KEY: "sk" });
    assert.equal(g.baseURL, "https://api.groq.com/openai/v1");
    assert.equal(g.chatModel, "llama3-8b-8192");
    assert.deepEqual([g.embeddings.baseURL, g.embeddings.apiKey], [undefined, "sk"]);
    const a = loadLlmConfig({
      LLM_TYPE: "anthropic",
      ANTHROPIC_API_KEY: "an",
      ANTHROPIC_MODEL: "claude-sonnet-4-5",
      OPENAI_API_KEY: "sk",
    });
    assert.equal(a.baseURL, "https://api.anthropic.com/v1/");
    assert.equal(a.chatModel, "claude-sonnet-4-5");
    assert.equal(a.jsonMode, false);
  });
  await t.step("local servers: configurable base URL, no key needed", () => {
    const o = loadLlmConfig({ LLM_TYPE: "ollama" });
    assert.equal(o.baseURL, "http://127.0.0.1:11434/v1");
    assert.equal(o.apiKey, "none");
    assert.equal(o.embeddings.model, "nomic-embed-text");
    const v = loadLlmConfig({
      LLM_TYPE: "vllm",
      LLM_BASE_URL: "http://10.0.0.5:8000/v1",
      LLM_MODEL: "Qwen/Qwen2.5-7B-Instruct",
      LLM_EMBEDDINGS_MODEL: "BAAI/bge-m3",
      LLM_EMBEDDING_DIMENSIONS: "1024",
    });
    assert.equal(v.baseURL, "http://10.0.0.5:8000/v1");
    assert.equal(v.embeddings.dimensions, 1024);
    const l = loadLlmConfig({
      LLM_TYPE: "local",
      LLM_BASE_URL: "http://127.0.0.1:9999/v1",
      LLM_MODEL: "m",
      LLM_EMBEDDINGS_MODEL: "e",
      LLM_EMBEDDINGS_BASE_URL: "http://127.0.0.1:9998/v1",
      LLM_EMBEDDING_CACHE: "off",
      HTTP_TIMEOUT: "5",
    });
    assert.equal(l.embeddings.baseURL, "http://127.0.0.1:9998/v1");
    assert.equal(l.embeddingCachePath, null);
    assert.equal(l.timeoutMs, 5000);
  });
  await t.step("prices can be extended", () => {
    const c = loadLlmConfig({
      LLM_TYPE: "offline",
      LLM_PRICES_JSON: '{"my-model": {"input": 1, "output": 2}}',
    });
    assert.deepEqual(c.prices["my-model"], { input: 1, output: 2 });
    assert.ok(c.prices["gpt-5.2"]);
  });
});

Deno.test("config: bad values are errors naming the variable", () => {
  configError({}, "OPENAI_API_KEY", /required when LLM_TYPE is openai/);
  configError({ LLM_TYPE: "gpt" }, "LLM_TYPE", /expected one of openai, .*\(got "gpt"\)/);
  configError({ LLM_TYPE_OVERRIDE: "x" }, "LLM_TYPE_OVERRIDE", /expected one of/);
  configError(
    { LLM_TYPE_OVERRIDE: "groq", OPENAI_API_KEY: "s" },
    "GROQ_API_KEY",
    /LLM_TYPE_OVERRIDE is groq/,
  );
  configError({ LLM_TYPE: "groq", GROQ_API_KEY: "g" }, "OPENAI_API_KEY", /embeddings go to OpenAI/);
  configError({ LLM_TYPE: "local" }, "LLM_BASE_URL", /required when LLM_TYPE is local/);
  configError({ LLM_TYPE: "vllm" }, "LLM_MODEL", /required/);
  configError(
    { LLM_TYPE: "offline", LLM_TIMEOUT_MS: "soon" },
    "LLM_TIMEOUT_MS",
    /integer.*\(got "soon"\)/,
  );
  configError({ LLM_TYPE: "offline", LLM_CONCURRENCY: "0" }, "LLM_CONCURRENCY", /between 1 and/);
  configError({ LLM_TYPE: "offline", LLM_BASE_URL: "not a url" }, "LLM_BASE_URL", /URL/);
  configError(
    { LLM_TYPE: "offline", LLM_FAIL_OPEN_VALIDATION: "maybe" },
    "LLM_FAIL_OPEN_VALIDATION",
    /true\/false/,
  );
  configError({ LLM_TYPE: "offline", LLM_PRICES_JSON: "{" }, "LLM_PRICES_JSON", /expected/);
  configError(
    { LLM_TYPE: "offline", LLM_RETRY_BASE_MS: "100", LLM_RETRY_MAX_MS: "10" },
    "LLM_RETRY_MAX_MS",
    /LLM_RETRY_BASE_MS/,
  );
  configError(
    { LLM_TYPE: "chutes", CHUTES_API_KEY: "c", CHUTES_EMBEDDING_URL: "https://x.example/embed" },
    "CHUTES_EMBEDDING_URL",
    /ending in \/embeddings/,
  );
});

Deno.test("factory: env selects the provider; local preset talks to the fake server", async () => {
  assert.ok(createProviderFromEnv({ LLM_TYPE: "offline" }) instanceof OfflineProvider);
  await using server = await startFakeOpenAIServer({ apiKey: "local-key" });
  const dir = await Deno.makeTempDir();
  try {
    const { llm, provider, config } = createCgpLlmFromEnv({
      LLM_TYPE: "local",
      LLM_BASE_URL: server.url,
      LLM_API_KEY: "local-key",
      LLM_MODEL: "my-model",
      LLM_EMBEDDINGS_MODEL: "glove-sg-100d",
      LLM_EMBEDDING_DIMENSIONS: "100",
      LLM_EMBEDDING_CACHE: `${dir}/e.sqlite`,
    });
    assert.ok(provider instanceof OpenAIProvider);
    assert.equal(provider.name, "local");
    assert.equal(config.embeddingCachePath, `${dir}/e.sqlite`);
    const tags = await llm.conversationToMetadata([[0, "We went sailing around Greek islands."]]);
    assert.ok(tags.includes("greek islands"), tags.join(", "));
    assert.equal(server.requests[0].model, "my-model");
    await llm.getVectorEmbeddingsSet(tags);
    await llm.getVectorEmbeddingsSet(tags);
    assert.equal(server.stats().embeddings, 1);
    await llm.close();
    // server.env() gives the same wiring in one call.
    const viaEnv = createCgpLlmFromEnv(server.env({ LLM_MAX_RETRIES: "0" }));
    assert.equal(viaEnv.config.embeddingCachePath, null);
    assert.equal(viaEnv.config.maxRetries, 0);
    const viaTags = await viaEnv.llm.conversationToMetadata([[0, "Greek islands"]]);
    assert.equal(viaTags[0], "greek islands");
    await viaEnv.llm.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("semaphore: FIFO, never above the limit", async () => {
  const s = new Semaphore(2);
  let active = 0, peak = 0;
  const order: number[] = [];
  await Promise.all(Array.from({ length: 5 }, (_, i) =>
    s.run(async () => {
      active++;
      peak = Math.max(peak, active);
      order.push(i);
      await new Promise((r) => setTimeout(r, 5));
      active--;
    })));
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
  assert.equal(s.active, 0);
  const release = await s.acquire();
  release();
  release(); // idempotent
  assert.equal(s.active, 0);
  assert.throws(() => new Semaphore(0), RangeError);
});

Deno.test("backoff: exponential, jittered, capped, honours retry-after", () => {
  const o = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  const lo = { ...o, random: () => 0 }, hi = { ...o, random: () => 0.999999 };
  assert.equal(backoffDelay(1, lo), 50);
  assert.ok(Math.abs(backoffDelay(1, hi) - 100) < 0.01);
  assert.equal(backoffDelay(3, lo), 200);
  assert.ok(Math.abs(backoffDelay(3, hi) - 400) < 0.01);
  assert.ok(backoffDelay(10, hi) <= 1000);
  assert.equal(backoffDelay(1, lo, 700), 700);
  assert.equal(backoffDelay(1, lo, 60_000), 1000);
});

Deno.test("usage meter: per kind, totals, priced and unpriced", () => {
  const m = new UsageMeter({ a: { input: 1, output: 2 } });
  m.recordSuccess("tagging", "a", 1_000_000, 500_000, 1);
  m.recordSuccess("tagging", "b", 10, 5, 0);
  m.recordFailure("quality", 3);
  const s = m.snapshot();
  assert.equal(s.byKind.tagging.calls, 2);
  assert.equal(s.byKind.tagging.costUsd, 2);
  assert.equal(s.byKind.tagging.unpricedCalls, 1);
  assert.equal(s.byKind.tagging.totalTokens, 1_500_015);
  assert.equal(s.byKind.quality.costUsd, null);
  assert.equal(s.total.failures, 1);
  assert.equal(s.total.retries, 4);
  assert.equal(s.total.costUsd, 2);
  assert.deepEqual(s.byModel.b, { calls: 1, promptTokens: 10, completionTokens: 5 });
});
