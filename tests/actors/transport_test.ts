import assert from "node:assert/strict";
import { ActorError, ActorSystem } from "../../actors/mod.ts";
import { transportActor } from "./fixtures/transport_actor.ts";
import { ofType, recordEvents, waitUntil } from "./helpers.ts";

/** Spawns two transport actors on different isolates (pool of 2). */
async function pair(system: ActorSystem, a = "t/a", b = "t/b") {
  const ra = await system.spawn({ name: a, actor: transportActor });
  const rb = await system.spawn({ name: b, actor: transportActor });
  const st = system.stats().actors;
  assert.notEqual(
    st.find((x) => x.name === a)!.isolate,
    st.find((x) => x.name === b)!.isolate,
    "the pair is on two isolates",
  );
  return [ra, rb] as const;
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

for (const spinUs of [0, 200]) {
  Deno.test(`transport (spinUs ${spinUs}): asks resolve main↔worker and worker↔worker; a lease is taken`, async () => {
    const system = new ActorSystem({ poolSize: 2, spinUs });
    try {
      const [a, b] = await pair(system);
      for (let i = 0; i < 200; i++) assert.equal(await b.ask("ping", { seq: i }), i);
      assert.equal(await a.ask("pingLoop", { to: "t/b", n: 500 }), 500);
      assert.equal(system.stats().leases, 1, "a's isolate sends to t/b directly");
      // t/b's isolate reports direct messages lazily (with its next urgent post, or within
      // LAZY_FLUSH_MS): they are counted, soon.
      const tb = () => system.stats().actors.find((x) => x.name === "t/b")!;
      await waitUntil(() => tb().handled === 700, "direct messages are counted too");
      assert.equal(tb().processingMs.count, 700);
    } finally {
      await system.shutdown({ deadlineMs: 5_000 });
    }
  });

  Deno.test(`transport (spinUs ${spinUs}): one sender's messages arrive in order, past the lease credits and back`, async () => {
    const system = new ActorSystem({ poolSize: 2, spinUs });
    try {
      const [a, b] = await pair(system);
      await a.ask("pingLoop", { to: "t/b", n: 3 }); // routed, then the lease
      // 3 bursts of 400 tells (far past the 32 credits: the rest goes through the router),
      // with asks in between that must see exactly what was told before them.
      for (let k = 0; k < 3; k++) {
        const r = await a.ask("burst", { to: "t/b", from: 1 + 400 * k, count: 400, askEvery: 9 }, {
          timeoutMs: 60_000,
        });
        assert.equal(r.accepted, 400);
        assert.deepEqual(r.refused, []);
        for (const ask of r.asks) assert.deepEqual(ask.seen, range(1, ask.after));
      }
      assert.deepEqual(await b.ask("seen", {}), range(1, 1200));
      assert.equal(system.deadLetters().length, 0);
    } finally {
      await system.shutdown({ deadlineMs: 5_000 });
    }
  });
}

for (const spinUs of [0, 200]) {
  Deno.test(`transport (spinUs ${spinUs}): tells then an ask from the main thread to 128 actors: each ask sees every tell`, async () => {
    // Many actors per isolate: the isolates park and wake between rounds, so batches go both on
    // the ports and on the event channels; their order must hold.
    const system = new ActorSystem({ poolSize: 2, spinUs });
    try {
      const refs = await Promise.all(
        range(0, 127).map((i) => system.spawn({ name: `many/${i}`, actor: transportActor })),
      );
      for (let round = 1; round <= 40; round++) {
        await Promise.all(refs.map((r) => r.tell("add", { n: round })));
      }
      const seen = await Promise.all(refs.map((r) => r.ask("seen", {})));
      for (const s of seen) assert.deepEqual(s, range(1, 40));
    } finally {
      await system.shutdown({ deadlineMs: 5_000 });
    }
  });
}

Deno.test("transport: two actors of one isolate: asks under a lease stay in it; tells, order and crashes as routed", async () => {
  const system = new ActorSystem({ poolSize: 1 });
  const events = recordEvents(system);
  try {
    const a = await system.spawn({ name: "t/a", actor: transportActor });
    const b = await system.spawn({ name: "t/b", actor: transportActor });
    assert.equal(await a.ask("pingLoop", { to: "t/b", n: 300 }), 300);
    assert.equal(system.stats().leases, 1, "t/a's asks to t/b go directly within the isolate");
    assert.equal(system.stats().actors.find((x) => x.name === "t/b")!.handled, 300);
    // Tells give the lease back (a dead isolate leaves no sender to send them again) and go
    // through the router; asks in between still see every tell sent before them.
    const r = await a.ask("burst", { to: "t/b", count: 120, askEvery: 7 }, { timeoutMs: 60_000 });
    assert.equal(r.accepted, 120);
    for (const ask of r.asks) assert.deepEqual(ask.seen, range(1, ask.after));
    assert.deepEqual(await b.ask("seen", {}), range(1, 120));
    // An ask that crashes its target under the lease: retried through the router, then a
    // poison dead letter, as a routed one.
    assert.equal(await a.ask("pingLoop", { to: "t/b", n: 3 }), 3);
    const crashed = await a.ask("askAdd", { to: "t/b", n: -5 });
    assert.equal(crashed.ok, false);
    await waitUntil(() => system.deadLetters().length === 1, "the poison ask dead-lettered");
    assert.equal(system.deadLetters()[0].reason, "poison");
    assert.equal(
      ofType(events, "crashed").filter((e) => e.actor === "t/b").length,
      system.deadLetters()[0].attempts,
      "every attempt crashed t/b",
    );
    await waitUntil(
      () => system.stats().actors.find((x) => x.name === "t/b")!.status === "running",
      "t/b restarted",
    );
    assert.equal(await a.ask("pingLoop", { to: "t/b", n: 50 }), 50, "talks again after");
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("transport: a mailbox smaller than twice the lease credits still lends what it can spare", async () => {
  // The validator's MinerClients have mailboxes of 64: with the first ask in it, 32 credits and
  // 32 more slots free did not fit, so every query went through the main thread.
  for (const capacity of [64, 16]) {
    const system = new ActorSystem({ poolSize: 1 });
    try {
      const a = await system.spawn({ name: "t/a", actor: transportActor });
      await system.spawn({ name: "t/b", actor: transportActor, mailbox: { capacity } });
      assert.equal(await a.ask("pingLoop", { to: "t/b", n: 100 }), 100);
      assert.equal(system.stats().leases, 1, `mailbox of ${capacity}: a lease is granted`);
      // Past the smaller lease's credits and back: every message still arrives, in order.
      const r = await a.ask("burst", { to: "t/b", count: 40, askEvery: 3 }, { timeoutMs: 60_000 });
      assert.equal(r.accepted, 40);
      for (const ask of r.asks) assert.deepEqual(ask.seen, range(1, ask.after));
    } finally {
      await system.shutdown({ deadlineMs: 5_000 });
    }
  }
});

Deno.test("transport: routed only (direct: false) keeps working, no lease", async () => {
  const system = new ActorSystem({ poolSize: 2, direct: false });
  try {
    const [a, b] = await pair(system);
    assert.equal(await a.ask("pingLoop", { to: "t/b", n: 100 }), 100);
    const r = await a.ask("burst", { to: "t/b", count: 100, askEvery: 10 });
    for (const ask of r.asks) assert.deepEqual(ask.seen, range(1, ask.after));
    assert.deepEqual(await b.ask("seen", {}), range(1, 100));
    assert.equal(system.stats().leases, 0);
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("transport: a crash among direct messages reaches supervision; the rest is handled once, in order", async () => {
  const system = new ActorSystem({ poolSize: 2 });
  const events = recordEvents(system);
  try {
    const [a, b] = await pair(system);
    await a.ask("pingLoop", { to: "t/b", n: 3 });
    assert.equal(system.stats().leases, 1);
    // 20 tells, the 8th crashes its target every time: retried, then dead-lettered.
    const r = await a.ask("burst", { to: "t/b", count: 20, poisonAt: 8 }, { timeoutMs: 60_000 });
    assert.equal(r.accepted, 20, "accepted under the lease: tells resolve at once");
    await waitUntil(() => system.deadLetters().length === 1, "the poison message dead-lettered");
    const [dl] = system.deadLetters();
    assert.deepEqual([dl.to, dl.type, dl.message, dl.from, dl.reason], [
      "t/b",
      "add",
      { n: -8 },
      "t/a",
      "poison",
    ]);
    assert.equal(dl.attempts, 3, "1 crash under the lease + 2 retries through the router");
    const crashes = ofType(events, "crashed").filter((e) => e.actor === "t/b");
    assert.equal(crashes.length, 3);
    assert.ok(crashes.every((e) => e.messageType === "add"));
    await waitUntil(
      () => system.stats().actors.find((x) => x.name === "t/b")!.status === "running",
      "t/b restarted",
    );
    // Restarts reset the state: what was handled before the first crash is gone, but every
    // accepted message after the poison was handled exactly once and in order.
    const seen = await b.ask("seen", {});
    assert.deepEqual(seen, range(9, 20));
    assert.equal(await a.ask("pingLoop", { to: "t/b", n: 50 }), 50, "talks again after");
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("transport: the target's isolate dies with direct asks in flight: they fail as routed ones do", async () => {
  const system = new ActorSystem({ poolSize: 2 });
  const events = recordEvents(system);
  try {
    const [a, b] = await pair(system);
    await system.spawn({ name: "t/filler", actor: transportActor });
    const killer = await system.spawn({ name: "t/killer", actor: transportActor });
    const st = system.stats().actors;
    assert.equal(
      st.find((x) => x.name === "t/killer")!.isolate,
      st.find((x) => x.name === "t/b")!.isolate,
    );
    await a.ask("pingLoop", { to: "t/b", n: 3 });
    assert.equal(system.stats().leases, 1);
    const sleeping = b.ask("sleep", { ms: 60_000 }); // t/b busy: the next ping waits behind it
    const ping = a.ask("tryPing", { to: "t/b", seq: 7, timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 50));
    await killer.tell("killIsolate", {});
    await assert.rejects(sleeping, (e) => e instanceof ActorError && e.code === "isolate_crashed");
    assert.deepEqual(await ping, { ok: false, code: "isolate_crashed" });
    assert.equal(ofType(events, "isolate_crashed").length, 1);
    const lost = system.deadLetters().filter((d) => d.reason === "isolate_crashed");
    assert.deepEqual(lost.map((d) => [d.type, d.from ?? "main"]).sort(), [
      ["ping", "t/a"],
      ["sleep", "main"],
    ]);
    await waitUntil(
      () => system.stats().actors.every((x) => x.status === "running"),
      "every actor restarted",
    );
    assert.equal(await a.ask("pingLoop", { to: "t/b", n: 50 }), 50, "talks again after");
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
  }
});

Deno.test("transport: stop() of a target under lease: every accepted message is handled, none lost", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/seen.json`;
  const system = new ActorSystem({ poolSize: 2 });
  try {
    const a = await system.spawn({ name: "t/a", actor: transportActor });
    await system.spawn({ name: "t/b", actor: transportActor, args: { persistFile: file } });
    await a.ask("pingLoop", { to: "t/b", n: 3 });
    assert.equal(system.stats().leases, 1);
    const burst = a.ask("burst", { to: "t/b", count: 3000 }, { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 5));
    await system.stop("t/b", { deadlineMs: 30_000 });
    const r = await burst;
    const seen: number[] = JSON.parse(await Deno.readTextFile(file));
    const dead = system.deadLetters().filter((d) => d.to === "t/b");
    assert.equal(seen.length + dead.length, r.accepted, "accepted = handled + dead-lettered");
    assert.deepEqual(seen, range(1, seen.length), "handled in order");
    assert.ok(r.refused.every((c: string) => c === "actor_stopped" || c === "not_found"));
    assert.equal(system.stats().leases, 0);
  } finally {
    await system.shutdown({ deadlineMs: 5_000 });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("transport: shutdown leaves no waiter or spinner: the process ends on its own", async (t) => {
  for (const spinUs of [0, 200]) {
    await t.step(`spinUs ${spinUs}`, async () => {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("./fixtures/transport_exit.ts", import.meta.url).pathname,
          String(spinUs),
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // Safety net only: a child that never exits fails the test instead of hanging it.
      const guard = setTimeout(() => child.kill("SIGKILL"), 120_000);
      const out = await child.output();
      clearTimeout(guard);
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.signal, null, `killed: it did not exit on its own\n${stderr}`);
      assert.equal(out.code, 0, stderr);
      assert.equal(new TextDecoder().decode(out.stdout).trim(), "done");
    });
  }
});

Deno.test("transport: spinUs is checked", () => {
  assert.throws(() => new ActorSystem({ spinUs: -1 }), RangeError);
});
