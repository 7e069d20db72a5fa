/**
 * @module
 * The CGP domain model shared by the store, the miner and the validator: task bundles, tasks,
 * miner outputs, windowing and masking. Pure: no I/O.
 */
export * from "./schemas.ts";
export * from "./split_windows.ts";
export * from "./conversation_windows.ts";
export * from "./bundle_payloads.ts";
export * from "./mining_tasks.ts";
