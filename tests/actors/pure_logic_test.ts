import assert from "node:assert/strict";
import { z } from "zod";
import {
  ActorError,
  actorName,
  backoffDelay,
  RestartWindow,
  Supervision,
  ValidationError,
} from "../../actors/mod.ts";
import { Deque } from "../../actors/deque.ts";
import { parseMessage } from "../../actors/message_schema.ts";
import { Timeouts } from "../../actors/timeouts.ts";

Deno.test("supervisor: exponential backoff with a cap", () => {
  const b = { initialMs: 100, maxMs: 1_000 };
  assert.deepEqual([1, 2, 3, 4, 5, 50].map((n) => backoffDelay(n, b)), [
    100,
    200,
    400,
    800,
    1_000,
    1_000,
  ]);
});

Deno.test("supervisor: restart intensity window", () => {
  const w = new RestartWindow(2, 1_000);
  assert.deepEqual(w.record(0), { recent: 1, exceeded: false });
  assert.deepEqual(w.record(10), { recent: 2, exceeded: false });
  assert.deepEqual(w.record(20), { recent: 3, exceeded: true });
  assert.deepEqual(
    w.record(1_500),
    { recent: 1, exceeded: false },
    "old restarts leave the window",
  );
  w.reset();
  assert.equal(w.record(1_600).recent, 1);
});

Deno.test("supervisor: child spec defaults and validation", () => {
  const s = Supervision.parse({});
  assert.deepEqual(s, {
    restart: "permanent",
    maxRestarts: 5,
    withinMs: 60_000,
    backoff: { initialMs: 100, maxMs: 10_000 },
    maxMessageRetries: 2,
  });
  assert.equal(Supervision.safeParse({ restart: "sometimes" }).success, false);
});

Deno.test("deque: FIFO with unshift and growth", () => {
  const q = new Deque<number>();
  for (let i = 0; i < 100; i++) q.push(i);
  for (let i = 0; i < 50; i++) assert.equal(q.shift(), i);
  q.unshift(-1);
  for (let i = 100; i < 200; i++) q.push(i);
  assert.equal(q.length, 151);
  assert.equal(q.shift(), -1);
  const rest = q.drain();
  assert.deepEqual(rest, Array.from({ length: 150 }, (_, i) => i + 50));
  assert.equal(q.length, 0);
  assert.equal(q.shift(), undefined);
});

Deno.test("timeouts: fire once after the deadline, never when deleted", async () => {
  const t = new Timeouts(5);
  const fired: number[] = [];
  t.add(1, 10, () => fired.push(1));
  t.add(2, 10, () => fired.push(2));
  t.delete(2);
  while (fired.length === 0) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(fired, [1]);
  t.clear();
});

Deno.test("names and message checks", () => {
  assert.equal(actorName("miner-client", 17), "miner-client/17");
  assert.throws(
    () => actorName("bad name"),
    (e) => e instanceof ActorError && e.code === "invalid_name",
  );
  const messages = { ping: z.object({ window: z.object({ id: z.string() }) }) };
  assert.deepEqual(parseMessage(messages, "a", "ping", { window: { id: "w" } }, "sender"), {
    window: { id: "w" },
  });
  assert.throws(
    () => parseMessage(messages, "a", "ping", { window: { id: 3 } }, "sender"),
    (e) =>
      e instanceof ValidationError && e.issues[0].path === "window.id" &&
      /field "window.id"/.test(e.message),
  );
  assert.throws(
    () => parseMessage(messages, "a", "toString", {}, "sender"),
    (e) => e instanceof ValidationError && /unknown type "toString"/.test(e.message),
  );
});
