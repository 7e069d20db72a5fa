/**
 * Test helper: the store backends every store test body runs against. SQLite always; PostgreSQL
 * from `CGP_TEST_POSTGRES_URL` (CI sets it), each repository in a fresh schema that is dropped
 * afterwards. Without the variable the PostgreSQL tests fail, unless `CGP_SKIP_POSTGRES=1`.
 */
import { PostgresRepository } from "../../store/postgres_repository.ts";
import type { StoreRepository } from "../../store/repository.ts";
import { SqliteRepository } from "../../store/sqlite_repository.ts";

/** A backend under test. */
export interface Backend {
  name: "sqlite" | "postgres";
  /** Opens a fresh, migrated, empty repository. */
  open(): Promise<StoreRepository>;
  /** Closes it and removes its data. */
  dispose(repo: StoreRepository): Promise<void>;
}

let counter = 0;

const sqlite: Backend = {
  name: "sqlite",
  async open() {
    const dir = await Deno.makeTempDir({ prefix: "cgp_store_test_" });
    const repo = new SqliteRepository(`${dir}/store.sqlite`);
    await repo.migrate();
    return repo;
  },
  async dispose(repo) {
    await repo.close();
    const path = (repo as SqliteRepository).path;
    await Deno.remove(path.replace(/\/store\.sqlite$/, ""), { recursive: true });
  },
};

const pgUrl = Deno.env.get("CGP_TEST_POSTGRES_URL");
const skipPg = Deno.env.get("CGP_SKIP_POSTGRES") === "1";

const pg: Backend = {
  name: "postgres",
  async open() {
    if (!pgUrl) {
      throw new Error(
        "CGP_TEST_POSTGRES_URL is not set: the store's PostgreSQL tests need a server " +
          "(CI: postgres://cgp:cgp@127.0.0.1:5432/cgp_test). Set CGP_SKIP_POSTGRES=1 to skip them.",
      );
    }
    const schema = `cgp_test_${Deno.pid}_${Date.now().toString(36)}_${counter++}`;
    const repo = new PostgresRepository({ url: pgUrl, schema });
    await repo.migrate();
    return repo;
  },
  async dispose(repo) {
    await (repo as PostgresRepository).dropSchema();
    await repo.close();
  },
};

/** The backends to run: SQLite, and PostgreSQL unless skipped on purpose. */
export function backends(): Backend[] {
  if (skipPg) {
    console.warn("note: CGP_SKIP_POSTGRES=1, the store's PostgreSQL tests are skipped");
    return [sqlite];
  }
  return [sqlite, pg];
}

/** Runs `body` with a fresh repository of `backend`, then disposes of it. */
export async function withRepo<T>(
  backend: Backend,
  body: (repo: StoreRepository) => Promise<T>,
): Promise<T> {
  const repo = await backend.open();
  try {
    return await body(repo);
  } finally {
    await backend.dispose(repo);
  }
}

/** `n` small distinct conversations for tests. */
export function sampleConversations(n: number, prefix = "c") {
  return Array.from({ length: n }, (_, i) => ({
    guid: `${prefix}-${i}`,
    type: "conversation_tagging" as const,
    lines: Array.from({ length: 12 }, (_, k) =>
      [k % 2, `${prefix} ${i} line ${k}`] as [
        number,
        string,
      ]),
    participants: ["alice", "bob"],
    source: "test",
  }));
}
