/**
 * @module
 * The disk spool behind the ResultsWriter: every record bound for the store is first written
 * here (atomically; one file per task's records), and removed only once the store has accepted
 * it. While the store is down records pile up here; after a restart (even `kill -9`) they are
 * replayed in order. Nothing is lost and nothing slows scoring, which only waits for one local
 * file write per task.
 */
import { writeFileAtomic } from "./state.ts";

/** One spooled record: where it goes and what is sent. */
export interface SpooledRecord {
  /** Stable id (also the idempotency key the store dedupes on). */
  id: string;
  /** The bundle guid the record is PUT under. */
  guid: string;
  /** The PUT body. */
  body: unknown;
  /** How many deliveries failed so far. */
  attempts: number;
}

/** What one spool file holds: the records of one task (or one bundle). */
export interface SpooledBatch {
  records: SpooledRecord[];
}

/** The records of a spool file (also reads the single-record files of earlier versions). */
export function recordsOf(content: unknown): SpooledRecord[] {
  if (content && typeof content === "object" && Array.isArray((content as SpooledBatch).records)) {
    return (content as SpooledBatch).records;
  }
  if (content && typeof content === "object" && "id" in content && "guid" in content) {
    return [content as SpooledRecord];
  }
  throw new Error("not a spool file");
}

/** Spool files whose records are also kept in memory (a store outage spools far more). */
const MEMORY_FILES = 256;

/** A directory of pending records, oldest first. */
export class ResultsSpool {
  #seq = 0;
  /**
   * What this process spooled and has not acked yet, by file: delivery reads these instead of
   * reading back and parsing the files it has just written. Files from before a restart (or left
   * by another process), and those past the first {@link MEMORY_FILES} while the store is down,
   * are read from disk.
   */
  readonly #written = new Map<string, SpooledRecord[]>();

  constructor(readonly dir: string) {}

  /** Creates the directory and continues the sequence after what is already there. */
  async open(): Promise<this> {
    await Deno.mkdir(this.dir, { recursive: true });
    for (const name of this.#names()) {
      const n = Number(name.split("-")[0]);
      if (Number.isFinite(n) && n >= this.#seq) this.#seq = n + 1;
    }
    return this;
  }

  // The spool's small reads and removes use sync ops: an async fs op hands its work to another
  // thread and back, which costs more CPU than these calls themselves (they run once per task).
  #names(): string[] {
    const names: string[] = [];
    for (const e of Deno.readDirSync(this.dir)) {
      if (e.isFile && e.name.endsWith(".json")) names.push(e.name);
    }
    return names.sort();
  }

  /**
   * Adds records durably, all in one file (one fsync for a task's records); resolves once they
   * are on disk.
   */
  async add(records: ReadonlyArray<Omit<SpooledRecord, "attempts">>): Promise<void> {
    if (!records.length) return;
    const name = `${String(this.#seq++).padStart(12, "0")}-${
      records[0].id.replace(/[^A-Za-z0-9_.-]/g, "_")
    }.json`;
    const batch: SpooledBatch = { records: records.map((r) => ({ ...r, attempts: 0 })) };
    await writeFileAtomic(`${this.dir}/${name}`, JSON.stringify(batch));
    if (this.#written.size < MEMORY_FILES) this.#written.set(name, batch.records);
  }

  /** Pending files, oldest first, each with its records and the name used to ack it. */
  async pending(limit = Infinity): Promise<Array<{ file: string; records: SpooledRecord[] }>> {
    const out: Array<{ file: string; records: SpooledRecord[] }> = [];
    for (const file of this.#names()) {
      if (out.length >= limit) break;
      const known = this.#written.get(file);
      if (known) {
        out.push({ file, records: known });
        continue;
      }
      try {
        out.push({
          file,
          records: recordsOf(JSON.parse(Deno.readTextFileSync(`${this.dir}/${file}`))),
        });
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) continue;
        // A file that cannot be read is set aside, not deleted: an operator can inspect it.
        await Deno.rename(`${this.dir}/${file}`, `${this.dir}/${file}.unreadable`).catch(() => {});
      }
    }
    return out;
  }

  /** Removes a file whose records were all delivered (or set aside). */
  // deno-lint-ignore require-await
  async ack(file: string): Promise<void> {
    this.#written.delete(file);
    try {
      Deno.removeSync(`${this.dir}/${file}`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }

  /** Keeps the records of a file that were not delivered, with their failed attempt counted. */
  async retain(file: string, left: SpooledRecord[]): Promise<void> {
    if (!left.length) return await this.ack(file);
    const batch: SpooledBatch = { records: left.map((r) => ({ ...r, attempts: r.attempts + 1 })) };
    const kept = this.#written.delete(file);
    await writeFileAtomic(`${this.dir}/${file}`, JSON.stringify(batch));
    if (kept) this.#written.set(file, batch.records);
  }

  /** Number of pending files (0 when everything was delivered). */
  // deno-lint-ignore require-await
  async size(): Promise<number> {
    return this.#names().length;
  }
}
