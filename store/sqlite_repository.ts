/**
 * @module
 * The embedded backend: one SQLite file through `node:sqlite` (WAL, busy timeout). SQLite
 * serialises writers, so the reserve statement (one `INSERT … SELECT … ON CONFLICT DO UPDATE
 * … WHERE expired RETURNING`) is atomic even with several processes on the same file. The free
 * item is found from a random pivot id along the primary key (approximately uniform; no sort of
 * the whole table per reserve).
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
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

type Row = Record<string, SQLInputValue>;

/** The SQLite implementation of {@link StoreRepository}. */
export class SqliteRepository implements StoreRepository {
  readonly backend = "sqlite" as const;
  readonly #db: DatabaseSync;

  /** Opens (creating if needed) the database at `path` (`:memory:` for a private one). */
  constructor(readonly path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA busy_timeout = 10000");
    if (path !== ":memory:") this.#db.exec("PRAGMA journal_mode = WAL");
    this.#db.exec("PRAGMA foreign_keys = ON");
    this.#db.exec("PRAGMA synchronous = NORMAL");
  }

  #tx<T>(fn: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.#db.exec("COMMIT");
      return out;
    } catch (e) {
      this.#db.exec("ROLLBACK");
      throw e;
    }
  }

  migrate(): Promise<number> {
    this.#db.exec(SCHEMA_MIGRATIONS_DDL);
    let applied = 0;
    this.#tx(() => {
      const done = this.#versions();
      for (const m of pendingMigrations(done)) {
        this.#db.exec(migrationSql(m, "sqlite"));
        this.#db.prepare(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
        ).run(m.version, m.name, Date.now());
        applied++;
      }
    });
    return Promise.resolve(applied);
  }

  #versions(): number[] {
    return (this.#db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as {
      version: number;
    }[]).map((r) => Number(r.version));
  }

  appliedMigrations(): Promise<number[]> {
    return Promise.resolve(this.#versions());
  }

  insertItems(items: StoredItem[], now: number): Promise<{ inserted: number; duplicates: number }> {
    const stmt = this.#db.prepare(
      `INSERT INTO items (guid, type, source, source_id, participants, lines, line_count, metadata, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guid) DO NOTHING`,
    );
    let inserted = 0;
    this.#tx(() => {
      for (const it of items) {
        const r = stmt.run(
          it.guid,
          it.type,
          it.source ?? null,
          it.sourceId ?? null,
          JSON.stringify(it.participants),
          JSON.stringify(it.lines),
          it.lines.length,
          it.metadata ? JSON.stringify(it.metadata) : null,
          now,
        );
        inserted += Number(r.changes);
      }
    });
    return Promise.resolve({ inserted, duplicates: items.length - inserted });
  }

  countItems(): Promise<number> {
    const r = this.#db.prepare("SELECT count(*) AS n FROM items").get() as { n: number };
    return Promise.resolve(Number(r.n));
  }

  getItem(guid: string): Promise<ItemRow | null> {
    const r = this.#db.prepare("SELECT * FROM items WHERE guid = ?").get(guid);
    return Promise.resolve(r ? toItem(r as unknown as ItemRecord) : null);
  }

  listItems(offset: number, limit: number): Promise<ItemRow[]> {
    const p = paging(offset, limit);
    const rows = this.#db.prepare("SELECT * FROM items ORDER BY id LIMIT ? OFFSET ?").all(
      p.limit,
      p.offset,
    );
    return Promise.resolve(rows.map((r) => toItem(r as unknown as ItemRecord)));
  }

  reserve(q: ReserveQuery): Promise<ReserveOutcome> {
    const types = q.types?.length ? [...q.types] : null;
    const params: Row = { holder: q.holder, exp: q.now + q.leaseMs, now: q.now };
    let filter: string;
    let conflictWhere = "leases.expires_at <= :now";
    if (q.guid !== undefined) {
      filter =
        "i.guid = :guid AND (l.item_id IS NULL OR l.expires_at <= :now OR l.holder = :holder)";
      conflictWhere += " OR leases.holder = excluded.holder";
      params.guid = q.guid;
    } else {
      filter = "(l.item_id IS NULL OR l.expires_at <= :now)";
    }
    if (types) {
      filter += ` AND i.type IN (${types.map((_, k) => `:t${k}`).join(", ")})`;
      types.forEach((t, k) => params[`t${k}`] = t);
    }
    // A random pivot, then the first free item at or after it (an index range scan, not a sort
    // of the whole table); when nothing is free after it, the first free item from the start.
    const maxId = Number(
      (this.#db.prepare("SELECT coalesce(max(id), 0) AS m FROM items").get() as { m: number }).m,
    );
    const stmt = this.#db.prepare(
      `INSERT INTO leases (item_id, holder, expires_at, reserved_at, reserve_count)
       SELECT i.id, :holder, :exp, :now, 1 FROM items i LEFT JOIN leases l ON l.item_id = i.id
       WHERE i.id >= :pivot AND ${filter} ORDER BY i.id LIMIT 1
       ON CONFLICT (item_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
         reserved_at = excluded.reserved_at, reserve_count = leases.reserve_count + 1
       WHERE ${conflictWhere}
       RETURNING item_id, holder, expires_at, reserve_count`,
    );
    type Ret = { item_id: number; holder: string; expires_at: number; reserve_count: number };
    const pivot = q.guid === undefined ? 1 + Math.floor(Math.random() * maxId) : 0;
    let row = stmt.get({ ...params, pivot }) as Ret | undefined;
    if (!row && pivot > 0) row = stmt.get({ ...params, pivot: 0 }) as Ret | undefined;
    if (!row) return Promise.resolve(this.#whyNot(q.guid, types));
    const item = toItem(
      this.#db.prepare("SELECT * FROM items WHERE id = ?").get(
        row.item_id,
      ) as unknown as ItemRecord,
    );
    const lease: Lease = {
      guid: item.guid,
      holder: row.holder,
      expiresAt: Number(row.expires_at),
      reserveCount: Number(row.reserve_count),
    };
    return Promise.resolve({ ok: true, item, lease });
  }

  #whyNot(guid: string | undefined, types: TaskType[] | null): ReserveOutcome {
    if (guid !== undefined) {
      const r = this.#db.prepare("SELECT 1 AS x FROM items WHERE guid = ?").get(guid);
      return { ok: false, reason: r ? "busy" : "not_found" };
    }
    const sql = types
      ? `SELECT count(*) AS n FROM items WHERE type IN (${types.map(() => "?").join(", ")})`
      : "SELECT count(*) AS n FROM items";
    const r = this.#db.prepare(sql).get(...(types ?? [])) as { n: number };
    return { ok: false, reason: Number(r.n) === 0 ? "empty" : "busy" };
  }

  getLease(guid: string): Promise<Lease | null> {
    const r = this.#db.prepare(
      "SELECT i.guid, l.holder, l.expires_at, l.reserve_count FROM leases l JOIN items i ON i.id = l.item_id WHERE i.guid = ?",
    ).get(guid);
    return Promise.resolve(r ? toLease(r as unknown as LeaseRecord) : null);
  }

  putResult(r: NewResult): Promise<PutOutcome> {
    const ins = this.#db.prepare(
      `INSERT INTO results (bundle_guid, neuron_type, hotkey, task_id, body_version, batch_number,
         cgp_version, llm_type, model, marker_id, submitted_by, dedup_key, body_hash, body, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (bundle_guid, dedup_key) DO NOTHING RETURNING id`,
    ).get(
      r.bundleGuid,
      r.neuronType,
      r.hotkey,
      r.taskId,
      r.bodyVersion,
      r.batchNumber,
      r.cgpVersion,
      r.llmType,
      r.model,
      r.markerId,
      r.submittedBy,
      r.dedupKey,
      r.bodyHash,
      JSON.stringify(r.body),
      r.now,
    ) as { id: number } | undefined;
    if (ins) return Promise.resolve({ status: "inserted", id: Number(ins.id) });
    const old = this.#db.prepare(
      "SELECT id, body_hash FROM results WHERE bundle_guid = ? AND dedup_key = ?",
    ).get(r.bundleGuid, r.dedupKey) as { id: number; body_hash: string };
    return Promise.resolve({
      status: old.body_hash === r.bodyHash ? "duplicate" : "conflict",
      id: Number(old.id),
    });
  }

  listResults(q: ResultQuery): Promise<ResultRow[]> {
    const p = paging(q.offset, q.limit);
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (q.guid !== undefined) (where.push("bundle_guid = ?"), args.push(q.guid));
    if (q.hotkey !== undefined) (where.push("hotkey = ?"), args.push(q.hotkey));
    const rows = this.#db.prepare(
      `SELECT * FROM results ${
        where.length ? "WHERE " + where.join(" AND ") : ""
      } ORDER BY id DESC LIMIT ? OFFSET ?`,
    ).all(...args, p.limit, p.offset);
    return Promise.resolve(rows.map((r) => toResult(r as unknown as ResultRecord)));
  }

  stats(now: number): Promise<StoreStats> {
    const byType = this.#db.prepare("SELECT type AS k, count(*) AS n FROM items GROUP BY type")
      .all() as { k: string; n: number }[];
    const byNeuron = this.#db.prepare(
      "SELECT neuron_type AS k, count(*) AS n FROM results GROUP BY neuron_type",
    ).all() as { k: string; n: number }[];
    const one = (sql: string, ...a: SQLInputValue[]) =>
      Number((this.#db.prepare(sql).get(...a) as { n: number }).n);
    const itemsByType = Object.fromEntries(byType.map((r) => [r.k, Number(r.n)]));
    const resultsByNeuronType = Object.fromEntries(byNeuron.map((r) => [r.k, Number(r.n)]));
    return Promise.resolve({
      items: Object.values(itemsByType).reduce((a, b) => a + b, 0),
      itemsByType,
      leasesActive: one("SELECT count(*) AS n FROM leases WHERE expires_at > ?", now),
      results: Object.values(resultsByNeuronType).reduce((a, b) => a + b, 0),
      resultsByNeuronType,
      apiKeys: one("SELECT count(*) AS n FROM api_keys"),
    });
  }

  putKeyMessage(m: KeyMessage): Promise<void> {
    this.#db.prepare(
      "INSERT INTO key_messages (message, hotkey, expires_at, used_at) VALUES (?, ?, ?, ?)",
    ).run(m.message, m.hotkey, m.expiresAt, m.usedAt);
    return Promise.resolve();
  }

  getKeyMessage(message: string): Promise<KeyMessage | null> {
    const r = this.#db.prepare("SELECT * FROM key_messages WHERE message = ?").get(message) as
      | { message: string; hotkey: string; expires_at: number; used_at: number | null }
      | undefined;
    return Promise.resolve(
      r
        ? {
          message: r.message,
          hotkey: r.hotkey,
          expiresAt: Number(r.expires_at),
          usedAt: r.used_at == null ? null : Number(r.used_at),
        }
        : null,
    );
  }

  useKeyMessage(message: string, now: number): Promise<boolean> {
    const r = this.#db.prepare(
      "UPDATE key_messages SET used_at = ? WHERE message = ? AND used_at IS NULL",
    ).run(now, message);
    return Promise.resolve(Number(r.changes) === 1);
  }

  putApiKey(keyHash: string, row: ApiKeyRow): Promise<void> {
    this.#db.prepare(
      "INSERT INTO api_keys (key_hash, hotkey, label, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (key_hash) DO NOTHING",
    ).run(keyHash, row.hotkey, row.label, row.createdAt);
    return Promise.resolve();
  }

  findApiKey(keyHash: string): Promise<ApiKeyRow | null> {
    const r = this.#db.prepare("SELECT hotkey, label, created_at FROM api_keys WHERE key_hash = ?")
      .get(keyHash) as { hotkey: string; label: string | null; created_at: number } | undefined;
    return Promise.resolve(
      r ? { hotkey: r.hotkey, label: r.label, createdAt: Number(r.created_at) } : null,
    );
  }

  close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
    return Promise.resolve();
  }
}
