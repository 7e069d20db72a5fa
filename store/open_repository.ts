/**
 * @module
 * Opens a repository from an operator's `--db` value: `sqlite:PATH` (or a bare path, or
 * `sqlite::memory:`) for the embedded backend, `postgres://…` / `postgresql://…` for
 * PostgreSQL (an optional `?schema=NAME` puts the tables in that schema). Migrations are applied
 * before it is returned.
 */
import type { StoreRepository } from "./repository.ts";
import { SqliteRepository } from "./sqlite_repository.ts";

/** The default SQLite file: `$XDG_DATA_HOME/cgp-node/store.sqlite` (or `~/.local/share/…`). */
export function defaultDbPath(): string {
  const xdg = Deno.env.get("XDG_DATA_HOME");
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  const base = xdg && xdg.length ? xdg : `${home}/.local/share`;
  return `${base}/cgp-node/store.sqlite`;
}

/** Opens and migrates the repository named by `spec`. */
export async function openRepository(spec?: string): Promise<StoreRepository> {
  const s = spec ?? `sqlite:${defaultDbPath()}`;
  let repo: StoreRepository;
  if (/^postgres(ql)?:\/\//.test(s)) {
    const { PostgresRepository } = await import("./postgres_repository.ts");
    repo = PostgresRepository.fromUrl(s);
  } else {
    const path = s.startsWith("sqlite:") ? s.slice("sqlite:".length) : s;
    if (!path) throw new Error(`--db: ${JSON.stringify(s)} names no file`);
    if (path !== ":memory:") {
      const dir = path.replace(/[/\\][^/\\]*$/, "");
      if (dir && dir !== path) await Deno.mkdir(dir, { recursive: true });
    }
    repo = new SqliteRepository(path);
  }
  try {
    await repo.migrate();
  } catch (e) {
    await repo.close();
    throw e;
  }
  return repo;
}
