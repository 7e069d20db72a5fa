import assert from "node:assert/strict";
import { ActorError, actorName, ActorSystem } from "../../actors/mod.ts";
import { testActor } from "./fixtures/test_actor.ts";
import { ofType, recordEvents, waitUntil } from "./helpers.ts";

Deno.test("placement: 256 uid actors share the default pool, each with its own state", async () => {
  const system = new ActorSystem();
  try {
    const refs = await Promise.all(
      Array.from(
        { length: 256 },
        (_, uid) =>
          system.spawn({
            name: actorName("miner-client", uid),
            actor: testActor,
            args: { start: uid },
          }),
      ),
    );
    await Promise.all(refs.map((r, uid) => r.tell("add", { n: uid })));
    const answers = await Promise.all(refs.map((r) => r.ask("get", {})));
    assert.deepEqual(answers, Array.from({ length: 256 }, (_, uid) => 2 * uid));
    const s = system.stats();
    const expectedPool = Math.min(4, navigator.hardwareConcurrency);
    assert.equal(s.poolSize, expectedPool);
    assert.equal(s.workers, expectedPool, "a small pool of isolates, not 256 workers");
    assert.equal(s.actors.length, 256);
    const perIsolate = s.isolates.map((i) => i.actors);
    assert.equal(perIsolate.reduce((a, b) => a + b, 0), 256);
    assert.ok(Math.max(...perIsolate) - Math.min(...perIsolate) <= 1, `balanced: ${perIsolate}`);
  } finally {
    await system.shutdown({ deadlineMs: 10_000 });
  }
});

Deno.test("placement: dedicated workers per actor or per group", async () => {
  const system = new ActorSystem({ poolSize: 1 });
  try {
    await system.spawn({ name: "pooled/1", actor: testActor });
    await system.spawn({ name: "pooled/2", actor: testActor });
    const solo = await system.spawn({ name: "solo", actor: testActor, placement: "dedicated" });
    const g = system.group("isolated", { placement: "dedicated" });
    await g.spawn({ name: "isolated/a", actor: testActor });
    await g.spawn({ name: "isolated/b", actor: testActor });
    const s = system.stats();
    assert.equal(s.workers, 4, "1 pool isolate + 3 dedicated");
    assert.deepEqual(
      s.actors.map((a) => [a.name, a.placement]),
      [["pooled/1", "pool"], ["pooled/2", "pool"], ["solo", "dedicated"], [
        "isolated/a",
        "dedicated",
      ], [
        "isolated/b",
        "dedicated",
      ]],
    );
    assert.equal(await solo.ask("get", {}), 0);
    await system.stop("solo");
    assert.equal(system.stats().workers, 3, "a dedicated worker goes with its actor");
    await assert.rejects(
      solo.ask("get", {}),
      (e) => e instanceof ActorError && e.code === "not_found",
    );
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("scheduling: a flooding actor does not starve another in the same isolate", async () => {
  const system = new ActorSystem({ poolSize: 1 });
  try {
    const hog = await system.spawn({ name: "hog", actor: testActor, mailbox: { prefetch: 8 } });
    const other = await system.spawn({ name: "other", actor: testActor });
    const hogDone = Array.from({ length: 30 }, () => hog.ask("spin", { ms: 20 }));
    // Wait until the hog is working through its queue, then ask the other actor.
    await hogDone[0];
    const handledBefore = system.stats().actors.find((a) => a.name === "hog")!.handled;
    await other.ask("get", {});
    const handledAfter = system.stats().actors.find((a) => a.name === "hog")!.handled;
    assert.ok(
      handledAfter - handledBefore <= 3,
      `other answered after ${handledAfter - handledBefore} hog messages (round-robin bound)`,
    );
    assert.ok(handledAfter < 30, "hog still had work queued when other was served");
    await Promise.all(hogDone);
  } finally {
    await system.shutdown({ deadlineMs: 10_000 });
  }
});

Deno.test("scheduling: async handlers — one message at a time per actor, others keep going", async () => {
  const system = new ActorSystem({ poolSize: 1 });
  try {
    const a = await system.spawn({ name: "async/a", actor: testActor });
    const b = await system.spawn({ name: "async/b", actor: testActor });
    const order: string[] = [];
    const w1 = a.ask("work", { ms: 200, n: 1 }).then((v) => order.push(`a1:${v}`));
    const w2 = a.ask("work", { ms: 1, n: 2 }).then((v) => order.push(`a2:${v}`));
    const bq = b.ask("get", {}).then(() => order.push("b"));
    await Promise.all([w1, w2, bq]);
    assert.deepEqual(
      order,
      ["b", "a1:1", "a2:3"],
      "b not blocked by a; a's messages in order, one at a time",
    );
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("scheduling: ctx.yield() time-slices long work so neighbours answer meanwhile", async () => {
  const system = new ActorSystem({ poolSize: 1, sliceMs: 5 });
  try {
    const long = await system.spawn({ name: "long", actor: testActor });
    const other = await system.spawn({ name: "other", actor: testActor });
    let longDone = false;
    const l = long.ask("spinSliced", { ms: 1_500 }).then((yields) => {
      longDone = true;
      return yields;
    });
    for (let i = 0; i < 5; i++) await other.tell("add", { n: 1 });
    assert.equal(await other.ask("get", {}), 5);
    assert.equal(longDone, false, "answered while the long handler was still running");
    assert.ok((await l) > 0);
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("watchdog: a handler blocking its pooled isolate is moved to its own worker", async () => {
  const system = new ActorSystem({ poolSize: 1, watchdog: { checkMs: 50 } });
  const events = recordEvents(system);
  try {
    const blocker = await system.spawn({
      name: "blocker",
      actor: testActor,
      watchdog: { blockMs: 300 },
      supervision: { maxMessageRetries: 0, backoff: { initialMs: 5, maxMs: 50 } },
    });
    const bystander = await system.spawn({ name: "bystander", actor: testActor });
    await bystander.tell("add", { n: 2 });
    assert.equal(await bystander.ask("get", {}), 2);
    const blocked = blocker.ask("spin", { ms: 120_000 });
    const meanwhile = bystander.ask("add", { n: 3 }); // stuck behind the blocked isolate until the watchdog acts
    await assert.rejects(
      blocked,
      (e) => e instanceof ActorError && e.code === "poison_message" && /watchdog/.test(e.message),
    );
    await meanwhile;
    await waitUntil(
      () => system.stats().actors.every((a) => a.status === "running"),
      "running again",
    );
    const w = ofType(events, "watchdog");
    assert.equal(w.length, 1);
    assert.deepEqual([w[0].actor, w[0].action], ["blocker", "dedicated"]);
    const s = system.stats();
    assert.equal(s.actors.find((a) => a.name === "blocker")!.placement, "dedicated");
    assert.equal(s.workers, 2);
    assert.equal(await blocker.ask("get", {}), 0, "the blocker works on its own worker");
    const bi = await bystander.ask("info", {});
    assert.equal(bi.incarnation, 2, "bystander re-spawned on the fresh isolate");
    assert.deepEqual(bi.seen, [3], "its pending message was re-delivered, not lost");
    assert.equal(system.deadLetters().length, 1);
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});
