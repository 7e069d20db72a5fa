/**
 * The repository contract, one test body run against SQLite and PostgreSQL: migrations,
 * items, atomic leases (expiry, concurrent reservers), idempotent results, key messages.
 */
import assert from "node:assert/strict";
import { backends, sampleConversations, withRepo } from "./backends.ts";
import { MIGRATIONS } from "../../store/migrations.ts";
import type { NewResult } from "../../store/repository.ts";

const T0 = 1_700_000_000_000;
const LEASE = 60_000;

function result(guid: string, over: Partial<NewResult> = {}): NewResult {
  return {
    bodyVersion: "head",
    neuronType: "miner",
    hotkey: "5Miner",
    taskId: "t1",
    batchNumber: 3,
    cgpVersion: "2.30.65",
    llmType: "openai",
    model: "gpt",
    markerId: "m",
    data: { tags: ["a"] },
    bundleGuid: guid,
    dedupKey: "hash:aaa",
    bodyHash: "aaa",
    submittedBy: "5Val",
    body: { hotkey: "5Miner", data: { tags: ["a"] } },
    now: T0,
    ...over,
  };
}

for (const backend of backends()) {
  Deno.test(`store repository (${backend.name})`, async (t) => {
    await t.step(
      "migrations are applied once and recorded",
      () =>
        withRepo(backend, async (repo) => {
          assert.deepEqual(await repo.appliedMigrations(), MIGRATIONS.map((m) => m.version));
          assert.equal(await repo.migrate(), 0);
          assert.deepEqual(await repo.appliedMigrations(), MIGRATIONS.map((m) => m.version));
        }),
    );

    await t.step(
      "items: insert, duplicates, read back, paging",
      () =>
        withRepo(backend, async (repo) => {
          const items = sampleConversations(5);
          assert.deepEqual(await repo.insertItems(items, T0), { inserted: 5, duplicates: 0 });
          assert.deepEqual(await repo.insertItems(items.slice(0, 2), T0), {
            inserted: 0,
            duplicates: 2,
          });
          assert.equal(await repo.countItems(), 5);
          const got = await repo.getItem("c-3");
          assert.ok(got);
          assert.deepEqual(got.lines, items[3].lines);
          assert.deepEqual(got.participants, ["alice", "bob"]);
          assert.equal(got.type, "conversation_tagging");
          assert.equal(await repo.getItem("nope"), null);
          const page = await repo.listItems(1, 2);
          assert.deepEqual(page.map((i) => i.guid), ["c-1", "c-2"]);
        }),
    );

    await t.step(
      "reserve: empty store, then every item once, then busy",
      () =>
        withRepo(backend, async (repo) => {
          const q = { holder: "v1", leaseMs: LEASE, now: T0 };
          assert.deepEqual(await repo.reserve(q), { ok: false, reason: "empty" });
          await repo.insertItems(sampleConversations(4), T0);
          const seen = new Set<string>();
          for (let i = 0; i < 4; i++) {
            const r = await repo.reserve(q);
            assert.ok(r.ok);
            assert.equal(r.lease.holder, "v1");
            assert.equal(r.lease.expiresAt, T0 + LEASE);
            seen.add(r.item.guid);
          }
          assert.equal(seen.size, 4);
          assert.deepEqual(await repo.reserve(q), { ok: false, reason: "busy" });
          assert.deepEqual(await repo.reserve({ ...q, types: ["survey_tagging"] }), {
            ok: false,
            reason: "empty",
          });
          assert.equal((await repo.stats(T0)).leasesActive, 4);
          assert.equal((await repo.stats(T0 + LEASE)).leasesActive, 0);
        }),
    );

    await t.step(
      "reserve: an expired lease frees the item for another validator",
      () =>
        withRepo(backend, async (repo) => {
          await repo.insertItems(sampleConversations(1), T0);
          const a = await repo.reserve({ holder: "v1", leaseMs: LEASE, now: T0 });
          assert.ok(a.ok);
          assert.deepEqual(
            await repo.reserve({ holder: "v2", leaseMs: LEASE, now: T0 + LEASE - 1 }),
            { ok: false, reason: "busy" },
          );
          const b = await repo.reserve({ holder: "v2", leaseMs: LEASE, now: T0 + LEASE });
          assert.ok(b.ok);
          assert.equal(b.item.guid, a.item.guid);
          assert.equal(b.lease.holder, "v2");
          assert.equal(b.lease.reserveCount, 2);
          assert.deepEqual(await repo.getLease(a.item.guid), b.lease);
        }),
    );

    await t.step(
      "reserve by guid: not found, leased to another, renewed by its holder",
      () =>
        withRepo(backend, async (repo) => {
          await repo.insertItems(sampleConversations(2), T0);
          const q = { leaseMs: LEASE, now: T0 };
          assert.deepEqual(await repo.reserve({ ...q, holder: "v1", guid: "zz" }), {
            ok: false,
            reason: "not_found",
          });
          const a = await repo.reserve({ ...q, holder: "v1", guid: "c-1" });
          assert.ok(a.ok && a.item.guid === "c-1");
          assert.deepEqual(await repo.reserve({ ...q, holder: "v2", guid: "c-1" }), {
            ok: false,
            reason: "busy",
          });
          const renewed = await repo.reserve({ ...q, now: T0 + 10, holder: "v1", guid: "c-1" });
          assert.ok(renewed.ok);
          assert.equal(renewed.lease.expiresAt, T0 + 10 + LEASE);
        }),
    );

    await t.step(
      "two validators reserving at once never share an item",
      () =>
        withRepo(backend, async (repo) => {
          await repo.insertItems(sampleConversations(10), T0);
          const attempts = Array.from(
            { length: 24 },
            (_, i) => repo.reserve({ holder: `v${i % 2}`, leaseMs: LEASE, now: T0 }),
          );
          const outs = await Promise.all(attempts);
          const won = outs.filter((o) => o.ok);
          assert.equal(won.length, 10);
          assert.equal(new Set(won.map((o) => o.ok && o.item.guid)).size, 10);
          assert.ok(outs.filter((o) => !o.ok).every((o) => !o.ok && o.reason === "busy"));
          // The same guid asked for by both at once: exactly one gets it.
          await repo.insertItems(sampleConversations(1, "solo"), T0);
          const both = await Promise.all([
            repo.reserve({ holder: "v0", leaseMs: LEASE, now: T0, guid: "solo-0" }),
            repo.reserve({ holder: "v1", leaseMs: LEASE, now: T0, guid: "solo-0" }),
          ]);
          assert.equal(both.filter((o) => o.ok).length, 1);
        }),
    );

    await t.step(
      "results: insert, idempotent repeat, conflict, listing",
      () =>
        withRepo(backend, async (repo) => {
          const a = await repo.putResult(result("g1"));
          assert.equal(a.status, "inserted");
          assert.deepEqual(await repo.putResult(result("g1")), { status: "duplicate", id: a.id });
          const c = await repo.putResult(result("g1", { bodyHash: "bbb" }));
          assert.deepEqual(c, { status: "conflict", id: a.id });
          const d = await repo.putResult(result("g1", { dedupKey: "hash:bbb", bodyHash: "bbb" }));
          assert.equal(d.status, "inserted");
          await repo.putResult(result("g2", { hotkey: "5Other", neuronType: "validator" }));
          const byGuid = await repo.listResults({ guid: "g1" });
          assert.equal(byGuid.length, 2);
          assert.equal(byGuid[0].batchNumber, 3);
          assert.deepEqual(byGuid[0].body, { hotkey: "5Miner", data: { tags: ["a"] } });
          const byHotkey = await repo.listResults({ hotkey: "5Other" });
          assert.deepEqual(byHotkey.map((r) => [r.bundleGuid, r.neuronType]), [[
            "g2",
            "validator",
          ]]);
          const s = await repo.stats(T0);
          assert.equal(s.results, 3);
          assert.deepEqual(s.resultsByNeuronType, { miner: 2, validator: 1 });
        }),
    );

    await t.step(
      "key messages are single-use; keys are found by hash",
      () =>
        withRepo(backend, async (repo) => {
          await repo.putKeyMessage({ message: "m1", hotkey: "5H", expiresAt: T0, usedAt: null });
          assert.deepEqual(await repo.getKeyMessage("m1"), {
            message: "m1",
            hotkey: "5H",
            expiresAt: T0,
            usedAt: null,
          });
          const uses = await Promise.all([
            repo.useKeyMessage("m1", T0),
            repo.useKeyMessage("m1", T0),
          ]);
          assert.deepEqual(uses.sort(), [false, true]);
          await repo.putApiKey("h1", { hotkey: "5H", label: null, createdAt: T0 });
          assert.deepEqual(await repo.findApiKey("h1"), {
            hotkey: "5H",
            label: null,
            createdAt: T0,
          });
          assert.equal(await repo.findApiKey("h2"), null);
        }),
    );
  });
}
