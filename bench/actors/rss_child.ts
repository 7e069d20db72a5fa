/**
 * @module
 * One RSS measurement in its own process: 256 `minerClient` actors with filled state, placed on
 * the default pool (`pool`) or one worker each (`dedicated`). Prints one JSON line.
 */
import { actorName, ActorSystem } from "../../actors/mod.ts";
import { minerClient } from "./bench_actors.ts";

const placement = (Deno.args[0] ?? "pool") as "pool" | "dedicated";
const N = Number(Deno.args[1] ?? 256);
const mb = (b: number) => b / 1024 / 1024;
const baseline = Deno.memoryUsage().rss;
const system = new ActorSystem();
const t0 = performance.now();
const refs = await Promise.all(
  Array.from(
    { length: N },
    (_, uid) =>
      system.spawn({
        name: actorName("miner-client", uid),
        actor: minerClient,
        args: { uid },
        placement,
      }),
  ),
);
const spawnMs = performance.now() - t0;
for (let round = 0; round < 100; round++) {
  await Promise.all(
    refs.map((r, uid) =>
      r.tell("record", { latencyMs: 10 + ((uid * 7 + round) % 50), ok: round % 9 !== 0 })
    ),
  );
}
const summaries = await Promise.all(refs.map((r) => r.ask("summary", {})));
if (summaries.some((s, uid) => s.uid !== uid || s.requests !== 100)) {
  throw new Error("bad summaries");
}
await new Promise((r) => setTimeout(r, 200));
const rss = Deno.memoryUsage().rss;
const workers = system.stats().workers;
await system.shutdown({ deadlineMs: 30_000 });
console.log(JSON.stringify({
  placement,
  actors: N,
  workers,
  rss_mb: mb(rss),
  baseline_rss_mb: mb(baseline),
  spawn_ms: spawnMs,
}));
