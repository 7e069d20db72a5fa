import assert from "node:assert/strict";
import { ActorError, ActorSystem, ValidationError } from "../../actors/mod.ts";
import { testActor } from "./fixtures/test_actor.ts";
import { strictActor } from "./fixtures/strict_actor.ts";

Deno.test("actors: spawn, tell, ask across workers", async (t) => {
  const system = new ActorSystem({ poolSize: 2 });
  try {
    const a = await system.spawn({ name: "counter/a", actor: testActor, args: { start: 10 } });
    const b = await system.spawn({ name: "counter/b", actor: testActor });
    await t.step("tell then ask sees the effect (one message at a time, in order)", async () => {
      for (let i = 1; i <= 5; i++) await a.tell("add", { n: i });
      assert.equal(await a.ask("get", {}), 25);
      const info = await a.ask("info", {});
      assert.deepEqual(info, {
        name: "counter/a",
        incarnation: 1,
        total: 25,
        seen: [1, 2, 3, 4, 5],
      });
    });
    await t.step("two actors on different workers", () => {
      const s = system.stats();
      const ia = s.actors.find((x) => x.name === "counter/a")!.isolate;
      const ib = s.actors.find((x) => x.name === "counter/b")!.isolate;
      assert.notEqual(ia, ib);
      assert.equal(s.workers, 2);
    });
    await t.step("actor asks another actor by name from inside its worker", async () => {
      assert.equal(await b.ask("relay", { to: "counter/a", n: 5 }), 30);
      assert.equal(await system.ask("counter/a", "get", {}), 30);
    });
    await t.step("unknown actor", async () => {
      await assert.rejects(
        system.tell("nobody", "add", { n: 1 }),
        (e) => e instanceof ActorError && e.code === "not_found",
      );
      const r = await b.ask("tellTo", { to: "nobody", type: "add", msg: { n: 1 } });
      assert.deepEqual({ ok: r.ok, code: r.code }, { ok: false, code: "not_found" });
    });
    await t.step("duplicate and invalid names", async () => {
      await assert.rejects(
        system.spawn({ name: "counter/a", actor: testActor }),
        (e) => e instanceof ActorError && e.code === "duplicate_name",
      );
      await assert.rejects(
        system.spawn({ name: "bad name!", actor: testActor }),
        (e) => e instanceof ActorError && e.code === "invalid_name",
      );
    });
    await t.step("stats count handled messages and processing time", () => {
      const s = system.stats().actors.find((x) => x.name === "counter/a")!;
      assert.ok(s.handled >= 9, `handled ${s.handled}`);
      assert.equal(s.processingMs.count, s.handled);
      assert.equal(s.failures, 0);
      assert.equal(s.mailboxDepth, 0);
    });
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("actors: schema rejection names the field, on both sides", async (t) => {
  const system = new ActorSystem({ poolSize: 1 });
  try {
    const a = await system.spawn({ name: "v/a", actor: testActor });
    await system.spawn({ name: "v/strict", actor: strictActor });
    await t.step("sender side (main thread): rejected, never delivered", async () => {
      await assert.rejects(
        // deno-lint-ignore no-explicit-any
        system.tell("v/a", "add", { n: "seven" } as any),
        (e) =>
          e instanceof ValidationError && e.issues[0].path === "n" && /field "n"/.test(e.message),
      );
      await assert.rejects(
        system.ask("v/a", "nope", {}),
        (e) => e instanceof ValidationError && /unknown type "nope"/.test(e.message),
      );
      assert.equal(await a.ask("get", {}), 0);
    });
    await t.step("sender side (from another actor's worker)", async () => {
      const r = await a.ask("tellTo", { to: "v/a", type: "add", msg: { n: "x" } });
      assert.equal(r.ok, false);
      assert.equal(r.code, "validation");
      assert.match(r.message!, /field "n"/);
      assert.equal(await a.ask("get", {}), 0);
    });
    await t.step(
      "receiving side (worker): rejected with the field, dead-lettered, not handled",
      async () => {
        await assert.rejects(
          system.ask("v/strict", "note", { text: "hi" }),
          (e) =>
            e instanceof ValidationError && e.issues[0].path === "text" &&
            /receiver side/.test(e.message),
        );
        assert.equal(await system.ask("v/strict", "count", {}), 0);
        const dl = system.deadLetters().find((d) => d.to === "v/strict");
        assert.equal(dl?.reason, "invalid");
        assert.equal(dl?.type, "note");
      },
    );
    await t.step("spawn arguments are validated", async () => {
      await assert.rejects(
        // deno-lint-ignore no-explicit-any
        system.spawn({ name: "v/b", actor: testActor, args: { start: "x" } as any }),
        (e) => e instanceof ValidationError && e.issues[0].path === "start",
      );
    });
    await t.step(
      "a reply that fails its schema is refused to the asker, naming the field",
      async () => {
        await assert.rejects(
          a.ask("badReply", {}),
          (e) =>
            e instanceof ValidationError && e.issues[0].path === "score" &&
            /reply to "badReply"/.test(e.message),
        );
        assert.equal(system.stats().actors.find((x) => x.name === "v/a")!.failures, 0);
      },
    );
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});
