/**
 * @module
 * A persistent embedding cache in a `node:sqlite` file, keyed by (model, text). Each row stores
 * its dimensions, and every read is verified (blob length, the model's recorded dimensions, the
 * caller's expected dimensions), so a vector of the wrong model or width is never returned.
 * Survives restarts; safe for several processes (WAL mode, busy timeout).
 */
import { DatabaseSync } from "node:sqlite";
import { logger } from "../config/logging.ts";

const log = logger("llm", "embedding-cache");

/** Counters of one cache instance. */
export interface EmbeddingCacheStats {
  hits: number;
  misses: number;
  /** Rows found but rejected (wrong dimensions, corrupt blob). */
  rejected: number;
  writes: number;
}

function toBlob(v: Float32Array): Uint8Array {
  // Little endian on every platform Deno runs on; copy so the blob owns its bytes.
  return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}

function fromBlob(b: Uint8Array, dims: number): Float32Array | null {
  if (b.byteLength !== dims * 4) return null;
  const v = new Float32Array(dims);
  new Uint8Array(v.buffer).set(b);
  return v;
}

/**
 * The cache.
 *
 * @example
 * ```ts
 * import { EmbeddingCache } from "./embedding_cache.ts";
 * const c = EmbeddingCache.open(":memory:");
 * c.putMany("m", [["hello", new Float32Array([1, 2])]]);
 * console.log(c.getMany("m", ["hello", "other"]).size); // 1
 * c.close();
 * ```
 */
export class EmbeddingCache {
  readonly path: string;
  readonly #db: DatabaseSync;
  #stats: EmbeddingCacheStats = { hits: 0, misses: 0, rejected: 0, writes: 0 };
  #modelDims = new Map<string, number>();
  #closed = false;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.#db = db;
  }

  /** Opens (creating if needed) the cache at `path` (":memory:" for a throwaway cache). */
  static open(path: string): EmbeddingCache {
    if (path !== ":memory:") {
      const dir = path.slice(0, path.lastIndexOf("/"));
      if (dir) Deno.mkdirSync(dir, { recursive: true });
    }
    const db = new DatabaseSync(path);
    db.exec("PRAGMA busy_timeout = 5000");
    if (path !== ":memory:") {
      db.exec("PRAGMA journal_mode = WAL");
      // A cache need not survive a power cut, only stay consistent, which WAL does without an
      // fsync per commit: a commit took about 3 ms of blocked thread and 200 us more CPU with
      // FULL (the scorer's isolate, which miner clients share, stores a task's new vectors).
      db.exec("PRAGMA synchronous = NORMAL");
    }
    db.exec(`CREATE TABLE IF NOT EXISTS embedding_models (
      model TEXT PRIMARY KEY, dims INTEGER NOT NULL CHECK (dims > 0))`);
    db.exec(`CREATE TABLE IF NOT EXISTS embeddings (
      model TEXT NOT NULL, text TEXT NOT NULL, dims INTEGER NOT NULL, vec BLOB NOT NULL,
      created_at INTEGER NOT NULL, PRIMARY KEY (model, text)) WITHOUT ROWID`);
    return new EmbeddingCache(path, db);
  }

  /** Dimensions recorded for `model`, if any vector of it was ever stored. */
  modelDimensions(model: string): number | undefined {
    const known = this.#modelDims.get(model);
    if (known !== undefined) return known;
    const row = this.#db.prepare("SELECT dims FROM embedding_models WHERE model = ?").get(model) as
      | { dims: number }
      | undefined;
    if (row) this.#modelDims.set(model, Number(row.dims));
    return row ? Number(row.dims) : undefined;
  }

  /**
   * Cached vectors of `texts` for `model`. A row is returned only when its dimensions match the
   * model's recorded dimensions and `expectDims` (when given) and its blob has that length.
   */
  getMany(model: string, texts: string[], expectDims?: number): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    const unique = [...new Set(texts)];
    if (unique.length === 0) return out;
    const modelDims = this.modelDimensions(model);
    if (expectDims !== undefined && modelDims !== undefined && modelDims !== expectDims) {
      this.#stats.rejected += unique.length;
      log.warn("cache holds {model} at {have} dims, expected {want}: ignoring it", {
        model,
        have: modelDims,
        want: expectDims,
      });
      return out;
    }
    const want = expectDims ?? modelDims;
    const stmt = this.#db.prepare(
      "SELECT dims, vec FROM embeddings WHERE model = ? AND text = ?",
    );
    for (const text of unique) {
      const row = stmt.get(model, text) as { dims: number; vec: Uint8Array } | undefined;
      if (!row) {
        this.#stats.misses++;
        continue;
      }
      const dims = Number(row.dims);
      const v = want !== undefined && dims !== want ? null : fromBlob(row.vec, dims);
      if (!v || !v.every(Number.isFinite)) {
        this.#stats.rejected++;
        this.#stats.misses++;
        continue;
      }
      this.#stats.hits++;
      out.set(text, v);
    }
    return out;
  }

  /**
   * Stores vectors of `model`. All must have the same width, equal to the model's recorded
   * width; a model seen with a new width replaces its old rows (the provider changed it).
   */
  putMany(model: string, entries: [string, Float32Array][]): void {
    if (entries.length === 0) return;
    const dims = entries[0][1].length;
    if (dims === 0 || entries.some(([, v]) => v.length !== dims)) {
      throw new RangeError(`embedding cache: vectors of ${model} have mixed or zero dimensions`);
    }
    const known = this.modelDimensions(model);
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      if (known !== dims) {
        if (known !== undefined) {
          log.warn("{model} changed from {old} to {dims} dims: dropping its cached vectors", {
            model,
            old: known,
            dims,
          });
          this.#db.prepare("DELETE FROM embeddings WHERE model = ?").run(model);
        }
        this.#db.prepare(
          "INSERT INTO embedding_models (model, dims) VALUES (?, ?) " +
            "ON CONFLICT (model) DO UPDATE SET dims = excluded.dims",
        ).run(model, dims);
        this.#modelDims.set(model, dims);
      }
      const stmt = this.#db.prepare(
        "INSERT INTO embeddings (model, text, dims, vec, created_at) VALUES (?, ?, ?, ?, ?) " +
          "ON CONFLICT (model, text) DO UPDATE SET dims = excluded.dims, vec = excluded.vec, " +
          "created_at = excluded.created_at",
      );
      const now = Date.now();
      for (const [text, v] of entries) stmt.run(model, text, dims, toBlob(v), now);
      this.#db.exec("COMMIT");
      this.#stats.writes += entries.length;
    } catch (e) {
      this.#db.exec("ROLLBACK");
      throw e;
    }
  }

  /** Hits, misses, rejections and writes since this instance was opened. */
  stats(): EmbeddingCacheStats {
    return { ...this.#stats };
  }

  /** Closes the database (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
