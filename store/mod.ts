/**
 * @module
 * The conversation store (upstream's "CGP API"): leases conversations and other task items to
 * validators as task bundles, records validator and miner results, issues API keys to
 * validators that prove their hotkey, over SQLite or PostgreSQL. Also the validator-side client.
 */
export * from "./schemas.ts";
export * from "./errors.ts";
export * from "./repository.ts";
export * from "./migrations.ts";
export { SqliteRepository } from "./sqlite_repository.ts";
export { defaultDbPath, openRepository } from "./open_repository.ts";
export * from "./bundle_builder.ts";
export * from "./api_keys.ts";
export * from "./canonical_json.ts";
export { StoreMetrics } from "./metrics.ts";
export * from "./server.ts";
export * from "./importers/import_file.ts";
export { DEMO_DATA_URL, loadDemoData } from "./demo_data.ts";
export * from "./client.ts";
export * from "./api_key_file.ts";
export * from "./chain_directory.ts";
export { type PostgresOptions, PostgresRepository } from "./postgres_repository.ts";
export { obtainApiKey } from "./api_key_command.ts";
