/**
 * @module
 * Test helpers: wait for a condition on system events (counting events, never timing them).
 */
import type { ActorSystem, SystemEvent } from "../../actors/mod.ts";

/** Records every event of `system`. */
export function recordEvents(system: ActorSystem): SystemEvent[] {
  const events: SystemEvent[] = [];
  system.on((e) => events.push(e));
  return events;
}

/** Resolves when `pred()` is true; polls every 10 ms; rejects after `timeoutMs` (generous default). */
export async function waitUntil(
  pred: () => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Events of one type. */
export function ofType<T extends SystemEvent["type"]>(
  events: SystemEvent[],
  type: T,
): Extract<SystemEvent, { type: T }>[] {
  return events.filter((e) => e.type === type) as Extract<SystemEvent, { type: T }>[];
}

/** Releases every `hold` handler waiting for `key` (see fixtures/test_actor.ts). */
export function release(key: string): void {
  const bc = new BroadcastChannel("actors-test-gate");
  bc.postMessage(key);
  bc.close();
}
