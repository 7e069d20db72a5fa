/** Two processes reserving from one SQLite file at the same time never get the same item. */
import assert from "node:assert/strict";
import { SqliteRepository } from "../../store/sqlite_repository.ts";
import { sampleConversations } from "./backends.ts";

const HELPER = new URL("./helpers/reserve_many.ts", import.meta.url).pathname;

Deno.test("sqlite: leases are exclusive across processes sharing the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgp_sqlite_mp_" });
  try {
    const path = `${dir}/s.sqlite`;
    const repo = new SqliteRepository(path);
    await repo.migrate();
    await repo.insertItems(sampleConversations(1200), Date.now());
    await repo.close();
    const start = String(Date.now() + 1500);
    const run = (holder: string) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", HELPER, path, holder, "900", start],
        stdout: "piped",
        stderr: "inherit",
      }).output();
    const outs = await Promise.all([run("v1"), run("v2")]);
    const parsed = outs.map((o) => {
      assert.equal(o.code, 0);
      return JSON.parse(new TextDecoder().decode(o.stdout)) as { got: string[]; busy: number };
    });
    const all = parsed.flatMap((p) => p.got);
    assert.equal(all.length, 1200);
    assert.equal(new Set(all).size, 1200);
    assert.equal(parsed[0].busy + parsed[1].busy, 600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
