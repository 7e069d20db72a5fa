import assert from "node:assert/strict";
import { ActorError, ActorSystem, Mailbox } from "../../actors/mod.ts";
import { testActor } from "./fixtures/test_actor.ts";
import { release, waitUntil } from "./helpers.ts";

Deno.test("mailbox: bounded FIFO, fail and wait modes, in-flight counted", async () => {
  const mb = new Mailbox<{ seq: number }>("m", 2);
  await mb.put({ seq: 1 }, "fail");
  await mb.put({ seq: 2 }, "fail");
  await assert.rejects(
    mb.put({ seq: 3 }, "fail"),
    (e) => e instanceof ActorError && e.code === "mailbox_full",
  );
  let admitted = false;
  const waiting = mb.put({ seq: 4 }, "wait").then(() => (admitted = true));
  assert.equal(mb.take()!.seq, 1);
  assert.equal(mb.depth, 2, "in flight still counts");
  await Promise.resolve();
  assert.equal(admitted, false);
  mb.complete(1);
  await waiting;
  assert.equal(admitted, true);
  assert.deepEqual([mb.take()!.seq, mb.take()!.seq], [2, 4]);
  assert.deepEqual(mb.reclaimInFlight().map((x) => x.seq), [2, 4]);
  assert.equal(mb.depth, 0);
});

Deno.test("mailbox: back-pressure between actors — tell waits or fails, nothing dropped", async () => {
  const system = new ActorSystem({ poolSize: 2 });
  try {
    const slow = await system.spawn({
      name: "slow",
      actor: testActor,
      mailbox: { capacity: 2, prefetch: 1, overflow: "wait" },
    });
    const sender = await system.spawn({ name: "sender", actor: testActor });
    const held = slow.ask("hold", { key: "mb-1" }); // in flight: depth 1
    await slow.tell("add", { n: 1 }); // queued: depth 2 = full
    await waitUntil(
      () => system.stats().actors.find((a) => a.name === "slow")!.mailboxDepth === 2,
      "full",
    );

    await assert.rejects(
      slow.tell("add", { n: 2 }, { onFull: "fail" }),
      (e) => e instanceof ActorError && e.code === "mailbox_full" && e.actor === "slow",
    );
    const fromActor = await sender.ask("tellTo", { to: "slow", type: "add", msg: { n: 2 } });
    assert.deepEqual([fromActor.ok, fromActor.code], [false, "mailbox_full"]);

    let accepted = false;
    const waiting = slow.tell("add", { n: 3 }).then(() => (accepted = true)); // default "wait"
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(accepted, false, "a waiting sender is not admitted while full");
    const st = system.stats().actors.find((a) => a.name === "slow")!;
    assert.equal(st.mailboxDepth, 2);
    assert.equal(st.rejectedFull, 2);

    release("mb-1");
    assert.equal(await held, "mb-1");
    await waiting;
    assert.equal(accepted, true);
    assert.equal(
      await slow.ask("get", {}),
      4,
      "1 and 3 handled; 2 was refused to its senders, not dropped",
    );
    const info = await slow.ask("info", {});
    assert.deepEqual(info.seen, [1, 3]);
    assert.equal(system.deadLetters().length, 0);
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});
