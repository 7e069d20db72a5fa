/**
 * The validator-side client against a real store and against misbehaving servers: typed
 * results, retries with backoff on 5xx and network errors (never on 4xx), timeouts, malformed
 * bundles, record idempotency, the key file, and the `api-key` command end to end.
 */
import assert from "node:assert/strict";
import { StoreClient } from "../../store/client.ts";
import { startStore, type StoreServer } from "../../store/server.ts";
import { StaticValidatorDirectory } from "../../store/api_keys.ts";
import { apiKeyCommand } from "../../store/api_key_command.ts";
import { readApiKeyFile, writeApiKeyFile } from "../../store/api_key_file.ts";
import { Keypair } from "../../wallet/keypair.ts";

const KEY = "client-test-key";
const HOTKEY = "5ClientValidator";

async function withDemoStore(body: (s: StoreServer) => Promise<void>, demo = true) {
  const store = await startStore({
    db: "sqlite::memory:",
    port: 0,
    demoData: demo,
    apiKeys: [{ key: KEY, hotkey: HOTKEY }],
  });
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

/** A server answering from `handler`, counting requests. */
async function withFake(
  handler: (req: Request, n: number) => Response | Promise<Response>,
  body: (url: string, count: () => number) => Promise<void>,
) {
  let n = 0;
  const ac = new AbortController();
  const { promise, resolve } = Promise.withResolvers<number>();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen: (a) => resolve(a.port) },
    (req) => handler(req, ++n),
  );
  const port = await promise;
  try {
    await body(`http://127.0.0.1:${port}`, () => n);
  } finally {
    ac.abort();
    await server.finished;
  }
}

const fast = { retries: 2, backoffMs: 1 };

Deno.test("client: reserve a typed bundle, legacy conversation, by type", () =>
  withDemoStore(async (store) => {
    const c = new StoreClient({ readUrl: store.url, apiKey: KEY, ...fast });
    const r = await c.reserve({ taskType: "conversation" });
    assert.ok(r.ok, !r.ok ? r.reason : "");
    assert.equal(r.bundle.type, "conversation_tagging");
    assert.ok(r.bundle.input.data.lines.length >= 20);
    const s = await c.reserve({ taskType: "survey" });
    assert.ok(s.ok && s.bundle.type === "survey_tagging");
    const l = await c.reserveLegacy();
    assert.ok(l.ok && l.conversation.lines.length >= 20);
    const unknown = await c.reserve({ taskGuid: "nope" });
    assert.ok(!unknown.ok && unknown.kind === "unavailable" && unknown.status === 404);
  }));

Deno.test("client: empty store and 4xx are not retried; the message comes through", () =>
  withDemoStore(async (store) => {
    const c = new StoreClient({ readUrl: store.url, apiKey: KEY, ...fast });
    const r = await c.reserve();
    assert.ok(!r.ok);
    assert.equal(r.kind, "unavailable");
    assert.match(r.reason, /no conversation available/);
    const bad = new StoreClient({ readUrl: store.url, apiKey: "wrong", ...fast });
    const u = await bad.reserve();
    assert.ok(!u.ok && u.kind === "http" && u.status === 401);
    assert.match(u.reason, /unknown API key/);
    const requests = store.metrics.requests;
    const reserves = [...requests].filter(([k]) => k.includes("reserve"))
      .reduce((a, [, v]) => a + v, 0);
    assert.equal(reserves, 2);
  }, false));

Deno.test("client: 5xx is retried with backoff, then succeeds", () =>
  withFake(
    (_req, n) =>
      n < 3 ? new Response("boom", { status: 502 }) : Response.json({
        type: "conversation_tagging",
        guid: 7,
        input: { input_type: "conversation", data: { lines: [[0, "a"], [1, "b"]] } },
      }),
    async (url, count) => {
      const c = new StoreClient({ readUrl: url, apiKey: null, ...fast });
      const r = await c.reserve();
      assert.ok(r.ok);
      assert.equal(r.bundle.guid, "7");
      assert.equal(count(), 3);
    },
  ));

Deno.test("client: 5xx until the retries run out is a typed failure", () =>
  withFake(
    () => new Response(JSON.stringify({ error: "db down" }), { status: 500 }),
    async (url, count) => {
      const c = new StoreClient({ readUrl: url, apiKey: null, ...fast });
      const r = await c.record("g", {
        hotkey: "h",
        neuron_type: "miner",
        data: {},
      });
      assert.ok(!r.ok && r.kind === "http" && r.status === 500);
      assert.match(r.reason, /db down/);
      assert.equal(count(), 3);
    },
  ));

Deno.test("client: malformed bundle and non-JSON replies are typed failures", () =>
  withFake(
    (_req, n) =>
      n === 1
        ? Response.json({ type: "conversation_tagging", guid: "x" })
        : n === 2
        ? Response.json({ type: "poetry", guid: "x" })
        : new Response("<html>oops</html>", { status: 200 }),
    async (url) => {
      const c = new StoreClient({ readUrl: url, apiKey: null, ...fast });
      const a = await c.reserve();
      assert.ok(!a.ok && a.kind === "invalid");
      assert.match(a.reason, /input/);
      const b = await c.reserve();
      assert.ok(!b.ok && b.kind === "invalid");
      assert.match(b.reason, /type/);
      const d = await c.reserve();
      assert.ok(!d.ok && d.kind === "invalid");
      assert.match(d.reason, /not JSON/);
    },
  ));

Deno.test("client: timeouts and refused connections are retried, then reported", async () => {
  await withFake(async (req) => {
    // Never answers in time: waits until the client gives up (or 2 s at most).
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      req.signal.addEventListener("abort", () => (clearTimeout(t), resolve()));
    });
    return Response.json({});
  }, async (url, count) => {
    const c = new StoreClient({
      readUrl: url,
      apiKey: null,
      timeoutMs: 50,
      retries: 1,
      backoffMs: 1,
    });
    const r = await c.reserve();
    assert.ok(!r.ok && r.kind === "timeout");
    assert.equal(count(), 2);
  });
  // A port nobody listens on.
  const l = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const c = new StoreClient({ readUrl: `http://127.0.0.1:${port}`, apiKey: null, ...fast });
  const r = await c.reserve();
  assert.ok(!r.ok && r.kind === "network");
});

Deno.test("client: record with the bearer key; a retry is a duplicate; bad bodies not sent", () =>
  withDemoStore(async (store) => {
    let sent = 0;
    const countingFetch: typeof fetch = (input, init) => (sent++, fetch(input, init));
    const c = new StoreClient({ readUrl: store.url, apiKey: KEY, fetch: countingFetch, ...fast });
    const r = await c.reserve({ taskType: "conversation" });
    assert.ok(r.ok);
    const body = {
      mode: "test",
      hotkey: HOTKEY,
      neuron_type: "validator" as const,
      task_id: null,
      cgp_version: "2.30.65",
      data: { tags: ["x"] },
    };
    const a = await c.record(r.bundle.guid, body);
    assert.deepEqual(a, { ok: true, status: 200, duplicate: false });
    const b = await c.record(r.bundle.guid, body);
    assert.deepEqual(b, { ok: true, status: 200, duplicate: true });
    const before = sent;
    // deno-lint-ignore no-explicit-any
    const bad = await c.record(r.bundle.guid, { ...body, neuron_type: "oracle" } as any);
    assert.ok(!bad.ok && bad.kind === "invalid");
    assert.match(bad.reason, /neuron_type/);
    assert.equal(sent, before);
    const rows = await store.repo.listResults({ guid: r.bundle.guid });
    assert.equal(rows.length, 1);
  }));

Deno.test("client: key read from readyai_api_data.json", () =>
  withDemoStore(async (store) => {
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/readyai_api_data.json`;
      await writeApiKeyFile({ api_key: KEY, note: "test" }, file);
      assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
      assert.equal(await readApiKeyFile(file), KEY);
      assert.equal(await readApiKeyFile(`${dir}/missing.json`), null);
      const c = await StoreClient.create({ readUrl: store.url, apiKeyFile: file, ...fast });
      assert.equal(c.apiKey, KEY);
      assert.ok((await c.reserve()).ok);
      await Deno.writeTextFile(`${dir}/bad.json`, '{"key": 1}');
      await assert.rejects(() => readApiKeyFile(`${dir}/bad.json`), /api_key/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }));

Deno.test("api-key command: signs the message with the hotkey and writes the key file (0600)", async () => {
  const phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
  const kp = await Keypair.fromMnemonic(phrase);
  const dir = new StaticValidatorDirectory({
    [kp.ss58Address]: { registered: true, validatorPermit: true, stakeTao: 50 },
  });
  const store = await startStore({
    db: "sqlite::memory:",
    port: 0,
    demoData: true,
    directory: dir,
    minStakeTao: 10,
  });
  const tmp = await Deno.makeTempDir();
  Deno.env.set("CGP_TEST_HOTKEY_PHRASE", phrase);
  try {
    const out = `${tmp}/readyai_api_data.json`;
    const code = await apiKeyCommand.run([
      "--api-url",
      store.url,
      "--mnemonic-env",
      "CGP_TEST_HOTKEY_PHRASE",
      "--out",
      out,
    ]);
    assert.equal(code, 0);
    assert.equal((await Deno.stat(out)).mode! & 0o777, 0o600);
    const data = JSON.parse(await Deno.readTextFile(out));
    assert.equal(data.hotkey, kp.ss58Address);
    const c = await StoreClient.create({ readUrl: store.url, apiKeyFile: out });
    assert.ok((await c.reserve()).ok);
    // A hotkey the directory does not know is refused with the reason.
    dir.set(kp.ss58Address, { registered: true, validatorPermit: false, stakeTao: 50 });
    assert.equal(
      await apiKeyCommand.run([
        "--api-url",
        store.url,
        "--mnemonic-env",
        "CGP_TEST_HOTKEY_PHRASE",
        "--out",
        `${tmp}/x.json`,
      ]),
      1,
    );
    await assert.rejects(() => Deno.stat(`${tmp}/x.json`));
  } finally {
    Deno.env.delete("CGP_TEST_HOTKEY_PHRASE");
    await store.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("api-key command: loads the hotkey from a btcli wallet", async () => {
  const { createWallet } = await import("../../wallet/create_wallet.ts");
  const tmp = await Deno.makeTempDir();
  const created = await createWallet({
    name: "val",
    hotkey: "default",
    path: `${tmp}/wallets`,
    coldkeyPassword: null,
  });
  const dir = new StaticValidatorDirectory({
    [created.hotkey.ss58Address]: { registered: true, validatorPermit: true, stakeTao: 30000 },
  });
  const store = await startStore({ db: "sqlite::memory:", port: 0, directory: dir });
  try {
    const out = `${tmp}/readyai_api_data.json`;
    const code = await apiKeyCommand.run([
      "--api-url",
      store.url,
      "--wallet.name",
      "val",
      "--wallet.hotkey",
      "default",
      "--wallet.path",
      `${tmp}/wallets`,
      "--out",
      out,
    ]);
    assert.equal(code, 0);
    const data = JSON.parse(await Deno.readTextFile(out));
    assert.equal(data.hotkey, created.hotkey.ss58Address);
    assert.match(data.api_key, /^cgp_/);
    // A missing wallet is a clear error, not a crash.
    assert.equal(
      await apiKeyCommand.run([
        "--api-url",
        store.url,
        "--wallet.path",
        `${tmp}/none`,
        "--out",
        `${tmp}/y.json`,
      ]),
      1,
    );
  } finally {
    await store.close();
    await Deno.remove(tmp, { recursive: true });
  }
});
