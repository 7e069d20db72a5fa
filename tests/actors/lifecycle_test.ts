import assert from "node:assert/strict";
import { ActorError, ActorSystem, SystemStats } from "../../actors/mod.ts";
import { testActor } from "./fixtures/test_actor.ts";
import { release, waitUntil } from "./helpers.ts";

Deno.test("ask timeouts reject cleanly, from the main thread and from inside a worker", async () => {
  const system = new ActorSystem({ poolSize: 2 });
  try {
    const slow = await system.spawn({ name: "t/slow", actor: testActor });
    const asker = await system.spawn({ name: "t/asker", actor: testActor });
    await assert.rejects(
      slow.ask("hold", { key: "t-1" }, { timeoutMs: 100 }),
      (e) => e instanceof ActorError && e.code === "ask_timeout" && e.actor === "t/slow",
    );
    const r = await asker.ask("askTo", { to: "t/slow", type: "get", msg: {}, timeoutMs: 100 });
    assert.deepEqual([r.ok, r.code], [false, "ask_timeout"]);
    release("t-1");
    assert.equal(await slow.ask("get", {}), 0, "the actor goes on once its handler finishes");
    const ok = await asker.ask("askTo", { to: "t/slow", type: "get", msg: {}, timeoutMs: 30_000 });
    assert.deepEqual(ok, { ok: true, value: 0 });
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("handlerTimeoutMs: an async handler past its deadline is a crash", async () => {
  const system = new ActorSystem({ poolSize: 1 });
  try {
    const a = await system.spawn({
      name: "h/a",
      actor: testActor,
      handlerTimeoutMs: 100,
      supervision: { maxMessageRetries: 0, backoff: { initialMs: 5, maxMs: 50 } },
    });
    await assert.rejects(
      a.ask("hold", { key: "never" }),
      (e) =>
        e instanceof ActorError && e.code === "poison_message" && /exceeded 100 ms/.test(e.message),
    );
    assert.equal((await a.ask("info", {})).incarnation, 2);
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("stop(): drains the mailbox, persists, removes the actor; stats() matches its schema", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/state.jsonl`;
  const system = new ActorSystem({ poolSize: 1 });
  try {
    const a = await system.spawn({ name: "st/a", actor: testActor, args: { persistFile: file } });
    await system.spawn({ name: "st/b", actor: testActor });
    for (let i = 0; i < 10; i++) await a.tell("add", { n: 1 });
    const snapshot = SystemStats.parse(system.stats());
    assert.equal(snapshot.actors.length, 2);
    await system.stop("st/a");
    assert.deepEqual(JSON.parse(await Deno.readTextFile(file)), { name: "st/a", total: 10 });
    assert.equal(system.has("st/a"), false);
    await assert.rejects(
      a.tell("add", { n: 1 }),
      (e) => e instanceof ActorError && e.code === "not_found",
    );
    await waitUntil(() => system.stats().actors.length === 1, "one actor left");
    assert.equal(system.deadLetters().length, 0);
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
    await Deno.remove(dir, { recursive: true });
  }
});
