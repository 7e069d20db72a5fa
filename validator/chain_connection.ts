/**
 * @module
 * One subtensor connection per isolate and endpoint, shared by the actors placed there. Actors
 * import this lazily, so loading an actor's definition (as the main thread does) does not load
 * `@polkadot/api`.
 */
import { SubtensorClient } from "../chain/client.ts";
import type { ChainTarget } from "./chain_target.ts";

const clients = new Map<string, Promise<SubtensorClient>>();

/** The isolate's client for `target`, connected once and reconnecting by itself afterwards. */
export function chainClient(target: ChainTarget): Promise<SubtensorClient> {
  const key = JSON.stringify(target);
  let c = clients.get(key);
  if (!c) {
    c = SubtensorClient.connect(target);
    c.catch(() => clients.delete(key));
    clients.set(key, c);
  }
  return c;
}
