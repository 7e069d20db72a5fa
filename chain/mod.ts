/**
 * @module
 * Subtensor client: endpoints, IP encoding, drand timelock commits and their payloads, the
 * reveal-round formula. (The live client lands next.)
 */
export * from "./endpoints.ts";
export * from "./ip.ts";
export * from "./reveal_round.ts";
export * from "./tlock_payload.ts";
export * from "./drand/quicknet.ts";
export * from "./drand/timelock.ts";
