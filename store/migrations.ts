/**
 * @module
 * Versioned schema migrations, shared by both backends. Each has a number, a name and SQL
 * written once with two placeholders (`{{ID}}` for the auto-increment primary key,
 * `{{FLOAT}}` for a double) that each dialect fills in. `schema_migrations` records what was
 * applied; a store applies the missing ones in order on start, each in its own transaction,
 * so starting twice (or two stores at once) changes nothing.
 */

/** One schema change. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, in order. Append only: never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
CREATE TABLE items (
  id {{ID}},
  guid TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  source TEXT,
  source_id TEXT,
  participants TEXT NOT NULL,
  lines TEXT NOT NULL,
  line_count INTEGER NOT NULL,
  metadata TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX items_type_idx ON items (type);
CREATE TABLE leases (
  item_id BIGINT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  holder TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  reserved_at BIGINT NOT NULL,
  reserve_count INTEGER NOT NULL
);
CREATE INDEX leases_expires_idx ON leases (expires_at);
CREATE TABLE results (
  id {{ID}},
  bundle_guid TEXT NOT NULL,
  neuron_type TEXT NOT NULL,
  hotkey TEXT NOT NULL,
  task_id TEXT NOT NULL,
  body_version TEXT NOT NULL,
  batch_number {{FLOAT}},
  cgp_version TEXT,
  llm_type TEXT,
  model TEXT,
  marker_id TEXT,
  submitted_by TEXT,
  dedup_key TEXT NOT NULL,
  body_hash TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (bundle_guid, dedup_key)
);
CREATE INDEX results_hotkey_idx ON results (hotkey);
CREATE TABLE key_messages (
  message TEXT PRIMARY KEY,
  hotkey TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE TABLE api_keys (
  key_hash TEXT PRIMARY KEY,
  hotkey TEXT NOT NULL,
  label TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX api_keys_hotkey_idx ON api_keys (hotkey);
`,
  },
];

/** SQL that creates the bookkeeping table (same in both dialects). */
export const SCHEMA_MIGRATIONS_DDL =
  "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

/** A migration's SQL for one dialect. */
export function migrationSql(m: Migration, dialect: "sqlite" | "postgres"): string {
  const id = dialect === "sqlite" ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
  const float = dialect === "sqlite" ? "REAL" : "DOUBLE PRECISION";
  return m.sql.replaceAll("{{ID}}", id).replaceAll("{{FLOAT}}", float);
}

/** Migrations not yet in `applied`, in order. */
export function pendingMigrations(applied: readonly number[]): Migration[] {
  const done = new Set(applied);
  return MIGRATIONS.filter((m) => !done.has(m.version)).sort((a, b) => a.version - b.version);
}
