import assert from "node:assert/strict";
import { ActorError, ActorSystem } from "../../actors/mod.ts";
import { testActor } from "./fixtures/test_actor.ts";
import { ofType, recordEvents, waitUntil } from "./helpers.ts";

/** Quick restarts; a crashing message is not retried (so one `boom` = one crash). */
const fast = { backoff: { initialMs: 5, maxMs: 50 }, maxMessageRetries: 0 };

Deno.test("supervision: a crashed actor restarts, others (same isolate too) keep working", async () => {
  const system = new ActorSystem({ poolSize: 1 });
  const events = recordEvents(system);
  try {
    const a = await system.spawn({ name: "a", actor: testActor, supervision: fast });
    const b = await system.spawn({ name: "b", actor: testActor, supervision: fast });
    assert.equal(system.stats().workers, 1, "both on the one pooled isolate");
    await a.tell("add", { n: 3 });
    await b.tell("add", { n: 4 });
    await a.tell("boom", { message: "kaput" });
    // Queued behind the crash: delivered to the restarted incarnation.
    await a.tell("add", { n: 1 });
    assert.equal(await b.ask("get", {}), 4);
    const info = await a.ask("info", {});
    assert.equal(info.incarnation, 2);
    assert.equal(info.total, 1, "state re-initialised, later message delivered");
    assert.equal((await b.ask("info", {})).incarnation, 1, "the other actor kept its state");
    const st = system.stats().actors.find((x) => x.name === "a")!;
    assert.equal(st.failures, 1);
    assert.equal(st.restarts, 1);
    assert.match(st.lastError!.message, /kaput/);
    assert.equal(ofType(events, "crashed")[0].messageType, "boom");
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("supervision: failed starts are restarted with backoff, spawn resolves when up", async () => {
  const system = new ActorSystem({ poolSize: 1 });
  const events = recordEvents(system);
  try {
    const a = await system.spawn({
      name: "late",
      actor: testActor,
      args: { failStarts: 2 },
      supervision: fast,
    });
    assert.equal((await a.ask("info", {})).incarnation, 3);
    const r = ofType(events, "restarting");
    assert.equal(r.length, 2);
    assert.ok(r[1].delayMs > r[0].delayMs, "exponential backoff");
    const st = system.stats().actors[0];
    assert.equal(st.failures, 2);
    assert.equal(st.restarts, 2);
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("supervision: a poison message is retried, then dead-lettered; the asker gets the error", async () => {
  const system = new ActorSystem({ poolSize: 1 });
  try {
    const a = await system.spawn({
      name: "p",
      actor: testActor,
      supervision: { ...fast, maxMessageRetries: 2, maxRestarts: 10 },
    });
    const ok1 = a.ask("maybeBoom", { poison: false, n: 1 });
    const bad = a.ask("maybeBoom", { poison: true, n: 2 });
    const ok2 = a.ask("maybeBoom", { poison: false, n: 3 });
    await a.tell("maybeBoom", { poison: true, n: 4 }); // a poisoned tell: nobody to tell, dead-lettered
    assert.equal(await ok1, 1);
    await assert.rejects(
      bad,
      (e) => e instanceof ActorError && e.code === "poison_message" && /poison 2/.test(e.message),
    );
    assert.equal(await ok2, 3, "messages behind the poison one are handled");
    await waitUntil(() => system.deadLetters().length === 2, "two dead letters");
    const [d1, d2] = system.deadLetters();
    assert.deepEqual([d1.reason, d1.attempts, d1.ask, d1.message], ["poison", 3, true, {
      poison: true,
      n: 2,
    }]);
    assert.deepEqual([d2.reason, d2.attempts, d2.ask], ["poison", 3, false]);
    assert.match(d1.error!.message, /poison 2/);
    const info = await a.ask("info", {});
    assert.equal(
      info.incarnation,
      7,
      "one start + one restart per crash (2 poison messages × 3 attempts)",
    );
    const st = system.stats().actors[0];
    assert.equal(st.failures, 6, "3 attempts for each poison message, no more");
    assert.equal(st.deadLettered, 2);
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("supervision: restart intensity escalates one_for_one → group → root → fatal", async () => {
  const system = new ActorSystem({ poolSize: 2, root: { maxRestarts: 1, withinMs: 600_000 } });
  const events = recordEvents(system);
  try {
    const g = system.group("g", {
      strategy: "one_for_one",
      maxRestarts: 1,
      withinMs: 600_000,
      backoff: fast.backoff,
    });
    const sup = { ...fast, maxRestarts: 1, withinMs: 600_000, maxMessageRetries: 0 };
    const a = await g.spawn({ name: "g/a", actor: testActor, supervision: sup });
    const b = await g.spawn({ name: "g/b", actor: testActor, supervision: sup });
    const crash = async (expectedIncarnation: number) => {
      await a.tell("boom", {});
      await waitUntil(() => ofType(events, "crashed").length >= crashes + 1, "crash");
      crashes++;
      if (expectedIncarnation > 0) {
        await waitUntil(
          () => system.stats().actors.find((x) => x.name === "g/a")!.status === "running",
          "a running",
        );
      }
    };
    let crashes = 0;
    await crash(2); // restart 1 of a: within a's intensity
    await crash(3); // restart 2 of a: exceeds (1) → escalate to root/g, which restarts a alone
    let esc = ofType(events, "escalated");
    assert.deepEqual(esc.map((e) => [e.from, e.to]), [["g/a", "root/g"]]);
    assert.equal((await b.ask("info", {})).incarnation, 1, "one_for_one: sibling untouched");
    await crash(4); // a's window was reset by the fresh restart
    await crash(5); // a exceeds again → g (2 > 1) exceeds → escalates to root, root restarts g
    esc = ofType(events, "escalated");
    assert.deepEqual(esc.map((e) => [e.from, e.to]).slice(1), [["g/a", "root/g"], [
      "root/g",
      "root",
    ]]);
    await waitUntil(
      () => system.stats().actors.every((x) => x.status === "running"),
      "group restarted",
    );
    assert.equal((await b.ask("info", {})).incarnation, 2, "the whole group was restarted by root");
    assert.equal(ofType(events, "fatal").length, 0);
    // Again: root's own intensity (1 in the window) is now exceeded → fatal, group stays down.
    await crash(0);
    await crash(0);
    await crash(0);
    await crash(0);
    await waitUntil(() => ofType(events, "fatal").length === 1, "fatal");
    assert.equal(ofType(events, "fatal")[0].node, "root/g");
    await assert.rejects(
      b.ask("get", {}),
      (e) => e instanceof ActorError && e.code === "actor_stopped",
    );
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("supervision: all_for_one restarts the whole group when one member crashes", async () => {
  const system = new ActorSystem({ poolSize: 2 });
  const events = recordEvents(system);
  try {
    const g = system.group("pair", { strategy: "all_for_one" });
    const a = await g.spawn({ name: "pair/a", actor: testActor, supervision: fast });
    const b = await g.spawn({ name: "pair/b", actor: testActor, supervision: fast });
    const other = await system.spawn({ name: "other", actor: testActor, supervision: fast });
    await b.tell("add", { n: 5 });
    assert.equal(await b.ask("get", {}), 5);
    await a.tell("boom", {});
    await waitUntil(() => ofType(events, "restarting").length === 2, "two restarts");
    await waitUntil(
      () => system.stats().actors.every((x) => x.status === "running"),
      "all running",
    );
    assert.equal((await a.ask("info", {})).incarnation, 2);
    const bi = await b.ask("info", {});
    assert.equal(bi.incarnation, 2);
    assert.equal(bi.total, 0, "b's state was re-initialised with its group");
    assert.equal((await other.ask("info", {})).incarnation, 1, "outside the group: untouched");
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("supervision: an isolate crash re-spawns every actor on it and rejects in-flight asks", async () => {
  const system = new ActorSystem({ poolSize: 1 });
  const events = recordEvents(system);
  try {
    const a = await system.spawn({ name: "k/a", actor: testActor, supervision: fast });
    const b = await system.spawn({ name: "k/b", actor: testActor, supervision: fast });
    await b.tell("add", { n: 2 });
    const slow = b.ask("work", { ms: 60_000, n: 1 });
    await a.ask("killIsolate", {});
    await assert.rejects(slow, (e) => e instanceof ActorError && e.code === "isolate_crashed");
    await waitUntil(
      () => system.stats().actors.every((x) => x.status === "running"),
      "all running",
    );
    assert.equal(ofType(events, "isolate_crashed").length, 1);
    assert.equal((await a.ask("info", {})).incarnation, 2);
    assert.equal((await b.ask("info", {})).incarnation, 2);
    const s = system.stats();
    assert.equal(s.workers, 1);
    assert.equal(s.isolates[0].restarts, 1);
    assert.ok(s.actors.every((x) => x.restarts === 1));
    assert.equal(system.deadLetters().filter((d) => d.reason === "isolate_crashed").length, 1);
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("supervision: restart policies (temporary, transient, permanent) and ctx.stop", async () => {
  const system = new ActorSystem({ poolSize: 1 });
  try {
    const tmp = await system.spawn({
      name: "tmp",
      actor: testActor,
      supervision: { restart: "temporary" },
    });
    await tmp.tell("boom", {});
    await waitUntil(() => !system.has("tmp"), "temporary actor removed after a crash");
    const tr = await system.spawn({
      name: "tr",
      actor: testActor,
      supervision: { ...fast, restart: "transient" },
    });
    await tr.tell("boom", {});
    assert.equal((await tr.ask("info", {})).incarnation, 2, "transient: restarted after a crash");
    await tr.tell("stopSelf", {});
    await waitUntil(() => !system.has("tr"), "transient actor gone after a normal stop");
    const pm = await system.spawn({ name: "pm", actor: testActor, supervision: fast });
    await pm.tell("stopSelf", {});
    assert.equal(
      (await pm.ask("info", {})).incarnation,
      2,
      "permanent: restarted even after a normal stop",
    );
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});
