/**
 * @module
 * The one storage interface of the conversation store. SQLite (`sqlite_repository.ts`, the
 * embedded default) and PostgreSQL (`postgres_repository.ts`) implement it with the same schema
 * (`migrations.ts`) and the same behaviour; the HTTP server and the importers only see this.
 */
import type { TaskType } from "../tasks/mod.ts";
import type { NormalizedRecord, StoredItem } from "./schemas.ts";

/** An item with the store's bookkeeping. */
export interface ItemRow extends StoredItem {
  /** Row id (stable, increasing). */
  id: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** A lease: who holds an item until when. */
export interface Lease {
  guid: string;
  holder: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** How many times this item has been reserved in total. */
  reserveCount: number;
}

/** What `reserve` was asked for. */
export interface ReserveQuery {
  /** Who takes the lease (a hotkey, or the API key's label). */
  holder: string;
  /** Lease length in milliseconds. */
  leaseMs: number;
  /** Current time in milliseconds (injected so tests control expiry). */
  now: number;
  /** Only these task types (all when absent or empty). */
  types?: readonly TaskType[];
  /** Exactly this item. */
  guid?: string;
}

/** Result of `reserve`. */
export type ReserveOutcome =
  | { ok: true; item: ItemRow; lease: Lease }
  | {
    ok: false;
    /** `empty`: no item of that type at all; `busy`: all leased; `not_found`: no such guid. */
    reason: "empty" | "busy" | "not_found";
  };

/** A result record to store. */
export interface NewResult extends NormalizedRecord {
  bundleGuid: string;
  /** Idempotency key: the `Idempotency-Key` header, or the hash of the canonical body. */
  dedupKey: string;
  /** Hash of the canonical body (to tell a retry from a different body under the same key). */
  bodyHash: string;
  /** Who sent it (the API key's hotkey), when known. */
  submittedBy: string | null;
  /** The whole body as received (JSON). */
  body: unknown;
  now: number;
}

/** A stored result record. */
export interface ResultRow {
  id: number;
  bundleGuid: string;
  neuronType: "validator" | "miner";
  hotkey: string;
  taskId: string;
  bodyVersion: "head" | "ee";
  batchNumber: number | null;
  cgpVersion: string | null;
  llmType: string | null;
  model: string | null;
  markerId: string | null;
  submittedBy: string | null;
  body: unknown;
  createdAt: number;
}

/** Result of `putResult`. */
export type PutOutcome =
  | { status: "inserted"; id: number }
  | { status: "duplicate"; id: number }
  | { status: "conflict"; id: number };

/** Counts for `/api/v1/stats` and `/metrics`. */
export interface StoreStats {
  items: number;
  itemsByType: Record<string, number>;
  leasesActive: number;
  results: number;
  resultsByNeuronType: Record<string, number>;
  apiKeys: number;
}

/** A one-time key-request message. */
export interface KeyMessage {
  message: string;
  hotkey: string;
  expiresAt: number;
  usedAt: number | null;
}

/** An issued API key (only its hash is stored). */
export interface ApiKeyRow {
  hotkey: string;
  label: string | null;
  createdAt: number;
}

/** Filter for `listResults`. */
export interface ResultQuery {
  guid?: string;
  hotkey?: string;
  offset?: number;
  limit?: number;
}

/** Storage of items, leases, results and API keys. Every method is safe to call concurrently. */
export interface StoreRepository {
  /** `sqlite` or `postgres`. */
  readonly backend: "sqlite" | "postgres";
  /** Applies pending migrations in order; returns how many were applied. Idempotent. */
  migrate(): Promise<number>;
  /** Versions in `schema_migrations`, ascending. */
  appliedMigrations(): Promise<number[]>;
  /** Inserts items; an existing guid is left alone and counted as a duplicate. */
  insertItems(items: StoredItem[], now: number): Promise<{ inserted: number; duplicates: number }>;
  /** Number of items. */
  countItems(): Promise<number>;
  /** One item by guid. */
  getItem(guid: string): Promise<ItemRow | null>;
  /** Items in id order. */
  listItems(offset: number, limit: number): Promise<ItemRow[]>;
  /**
   * Leases one free item (random among the free ones) or the asked guid, atomically: an item is
   * never leased to two holders at once. A holder may renew its own lease on a given guid.
   */
  reserve(q: ReserveQuery): Promise<ReserveOutcome>;
  /** The lease of an item, if any (expired or not). */
  getLease(guid: string): Promise<Lease | null>;
  /** Stores a result unless its dedup key is known for that bundle. */
  putResult(r: NewResult): Promise<PutOutcome>;
  /** Results, newest first. */
  listResults(q: ResultQuery): Promise<ResultRow[]>;
  /** Counts; `now` decides which leases are active. */
  stats(now: number): Promise<StoreStats>;
  /** Stores a one-time key-request message. */
  putKeyMessage(m: KeyMessage): Promise<void>;
  /** A key-request message by its text. */
  getKeyMessage(message: string): Promise<KeyMessage | null>;
  /** Marks a message used; false when it was already used (so a message yields one key). */
  useKeyMessage(message: string, now: number): Promise<boolean>;
  /** Stores an issued key by its hash. */
  putApiKey(keyHash: string, row: ApiKeyRow): Promise<void>;
  /** Looks a key up by its hash. */
  findApiKey(keyHash: string): Promise<ApiKeyRow | null>;
  /** Closes connections. */
  close(): Promise<void>;
}
