/**
 * @module
 * The PostgreSQL backend (the `postgres` npm client), for operators who outgrow one SQLite file.
 * Same schema and behaviour as the SQLite backend. Reserve is one statement: it picks a free
 * item (the first at or after a random pivot id) with `FOR UPDATE OF i SKIP LOCKED` (concurrent reservers skip rows another is taking) and
 * upserts the lease only `WHERE` the old one expired, so two validators never hold one item.
 */
import postgres from "postgres";
import type { TaskType } from "../tasks/mod.ts";
import { migrationSql, pendingMigrations, SCHEMA_MIGRATIONS_DDL } from "./migrations.ts";
import type {
  ApiKeyRow,
  ItemRow,
  KeyMessage,
  Lease,
  NewResult,
  PutOutcome,
  ReserveOutcome,
  ReserveQuery,
  ResultQuery,
  ResultRow,
  StoreRepository,
  StoreStats,
} from "./repository.ts";
import {
  type ItemRecord,
  type LeaseRecord,
  paging,
  type ResultRecord,
  toItem,
  toLease,
  toResult,
} from "./rows.ts";
import type { StoredItem } from "./schemas.ts";

type Sql = postgres.Sql;
// deno-lint-ignore no-explicit-any
type Param = any;

/** Connection settings. */
export interface PostgresOptions {
  url: string;
  /** Schema holding the tables (created if missing; default `public`). */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
}

/** The PostgreSQL implementation of {@link StoreRepository}. */
export class PostgresRepository implements StoreRepository {
  readonly backend = "postgres" as const;
  readonly #sql: Sql;
  readonly schema: string;

  constructor(options: PostgresOptions) {
    this.schema = options.schema ?? "public";
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(this.schema)) {
      throw new Error(`postgres schema ${JSON.stringify(this.schema)} is not a plain identifier`);
    }
    this.#sql = postgres(options.url, {
      max: options.max ?? 10,
      onnotice: () => {},
      connection: { search_path: this.schema },
    });
  }

  /** From a `postgres://…` URL; `?schema=NAME` selects the schema. */
  static fromUrl(url: string): PostgresRepository {
    const u = new URL(url);
    const schema = u.searchParams.get("schema") ?? undefined;
    u.searchParams.delete("schema");
    return new PostgresRepository({ url: u.toString(), schema });
  }

  async migrate(): Promise<number> {
    let applied = 0;
    await this.#sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(331133)`;
      await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await tx.unsafe(SCHEMA_MIGRATIONS_DDL);
      const done = (await tx`SELECT version FROM schema_migrations`).map((r) => Number(r.version));
      for (const m of pendingMigrations(done)) {
        await tx.unsafe(migrationSql(m, "postgres"));
        await tx`INSERT INTO schema_migrations (version, name, applied_at)
                 VALUES (${m.version}, ${m.name}, ${Date.now()})`;
        applied++;
      }
    });
    return applied;
  }

  async appliedMigrations(): Promise<number[]> {
    const rows = await this.#sql`SELECT version FROM schema_migrations ORDER BY version`;
    return rows.map((r) => Number(r.version));
  }

  async insertItems(
    items: StoredItem[],
    now: number,
  ): Promise<{ inserted: number; duplicates: number }> {
    if (!items.length) return { inserted: 0, duplicates: 0 };
    const rows = items.map((it) => ({
      guid: it.guid,
      type: it.type,
      source: it.source ?? null,
      source_id: it.sourceId ?? null,
      participants: JSON.stringify(it.participants),
      lines: JSON.stringify(it.lines),
      line_count: it.lines.length,
      metadata: it.metadata ? JSON.stringify(it.metadata) : null,
      created_at: now,
    }));
    const out = await this.#sql`INSERT INTO items ${this.#sql(rows)}
      ON CONFLICT (guid) DO NOTHING RETURNING id`;
    return { inserted: out.length, duplicates: items.length - out.length };
  }

  async countItems(): Promise<number> {
    const [r] = await this.#sql`SELECT count(*) AS n FROM items`;
    return Number(r.n);
  }

  async getItem(guid: string): Promise<ItemRow | null> {
    const [r] = await this.#sql`SELECT * FROM items WHERE guid = ${guid}`;
    return r ? toItem(r as unknown as ItemRecord) : null;
  }

  async listItems(offset: number, limit: number): Promise<ItemRow[]> {
    const p = paging(offset, limit);
    const rows = await this
      .#sql`SELECT * FROM items ORDER BY id LIMIT ${p.limit} OFFSET ${p.offset}`;
    return rows.map((r) => toItem(r as unknown as ItemRecord));
  }

  async reserve(q: ReserveQuery): Promise<ReserveOutcome> {
    const types = q.types?.length ? [...q.types] : null;
    const params: Param[] = [q.holder, q.now + q.leaseMs, q.now];
    let filter: string;
    let conflictWhere = "leases.expires_at <= $3";
    if (q.guid !== undefined) {
      params.push(q.guid);
      filter = `i.guid = $${params.length} AND NOT EXISTS (SELECT 1 FROM leases l
        WHERE l.item_id = i.id AND l.expires_at > $3 AND l.holder <> $1)`;
      conflictWhere += " OR leases.holder = excluded.holder";
    } else {
      // A correlated NOT EXISTS keeps the plan an index probe per candidate (a LEFT JOIN let the
      // planner sort the whole lease table on every reserve).
      filter = "NOT EXISTS (SELECT 1 FROM leases l WHERE l.item_id = i.id AND l.expires_at > $3)";
    }
    if (types) {
      params.push(types);
      filter += ` AND i.type = ANY($${params.length}::text[])`;
    }
    // A random pivot, then the first free item at or after it along the primary key (an index
    // scan, not a sort of the table); when nothing is free after it, from the start.
    params.push(0);
    const pivotParam = params.length;
    const query = `WITH ins AS (
      INSERT INTO leases (item_id, holder, expires_at, reserved_at, reserve_count)
      SELECT i.id, $1, $2, $3, 1 FROM items i
      WHERE i.id >= $${pivotParam} AND ${filter} ORDER BY i.id LIMIT 1 FOR UPDATE OF i SKIP LOCKED
      ON CONFLICT (item_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
        reserved_at = excluded.reserved_at, reserve_count = leases.reserve_count + 1
      WHERE ${conflictWhere}
      RETURNING item_id, holder, expires_at, reserve_count)
      SELECT ins.holder, ins.expires_at, ins.reserve_count, it.* FROM ins
      JOIN items it ON it.id = ins.item_id`;
    // A lease committed between our snapshot and our upsert makes the upsert a no-op; try again.
    let maxId = 0;
    if (q.guid === undefined) {
      const [m] = await this.#sql`SELECT coalesce(max(id), 0) AS m FROM items`;
      maxId = Number(m.m);
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const pivot = q.guid === undefined ? 1 + Math.floor(Math.random() * maxId) : 0;
      params[pivotParam - 1] = pivot;
      let [row] = await this.#sql.unsafe(query, params, { prepare: true });
      if (!row && pivot > 0) {
        params[pivotParam - 1] = 0;
        [row] = await this.#sql.unsafe(query, params, { prepare: true });
      }
      if (row) {
        const item = toItem(row as unknown as ItemRecord);
        const lease: Lease = {
          guid: item.guid,
          holder: row.holder,
          expiresAt: Number(row.expires_at),
          reserveCount: Number(row.reserve_count),
        };
        return { ok: true, item, lease };
      }
      const why = await this.#whyNot(q, types);
      if ((!why.ok && why.reason !== "busy") || !(await this.#anyFree(q, types))) return why;
    }
    return { ok: false, reason: "busy" };
  }

  async #anyFree(q: ReserveQuery, types: TaskType[] | null): Promise<boolean> {
    const [r] = await this.#sql.unsafe(
      `SELECT count(*) AS n FROM items i LEFT JOIN leases l ON l.item_id = i.id
       WHERE (l.item_id IS NULL OR l.expires_at <= $1) ${
        q.guid !== undefined ? "AND i.guid = $2" : types ? "AND i.type = ANY($2::text[])" : ""
      }`,
      q.guid !== undefined ? [q.now, q.guid] : types ? [q.now, types] : [q.now],
    );
    return Number(r.n) > 0;
  }

  async #whyNot(q: ReserveQuery, types: TaskType[] | null): Promise<ReserveOutcome> {
    if (q.guid !== undefined) {
      const [r] = await this.#sql`SELECT 1 AS x FROM items WHERE guid = ${q.guid}`;
      return { ok: false, reason: r ? "busy" : "not_found" };
    }
    const [r] = types
      ? await this.#sql`SELECT count(*) AS n FROM items WHERE type = ANY(${types}::text[])`
      : await this.#sql`SELECT count(*) AS n FROM items`;
    return { ok: false, reason: Number(r.n) === 0 ? "empty" : "busy" };
  }

  async getLease(guid: string): Promise<Lease | null> {
    const [r] = await this.#sql`SELECT i.guid, l.holder, l.expires_at, l.reserve_count
      FROM leases l JOIN items i ON i.id = l.item_id WHERE i.guid = ${guid}`;
    return r ? toLease(r as unknown as LeaseRecord) : null;
  }

  async putResult(r: NewResult): Promise<PutOutcome> {
    const [ins] = await this.#sql`INSERT INTO results (bundle_guid, neuron_type, hotkey, task_id,
        body_version, batch_number, cgp_version, llm_type, model, marker_id, submitted_by, dedup_key,
        body_hash, body, created_at)
      VALUES (${r.bundleGuid}, ${r.neuronType}, ${r.hotkey}, ${r.taskId}, ${r.bodyVersion},
        ${r.batchNumber}, ${r.cgpVersion}, ${r.llmType}, ${r.model}, ${r.markerId}, ${r.submittedBy},
        ${r.dedupKey}, ${r.bodyHash}, ${JSON.stringify(r.body)}, ${r.now})
      ON CONFLICT (bundle_guid, dedup_key) DO NOTHING RETURNING id`;
    if (ins) return { status: "inserted", id: Number(ins.id) };
    const [old] = await this.#sql`SELECT id, body_hash FROM results
      WHERE bundle_guid = ${r.bundleGuid} AND dedup_key = ${r.dedupKey}`;
    return { status: old.body_hash === r.bodyHash ? "duplicate" : "conflict", id: Number(old.id) };
  }

  async listResults(q: ResultQuery): Promise<ResultRow[]> {
    const p = paging(q.offset, q.limit);
    const where: string[] = [];
    const args: Param[] = [];
    if (q.guid !== undefined) (args.push(q.guid), where.push(`bundle_guid = $${args.length}`));
    if (q.hotkey !== undefined) (args.push(q.hotkey), where.push(`hotkey = $${args.length}`));
    args.push(p.limit, p.offset);
    const rows = await this.#sql.unsafe(
      `SELECT * FROM results ${where.length ? "WHERE " + where.join(" AND ") : ""}
       ORDER BY id DESC LIMIT $${args.length - 1} OFFSET $${args.length}`,
      args,
    );
    return rows.map((r) => toResult(r as unknown as ResultRecord));
  }

  async stats(now: number): Promise<StoreStats> {
    const byType = await this.#sql`SELECT type AS k, count(*) AS n FROM items GROUP BY type`;
    const byNeuron = await this
      .#sql`SELECT neuron_type AS k, count(*) AS n FROM results GROUP BY neuron_type`;
    const [leases] = await this.#sql`SELECT count(*) AS n FROM leases WHERE expires_at > ${now}`;
    const [keys] = await this.#sql`SELECT count(*) AS n FROM api_keys`;
    const itemsByType: Record<string, number> = Object.fromEntries(
      byType.map((r) => [String(r.k), Number(r.n)]),
    );
    const resultsByNeuronType: Record<string, number> = Object.fromEntries(
      byNeuron.map((r) => [String(r.k), Number(r.n)]),
    );
    return {
      items: Object.values(itemsByType).reduce((a, b) => a + b, 0),
      itemsByType,
      leasesActive: Number(leases.n),
      results: Object.values(resultsByNeuronType).reduce((a, b) => a + b, 0),
      resultsByNeuronType,
      apiKeys: Number(keys.n),
    };
  }

  async putKeyMessage(m: KeyMessage): Promise<void> {
    await this.#sql`INSERT INTO key_messages (message, hotkey, expires_at, used_at)
      VALUES (${m.message}, ${m.hotkey}, ${m.expiresAt}, ${m.usedAt})`;
  }

  async getKeyMessage(message: string): Promise<KeyMessage | null> {
    const [r] = await this.#sql`SELECT * FROM key_messages WHERE message = ${message}`;
    return r
      ? {
        message: r.message,
        hotkey: r.hotkey,
        expiresAt: Number(r.expires_at),
        usedAt: r.used_at == null ? null : Number(r.used_at),
      }
      : null;
  }

  async useKeyMessage(message: string, now: number): Promise<boolean> {
    const rows = await this.#sql`UPDATE key_messages SET used_at = ${now}
      WHERE message = ${message} AND used_at IS NULL RETURNING message`;
    return rows.length === 1;
  }

  async putApiKey(keyHash: string, row: ApiKeyRow): Promise<void> {
    await this.#sql`INSERT INTO api_keys (key_hash, hotkey, label, created_at)
      VALUES (${keyHash}, ${row.hotkey}, ${row.label}, ${row.createdAt})
      ON CONFLICT (key_hash) DO NOTHING`;
  }

  async findApiKey(keyHash: string): Promise<ApiKeyRow | null> {
    const [r] = await this.#sql`SELECT hotkey, label, created_at FROM api_keys
      WHERE key_hash = ${keyHash}`;
    return r ? { hotkey: r.hotkey, label: r.label, createdAt: Number(r.created_at) } : null;
  }

  /** Drops this repository's schema (tests use a fresh schema per run). */
  async dropSchema(): Promise<void> {
    if (this.schema === "public") throw new Error("refusing to drop the public schema");
    await this.#sql.unsafe(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
  }

  async close(): Promise<void> {
    await this.#sql.end({ timeout: 5 });
  }
}
