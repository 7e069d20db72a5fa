import assert from "node:assert/strict";
import { VerifyQueue } from "../../protocol/axon/verify_queue.ts";

Deno.test("verify queue: waiting for verdicts is bounded even when no wake-up comes", async () => {
  const queue = new VerifyQueue(4);
  // Nothing bumps the verdict counter: only the bound can end the wait.
  const outcome = await Promise.race([
    queue.waitDone(queue.done(), 20).then(() => "returned"),
    new Promise<string>((r) => setTimeout(() => r("hung"), 2000)),
  ]);
  assert.equal(outcome, "returned");
  queue.stop(); // releases the pending Atomics.waitAsync so the test leaks nothing
});
