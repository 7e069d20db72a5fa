/**
 * @module
 * Actors bench: message round trip (main→worker→main and worker A→worker B→A), throughput
 * between actors in different workers, and RSS of 256 MinerClient-style actors in the default
 * pool placement against one worker per actor (each configuration in its own subprocess).
 * Ends with one JSON line. (The upstream Python validator has no actor runtime to compare with:
 * it runs its miner calls as asyncio tasks in one process.)
 */
import { cpuUsage } from "node:process";
import { ActorSystem } from "../../actors/mod.ts";
import { pinger } from "./bench_actors.ts";

const N_RT = 20_000;
const N_TP = 50_000;

function summary(lat: number[]) {
  const s = [...lat].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p99: s[Math.floor(s.length * 0.99)], n: s.length };
}

async function messaging() {
  const system = new ActorSystem({ poolSize: 2 });
  try {
    const a = await system.spawn({ name: "bench/a", actor: pinger });
    const b = await system.spawn({ name: "bench/b", actor: pinger });
    const st = system.stats();
    const isoA = st.actors.find((x) => x.name === "bench/a")!.isolate;
    const isoB = st.actors.find((x) => x.name === "bench/b")!.isolate;
    if (isoA === isoB) throw new Error("bench actors landed on the same isolate");
    // main → worker → main
    for (let i = 0; i < 2_000; i++) await b.ask("ping", { seq: i }); // warm-up
    const lat: number[] = [];
    for (let i = 0; i < N_RT; i++) {
      const t0 = performance.now();
      await b.ask("ping", { seq: i });
      lat.push((performance.now() - t0) * 1000);
    }
    const mainRt = summary(lat);
    // worker A → worker B → A (via the main-thread router)
    await a.ask("pingLoop", { to: "bench/b", n: 2_000 }, { timeoutMs: 120_000 });
    const workerRt = await a.ask("pingLoop", { to: "bench/b", n: N_RT }, { timeoutMs: 300_000 });
    // throughput: tells from main, then from worker A to worker B
    const c0 = await b.ask("count", {});
    let cpu0 = cpuUsage();
    let t0 = performance.now();
    const accepted: Promise<void>[] = [];
    for (let i = 0; i < N_TP; i++) accepted.push(b.tell("ping", { seq: i }));
    await Promise.all(accepted);
    const c1 = await b.ask("count", {}, { timeoutMs: 120_000 });
    const mainTpMs = performance.now() - t0;
    const mainCpu = cpuUsage(cpu0);
    if (c1 - c0 !== N_TP) throw new Error(`lost messages: ${c1 - c0} of ${N_TP}`);
    t0 = performance.now();
    cpu0 = cpuUsage();
    const blast = await a.ask("blast", { to: "bench/b", n: N_TP }, { timeoutMs: 300_000 });
    const workerCpu = cpuUsage(cpu0);
    if (blast.handled !== N_TP) throw new Error(`lost messages: ${blast.handled} of ${N_TP}`);
    const cpuS = (u: { user: number; system: number }) => (u.user + u.system) / 1e6;
    return {
      main_rt: mainRt,
      worker_rt: workerRt,
      main_tell_per_s: N_TP / (mainTpMs / 1000),
      worker_tell_per_s: N_TP / (blast.ms / 1000),
      main_cpu_us_per_msg: (cpuS(mainCpu) * 1e6) / N_TP,
      worker_cpu_us_per_msg: (cpuS(workerCpu) * 1e6) / N_TP,
    };
  } finally {
    await system.shutdown({ deadlineMs: 30_000 });
  }
}

async function rssChild(placement: "pool" | "dedicated") {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./rss_child.ts", import.meta.url).pathname, placement, "256"],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (out.code !== 0) throw new Error(`rss child (${placement}) exited ${out.code}`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as {
    workers: number;
    rss_mb: number;
    baseline_rss_mb: number;
    spawn_ms: number;
  };
}

const loadAtStart = Deno.loadavg()[0];
const m = await messaging();
const pool = await rssChild("pool");
const dedicated = await rssChild("dedicated");
const r1 = (x: number) => Math.round(x * 10) / 10;
console.error(
  `round trip main→worker→main: median ${r1(m.main_rt.median)} µs, p99 ${r1(m.main_rt.p99)} µs; ` +
    `worker→worker→worker: median ${r1(m.worker_rt.median)} µs, p99 ${r1(m.worker_rt.p99)} µs; ` +
    `tells/s main→worker ${Math.round(m.main_tell_per_s)}, worker→worker ${
      Math.round(m.worker_tell_per_s)
    }; ` +
    `RSS 256 actors: pool (${pool.workers} workers) ${
      r1(pool.rss_mb)
    } MB, dedicated (${dedicated.workers} workers) ${r1(dedicated.rss_mb)} MB`,
);
const figures = {
  round_trip_main_worker_median_us: r1(m.main_rt.median),
  round_trip_main_worker_p99_us: r1(m.main_rt.p99),
  round_trip_worker_worker_median_us: r1(m.worker_rt.median),
  round_trip_worker_worker_p99_us: r1(m.worker_rt.p99),
  throughput_main_to_worker_msgs_per_s: Math.round(m.main_tell_per_s),
  throughput_worker_to_worker_msgs_per_s: Math.round(m.worker_tell_per_s),
  // CPU time of the whole process (all threads) per message: what the throughput would cost on an
  // unloaded machine, independent of how much CPU other processes left us.
  cpu_us_per_msg_main_to_worker: r1(m.main_cpu_us_per_msg),
  cpu_us_per_msg_worker_to_worker: r1(m.worker_cpu_us_per_msg),
  rss_256_actors_pool_mb: r1(pool.rss_mb),
  rss_256_actors_pool_workers: pool.workers,
  rss_256_actors_pool_spawn_ms: Math.round(pool.spawn_ms),
  rss_256_actors_dedicated_mb: r1(dedicated.rss_mb),
  rss_256_actors_dedicated_workers: dedicated.workers,
  rss_256_actors_dedicated_spawn_ms: Math.round(dedicated.spawn_ms),
  rss_process_baseline_mb: r1(pool.baseline_rss_mb),
  cores: navigator.hardwareConcurrency,
  load_average_1m_at_start: r1(loadAtStart),
  load_average_1m_at_end: r1(Deno.loadavg()[0]),
};
// The target is the worker-to-worker round trip (the slower one, through the router).
const rtTarget = Math.max(m.main_rt.median, m.worker_rt.median);
console.log(JSON.stringify({
  bench: "actors",
  figures,
  targets: {
    rss_256_actors_mb: { value: r1(pool.rss_mb), target: 150, met: pool.rss_mb < 150 },
    round_trip_median_us: { value: r1(rtTarget), target: 100, met: rtTarget < 100 },
  },
}));
