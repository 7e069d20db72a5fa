/**
 * The store's HTTP API on a real server, one test body per backend (SQLite, PostgreSQL):
 * reserve formats and refusals, leases, two validators at once, idempotent records, bad
 * payloads, API-key issuance and its refusals, browsing, stats and metrics.
 */
import assert from "node:assert/strict";
import { u8aToHex } from "@polkadot/util";
import { backends, sampleConversations, withRepo } from "./backends.ts";
import { Keypair } from "../../wallet/keypair.ts";
import { StaticValidatorDirectory } from "../../store/api_keys.ts";
import { startStore, type StoreServer } from "../../store/server.ts";
import type { StoreRepository } from "../../store/repository.ts";
import { LegacyConversationSchema, TaskBundleSchema } from "../../tasks/mod.ts";

const DEV_PHRASE = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
const VALIDATOR_KEY = "test-validator-key";
const OTHER_KEY = "test-other-key";

interface Ctx {
  store: StoreServer;
  clock: { now: number };
  dir: StaticValidatorDirectory;
  repo: StoreRepository;
}

async function withStore(
  repo: StoreRepository,
  body: (c: Ctx) => Promise<void>,
  opts: { requireApiKey?: boolean; maxBodyBytes?: number } = {},
) {
  const clock = { now: 1_700_000_000_000 };
  const dir = new StaticValidatorDirectory();
  const store = await startStore({
    db: repo,
    port: 0,
    now: () => clock.now,
    leaseSeconds: 60,
    directory: dir,
    minStakeTao: 10,
    apiKeys: [
      { key: VALIDATOR_KEY, hotkey: "5Validator1" },
      { key: OTHER_KEY, hotkey: "5Validator2" },
    ],
    ...opts,
  });
  try {
    await body({ store, clock, dir, repo });
  } finally {
    await store.close();
  }
}

function req(
  store: StoreServer,
  method: string,
  path: string,
  body?: unknown,
  key: string | null = VALIDATOR_KEY,
  headers: Record<string, string> = {},
) {
  const h: Record<string, string> = { "content-type": "application/json", ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  return fetch(`${store.url}${path}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

const RESERVE = "/api/v1/conversation/reserve?cgp_version=2.30.65";

function headRecord(over: Record<string, unknown> = {}) {
  return {
    mode: "test",
    model: "gpt-4o",
    embeddings_model: "text-embedding-3-large",
    marker_id: "m1",
    llm_type: "openai",
    scoring_version: 0.1,
    cgp_version: "2.30.65",
    netuid: 33,
    hotkey: "5Validator1",
    neuron_type: "validator",
    task_id: null,
    batch_number: 7,
    data: { tags: ["hiking", "weather"], vectors: { hiking: { vectors: [0.1, 0.2] } } },
    ...over,
  };
}

for (const backend of backends()) {
  Deno.test(`store HTTP API (${backend.name})`, async (t) => {
    await t.step(
      "reserve: bundle, legacy, by type, by guid; errors as JSON",
      () =>
        withRepo(backend, (repo) =>
          withStore(repo, async ({ store }) => {
            let r = await req(store, "POST", RESERVE);
            assert.equal(r.status, 404);
            const empty = await r.json();
            assert.equal(empty.mode, "error");
            assert.match(empty.error, /no conversation available/);

            await repo.insertItems(sampleConversations(3), Date.now());
            await repo.insertItems([{
              guid: "survey-1",
              type: "survey_tagging",
              lines: [[0, JSON.stringify({ survey_question: "q?", comment: "c" })]],
              participants: [],
            }], Date.now());

            r = await req(store, "POST", RESERVE, { task_type: "conversation", task_guid: "c-1" });
            assert.equal(r.status, 200);
            const bundle = TaskBundleSchema.parse(await r.json());
            assert.equal(bundle.type, "conversation_tagging");
            assert.equal(bundle.guid, "c-1");
            assert.equal(bundle.input.input_type, "conversation");
            assert.deepEqual(bundle.input.data.participants, ["SPEAKER_0", "SPEAKER_1"]);
            assert.equal(bundle.input.data.total, 12);
            assert.equal(bundle.input.data.min_convo_windows, 1);
            assert.equal(bundle.prompt_chain?.length, 1);
            assert.match(bundle.prompt_chain![0].prompt_template ?? "", /tags/);
            assert.ok(bundle.example_output?.tags?.length);

            r = await req(store, "POST", `${RESERVE}&format=legacy`);
            assert.equal(r.status, 200);
            const legacy = LegacyConversationSchema.parse(await r.json());
            assert.notEqual(legacy.guid, "c-1");
            assert.equal(legacy.lines.length, 12);
            assert.equal(legacy.total, 12);
            assert.ok(!("type" in legacy));

            r = await req(store, "POST", RESERVE, { task_type: "survey" });
            const survey = TaskBundleSchema.parse(await r.json());
            assert.equal(survey.type, "survey_tagging");
            assert.equal(survey.input.input_type, "survey");
            assert.deepEqual(JSON.parse(survey.input.data.lines[0][1]), {
              survey_question: "q?",
              comment: "c",
            });

            r = await req(store, "POST", RESERVE, { task_type: "sports" });
            assert.equal(r.status, 422);
            assert.match((await r.json()).error, /task_type/);
            r = await req(store, "POST", RESERVE, "{not json");
            assert.equal(r.status, 400);
            await r.body?.cancel();
            r = await req(store, "POST", RESERVE, { task_guid: "missing" });
            assert.equal(r.status, 404);
            assert.match((await r.json()).error, /task_guid/);
          })),
    );

    await t.step(
      "reserve: API key required, ?api= accepted, unknown key refused",
      () =>
        withRepo(backend, async (repo) => {
          await repo.insertItems(sampleConversations(3), Date.now());
          await withStore(repo, async ({ store }) => {
            let r = await req(store, "POST", RESERVE, undefined, null);
            assert.equal(r.status, 401);
            assert.match((await r.json()).error, /missing API key/);
            r = await req(store, "POST", RESERVE, undefined, "nope");
            assert.equal(r.status, 401);
            assert.match((await r.json()).error, /unknown API key/);
            r = await req(store, "POST", `${RESERVE}&api=${VALIDATOR_KEY}`, undefined, null);
            assert.equal(r.status, 200);
            await r.body?.cancel();
            r = await req(store, "PUT", "/api/v1/conversation/record/c-0", headRecord(), null);
            assert.equal(r.status, 401);
            await r.body?.cancel();
          });
          await withStore(repo, async ({ store }) => {
            const r = await req(store, "POST", RESERVE, undefined, null);
            assert.equal(r.status, 200);
            await r.body?.cancel();
          }, { requireApiKey: false });
        }),
    );

    await t.step(
      "leases: held until expiry, busy answered 503, two validators at once",
      () =>
        withRepo(backend, async (repo) => {
          await repo.insertItems(sampleConversations(6), Date.now());
          await withStore(repo, async ({ store, clock }) => {
            const keys = [VALIDATOR_KEY, OTHER_KEY];
            const replies = await Promise.all(
              Array.from({ length: 10 }, (_, i) => req(store, "POST", RESERVE, {}, keys[i % 2])),
            );
            const ok = replies.filter((r) => r.status === 200);
            const busy = replies.filter((r) => r.status === 503);
            assert.equal(ok.length, 6);
            assert.equal(busy.length, 4);
            const guids = await Promise.all(ok.map(async (r) => (await r.json()).guid));
            assert.equal(new Set(guids).size, 6);
            for (const b of busy) {
              assert.ok(b.headers.get("retry-after"));
              assert.match((await b.json()).error, /leased/);
            }
            const detail = await (await req(store, "GET", `/api/v1/conversations/${guids[0]}`))
              .json();
            assert.ok(["5Validator1", "5Validator2"].includes(detail.lease.holder));
            clock.now += 60_000;
            const again = await req(store, "POST", RESERVE, {}, OTHER_KEY);
            assert.equal(again.status, 200);
            await again.body?.cancel();
          });
        }),
    );

    await t.step(
      "record: stored, idempotent on retry, both body versions, bad payloads",
      () =>
        withRepo(backend, async (repo) => {
          await repo.insertItems(sampleConversations(2), Date.now());
          await withStore(repo, async ({ store }) => {
            const path = "/api/v1/conversation/record/c-0";
            let r = await req(store, "PUT", path, headRecord());
            assert.equal(r.status, 200);
            const first = await r.json();
            assert.deepEqual([first.success, first.duplicate], [true, false]);
            // The same record again, keys in another order: no second row.
            const reordered = Object.fromEntries(Object.entries(headRecord()).reverse());
            r = await req(store, "PUT", path, reordered);
            assert.equal(r.status, 200);
            assert.deepEqual(await r.json(), { success: true, id: first.id, duplicate: true });
            // A miner record (any hotkey) and a first-version body.
            r = await req(
              store,
              "PUT",
              path,
              headRecord({
                neuron_type: "miner",
                hotkey: "5Miner1",
                task_id: "task-1",
                data: { result: { tags: ["a"] }, task: {} },
              }),
            );
            assert.equal(r.status, 200);
            await r.body?.cancel();
            r = await req(store, "PUT", path, {
              type: "miner",
              mode: "test",
              model: "gpt",
              marker_id: "m",
              convo_window_index: 2,
              hotkey: "5Miner2",
              llm_type: "openai",
              scoring_version: 0.1,
              batch_num: 4,
              cgp_version: "0.1.0",
              data: { tags: ["x"], vectors: {} },
            });
            assert.equal(r.status, 200);
            await r.body?.cancel();
            // Idempotency-Key: same key + same body repeats, same key + other body conflicts.
            const ik = { "idempotency-key": "abc" };
            r = await req(store, "PUT", path, headRecord({ batch_number: 8 }), VALIDATOR_KEY, ik);
            assert.equal((await r.json()).duplicate, false);
            r = await req(store, "PUT", path, headRecord({ batch_number: 8 }), VALIDATOR_KEY, ik);
            assert.equal((await r.json()).duplicate, true);
            r = await req(store, "PUT", path, headRecord({ batch_number: 9 }), VALIDATOR_KEY, ik);
            assert.equal(r.status, 409);
            assert.match((await r.json()).error, /Idempotency-Key/);

            const results = await (await req(store, "GET", "/api/v1/results?guid=c-0")).json();
            assert.equal(results.results.length, 4);
            const ee = results.results.find((x: { hotkey: string }) => x.hotkey === "5Miner2");
            assert.deepEqual([ee.body_version, ee.task_id, ee.batch_number], ["ee", "window:2", 4]);
            const byHotkey = await (await req(store, "GET", "/api/v1/results?hotkey=5Miner1"))
              .json();
            assert.equal(byHotkey.results.length, 1);
            assert.equal(byHotkey.results[0].task_id, "task-1");

            const bad: [unknown, number, RegExp][] = [
              [{ ...headRecord(), neuron_type: "oracle" }, 422, /neuron_type/],
              [{ ...headRecord(), hotkey: undefined }, 422, /hotkey/],
              [{ ...headRecord(), data: undefined }, 422, /data/],
              [{ ...headRecord(), batch_number: "seven" }, 422, /batch_number/],
              [[1, 2], 422, /root/],
              ["{", 400, /not JSON/],
              ["", 400, /JSON body is required/],
              [headRecord({ hotkey: "5SomeoneElse" }), 403, /hotkey/],
            ];
            for (const [body, status, re] of bad) {
              r = await req(store, "PUT", path, body);
              assert.equal(r.status, status, JSON.stringify(body));
              assert.match((await r.json()).error, re);
            }
            r = await req(
              store,
              "PUT",
              "/api/v1/conversation/record/never-handed-out",
              headRecord(),
            );
            assert.equal(r.status, 404);
            assert.match((await r.json()).error, /guid/);
          });
        }),
    );

    await t.step("record: a huge body gets 413", () =>
      withRepo(backend, async (repo) => {
        await repo.insertItems(sampleConversations(1), Date.now());
        await withStore(repo, async ({ store }) => {
          const big = headRecord({ data: { blob: "x".repeat(5000) } });
          const r = await req(store, "PUT", "/api/v1/conversation/record/c-0", big);
          assert.equal(r.status, 413);
          assert.match((await r.json()).error, /body/);
        }, { maxBodyBytes: 4096 });
      }));

    await t.step(
      "API keys: issued for a signed message; refusals name the reason",
      () =>
        withRepo(backend, async (repo) => {
          await repo.insertItems(sampleConversations(2), Date.now());
          await withStore(repo, async ({ store, clock, dir }) => {
            const kp = await Keypair.fromMnemonic(DEV_PHRASE);
            const hk = kp.ss58Address;
            const ask = async (hotkey: string) => {
              const r = await req(store, "POST", "/api/v1/generate_message", { hotkey }, null);
              return { status: r.status, json: await r.json() };
            };
            const trade = async (body: unknown) => {
              const r = await req(store, "POST", "/api/v1/generate_api_key", body, null);
              return { status: r.status, json: await r.json() };
            };
            // Unregistered, no permit, low stake: refused already at the message.
            let m = await ask(hk);
            assert.equal(m.status, 403);
            assert.match(m.json.error, /not registered/);
            dir.set(hk, { registered: true, validatorPermit: false, stakeTao: 100 });
            m = await ask(hk);
            assert.match(m.json.error, /validator permit/);
            dir.set(hk, { registered: true, validatorPermit: true, stakeTao: 5 });
            m = await ask(hk);
            assert.match(m.json.error, /5 TAO staked; at least 10/);
            m = await ask("not-an-address");
            assert.equal(m.status, 400);

            dir.set(hk, { registered: true, validatorPermit: true, stakeTao: 25 });
            m = await ask(hk);
            assert.equal(m.status, 200);
            const message: string = m.json.message;
            assert.ok(m.json.expires_at);
            const sig = u8aToHex(kp.sign(message));

            // Bad signature (another key signed it).
            const other = await Keypair.fromSeed(new Uint8Array(32).fill(7));
            let k = await trade({ hotkey: hk, message, signature: u8aToHex(other.sign(message)) });
            assert.equal(k.status, 401);
            assert.match(k.json.error, /signature/);
            k = await trade({ hotkey: hk, message, signature: "0x1234" });
            assert.equal(k.status, 422);
            assert.match(k.json.error, /signature/);
            // Stake fell after the message: refused at issuance too.
            dir.set(hk, { registered: true, validatorPermit: true, stakeTao: 1 });
            k = await trade({ hotkey: hk, message, signature: sig });
            assert.equal(k.status, 403);
            dir.set(hk, { registered: true, validatorPermit: true, stakeTao: 25 });

            k = await trade({ hotkey: hk, message, signature: sig });
            assert.equal(k.status, 200);
            const apiKey: string = k.json.api_key;
            assert.match(apiKey, /^cgp_[0-9a-f]{64}$/);
            // The message is single-use.
            k = await trade({ hotkey: hk, message, signature: sig });
            assert.equal(k.status, 400);
            assert.match(k.json.error, /already used/);
            // The new key works on reserve.
            const r = await req(store, "POST", RESERVE, {}, apiKey);
            assert.equal(r.status, 200);
            await r.body?.cancel();

            // An expired message is refused.
            m = await ask(hk);
            clock.now += 10 * 60 * 1000;
            k = await trade({
              hotkey: hk,
              message: m.json.message,
              signature: u8aToHex(kp.sign(m.json.message)),
            });
            assert.equal(k.status, 400);
            assert.match(k.json.error, /expired/);
            // A message for another hotkey is unknown for this one.
            k = await trade({ hotkey: hk, message: "made up", signature: sig });
            assert.match(k.json.error, /unknown message/);
          });
        }),
    );

    await t.step("browse, stats and metrics", () =>
      withRepo(backend, async (repo) => {
        await repo.insertItems(sampleConversations(5), Date.now());
        await withStore(repo, async ({ store }) => {
          const list = await (await req(store, "GET", "/api/v1/conversations?offset=1&limit=2"))
            .json();
          assert.equal(list.total, 5);
          assert.deepEqual(list.items.map((i: { guid: string }) => i.guid), ["c-1", "c-2"]);
          const one = await (await req(store, "GET", "/api/v1/conversations/c-4")).json();
          assert.equal(one.lines.length, 12);
          assert.equal(one.lease, null);
          let r = await req(store, "GET", "/api/v1/conversations/zzz");
          assert.equal(r.status, 404);
          await r.body?.cancel();
          r = await req(store, "GET", "/api/v1/conversations?limit=-1");
          assert.equal(r.status, 400);
          await r.body?.cancel();
          r = await req(store, "GET", "/api/v1/results");
          assert.equal(r.status, 400);
          await r.body?.cancel();
          r = await req(store, "POST", RESERVE);
          const g = (await r.json()).guid;
          r = await req(store, "PUT", `/api/v1/conversation/record/${g}`, headRecord());
          await r.body?.cancel();
          const stats = await (await req(store, "GET", "/api/v1/stats")).json();
          assert.equal(stats.conversations, 5);
          assert.equal(stats.leases_active, 1);
          assert.equal(stats.results, 1);
          assert.equal(stats.backend, backend.name);
          const metrics = await (await fetch(`${store.url}/metrics`)).text();
          assert.match(
            metrics,
            /cgp_store_requests_total\{path="\/api\/v1\/conversation\/reserve",status="200"\} 1/,
          );
          assert.match(metrics, /cgp_store_reserves_total\{outcome="ok"\} 1/);
          assert.match(metrics, /cgp_store_records_total\{outcome="inserted"\} 1/);
          assert.match(metrics, /cgp_store_leases_active 1/);
          assert.match(metrics, /cgp_store_conversations_total 5/);
        });
      }));
  });
}
