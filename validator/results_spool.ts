/**
 * @module
 * The disk spool behind the ResultsWriter: every record bound for the store is first written
 * here as its own file (atomically), and removed only once the store has accepted it. While the
 * store is down records pile up here; after a restart (even `kill -9`) they are replayed in
 * order. Nothing is lost and nothing slows scoring, which only waits for a local file write.
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

/** A directory of pending records, oldest first. */
export class ResultsSpool {
  #seq = 0;

  constructor(readonly dir: string) {}

  /** Creates the directory and continues the sequence after what is already there. */
  async open(): Promise<this> {
    await Deno.mkdir(this.dir, { recursive: true });
    for (const name of await this.#names()) {
      const n = Number(name.split("-")[0]);
      if (Number.isFinite(n) && n >= this.#seq) this.#seq = n + 1;
    }
    return this;
  }

  async #names(): Promise<string[]> {
    const names: string[] = [];
    for await (const e of Deno.readDir(this.dir)) {
      if (e.isFile && e.name.endsWith(".json")) names.push(e.name);
    }
    return names.sort();
  }

  /** Adds a record durably; resolves once it is on disk. */
  async add(record: Omit<SpooledRecord, "attempts">): Promise<void> {
    const name = `${String(this.#seq++).padStart(12, "0")}-${
      record.id.replace(/[^A-Za-z0-9_.-]/g, "_")
    }.json`;
    await writeFileAtomic(`${this.dir}/${name}`, JSON.stringify({ ...record, attempts: 0 }));
  }

  /** Pending records, oldest first, each with the file name used to ack it. */
  async pending(limit = Infinity): Promise<Array<{ file: string; record: SpooledRecord }>> {
    const out: Array<{ file: string; record: SpooledRecord }> = [];
    for (const file of await this.#names()) {
      if (out.length >= limit) break;
      try {
        out.push({ file, record: JSON.parse(await Deno.readTextFile(`${this.dir}/${file}`)) });
      } catch {
        // A file that cannot be read is set aside, not deleted: an operator can inspect it.
        await Deno.rename(`${this.dir}/${file}`, `${this.dir}/${file}.unreadable`).catch(() => {});
      }
    }
    return out;
  }

  /** Removes a delivered record. */
  async ack(file: string): Promise<void> {
    await Deno.remove(`${this.dir}/${file}`).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }

  /** Records a failed delivery (kept for the next replay). */
  async nack(file: string, record: SpooledRecord): Promise<void> {
    await writeFileAtomic(
      `${this.dir}/${file}`,
      JSON.stringify({ ...record, attempts: record.attempts + 1 }),
    );
  }

  /** Number of pending records. */
  async size(): Promise<number> {
    return (await this.#names()).length;
  }
}
