import assert from "node:assert/strict";
import { AxonError, Limiter } from "../../protocol/mod.ts";

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("limiter: global and per-hotkey caps, priority order, FIFO within a priority", async () => {
  const l = new Limiter({ maxConcurrency: 2, perHotkeyConcurrency: 1, maxQueuePerHotkey: 5 });
  const order: string[] = [];
  const take = (hk: string, p: number, tag: string) =>
    l.acquire(hk, p, 10).then((release) => (order.push(tag), release));
  const a1 = await take("A", 0, "a1");
  const b1 = await take("B", 0, "b1");
  assert.equal(l.running, 2);
  const waiting = [take("A", 1, "a2"), take("C", 5, "c1"), take("D", 5, "d1"), take("C", 9, "c2")];
  await tick();
  assert.equal(l.waiting, 4);
  a1(); // c2 has the highest priority
  await tick();
  b1(); // C is at its limit (c2 running), so d1 (5, earlier) before a2 (1)
  await tick();
  assert.deepEqual(order, ["a1", "b1", "c2", "d1"]);
  const [, , d1, c2] = await Promise.all([waiting[2], waiting[3]]).then((r) => [0, 0, ...r]) as (
    () => void
  )[];
  c2(); // C free again: c1 (5) before a2 (1)
  await tick();
  d1();
  await tick();
  assert.deepEqual(order, ["a1", "b1", "c2", "d1", "c1", "a2"]);
  for (const release of await Promise.all([waiting[0], waiting[1]])) release();
  assert.equal(l.running, 0);
  assert.equal(l.waiting, 0);
});

Deno.test("limiter: release is idempotent; 408 after the timeout; 429 past the per-hotkey queue", async () => {
  const l = new Limiter({ maxConcurrency: 1, perHotkeyConcurrency: 1, maxQueuePerHotkey: 1 });
  const r1 = await l.acquire("A", 0, 10);
  const late = l.acquire("B", 0, 0.02);
  await assert.rejects(late, (e) => {
    assert.ok(e instanceof AxonError);
    assert.equal(e.status, 408);
    assert.equal(e.message, "Response timeout after: 0.02s");
    return true;
  });
  const queued = l.acquire("A", 0, 10);
  await assert.rejects(l.acquire("A", 0, 10), (e) => e instanceof AxonError && e.status === 429);
  r1();
  r1(); // a second release must not free a second slot
  const r2 = await queued;
  assert.equal(l.running, 1);
  r2();
  assert.equal(l.running, 0);
  assert.throws(() =>
    new Limiter({ maxConcurrency: 0, perHotkeyConcurrency: 1, maxQueuePerHotkey: 1 })
  );
});
