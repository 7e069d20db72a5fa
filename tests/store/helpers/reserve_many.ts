/**
 * Test helper process: reserves up to N items from a SQLite store file as HOLDER and prints the
 * guids it got as one JSON line (used to prove leases are exclusive across processes).
 * Both processes start reserving at START_MS (epoch ms) so their work overlaps.
 * Usage: deno run -A reserve_many.ts DB_PATH HOLDER N START_MS
 */
import { SqliteRepository } from "../../../store/sqlite_repository.ts";

const [path, holder, n, startMs] = Deno.args;
const repo = new SqliteRepository(path);
const wait = Number(startMs) - Date.now();
if (wait > 0) await new Promise((r) => setTimeout(r, wait));
const got: string[] = [];
let busy = 0;
for (let i = 0; i < Number(n); i++) {
  const r = await repo.reserve({ holder, leaseMs: 600_000, now: Date.now() });
  if (r.ok) got.push(r.item.guid);
  else busy++;
}
await repo.close();
console.log(JSON.stringify({ got, busy }));
