/**
 * @module
 * Subtensor client for the CGP node: connect (`finney`/`test`/`local`/URL, reconnect with
 * backoff, a deadline on every call), the metagraph through the runtime APIs, registration
 * check, `serve_axon`, `burned_register`, and weights (plain or drand-timelocked commit-reveal
 * v4), with pool and dispatch errors mapped to typed, named errors.
 *
 * @example
 * ```ts
 * import { SubtensorClient } from "./chain/mod.ts";
 * const chain = await SubtensorClient.connect({ network: "test" });
 * const mg = await chain.metagraph(138);
 * const r = await chain.setWeights(hotkey, { netuid: 138, uids: mg.uids, weights: scores });
 * ```
 */
export * from "./client.ts";
export * from "./errors.ts";
export * from "./endpoints.ts";
export * from "./ip.ts";
export * from "./metagraph.ts";
export * from "./neuron_lite.ts";
export * from "./serving.ts";
export * from "./weights.ts";
export * from "./signer.ts";
export * from "./runtime_api.ts";
export * from "./reveal_round.ts";
export * from "./tlock_payload.ts";
export * from "./scale_reader.ts";
export * from "./drand/quicknet.ts";
export * from "./drand/timelock.ts";
export { MockProvider, type MockProviderOptions, type RpcHandler } from "./mock_provider.ts";
