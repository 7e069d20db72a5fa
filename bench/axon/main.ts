/**
 * @module
 * `deno task bench axon`: a verified `CgSynapse` round trip with a trivial forward, our axon
 * (separate Deno process, sr25519 verification in wasm, spread over a worker pool and the
 * server thread) against the Python
 * bittensor 9.0.0 axon (same forward), driven in turn by the same load generator: pre-signed
 * requests (a fresh uuid each, so any arrival order is valid), N concurrent keep-alive
 * connections, a fixed duration. Prints requests/s, p50/p99 latency and server RSS, and the
 * verification ceiling `cores / verify_time` measured here. A bare `Deno.serve` under the same
 * load gives the floor any Deno server has here (RSS, CPU per request).
 */
import { cpuUsage } from "node:process";
import { Keypair } from "../../wallet/keypair.ts";
import { sr25519VerifierReady, sr25519VerifyMessage } from "../../protocol/sr25519_verify.ts";
import { type Prepared, presign } from "../presign.ts";

const MNEMONIC = "old leopard transfer rib spatial phone calm indicate online fire caution review";
const CLIENT = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const DURATION_S = Number(Deno.env.get("BENCH_AXON_SECONDS") ?? 10);
const CONNECTIONS = Number(Deno.env.get("BENCH_AXON_CONNECTIONS") ?? 32);
const CORES = navigator.hardwareConcurrency;
// One verify worker per core: the server thread only parses and answers, the workers verify.
const VERIFY_WORKERS = Number(Deno.env.get("BENCH_AXON_VERIFY_WORKERS") ?? CORES);
const REQUEST_TIMEOUT_S = 120; // header timeout: widens the first-nonce window for pre-signed requests
const root = new URL("../../", import.meta.url);

const log = (msg: string) => console.error(`bench axon: ${msg}`);

/** Median µs of one sr25519 verification with the axon's verifier (wasm schnorrkel). */
async function verifyMicros(): Promise<number> {
  await sr25519VerifierReady();
  const kp = await Keypair.fromMnemonic(CLIENT);
  const msg = new TextEncoder().encode(
    `1767225600000000000.${kp.ss58Address}.5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.` +
      "5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a.a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
  );
  const sig = kp.sign(msg);
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    for (let i = 0; i < 100; i++) sr25519VerifyMessage(msg, sig, kp.publicKey);
    rounds.push((performance.now() - t) * 10);
  }
  return rounds.sort((a, b) => a - b)[3];
}

/** Pre-signs `count` requests in parallel workers. */
function presignRequests(port: number, hotkey: string, count: number): Promise<Prepared[]> {
  return presign({
    mnemonic: CLIENT,
    target: { ip: "127.0.0.1", port, hotkey },
    inputs: Array.from(
      { length: count },
      (_, i) => [{ guid: i, lines: [[0, "hello"], [1, "world"]] }],
    ),
    timeout: REQUEST_TIMEOUT_S,
    workers: CORES,
  });
}

interface LoadResult {
  ok: number;
  failed: number;
  failures: Record<string, number>;
  seconds: number;
  latenciesMs: number[];
  genCpuSeconds: number;
  exhausted: boolean;
}

/** Sends the pre-signed requests over `CONNECTIONS` loops for `seconds` (or until exhausted). */
async function load(reqs: Prepared[], seconds: number): Promise<LoadResult> {
  let next = 0;
  const lat: number[] = [];
  let ok = 0, failed = 0;
  const failures: Record<string, number> = {};
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < end && next < reqs.length) {
      const r = reqs[next++];
      const t = performance.now();
      try {
        const res = await fetch(r.url, { method: "POST", headers: r.headers, body: r.body });
        const text = await res.text();
        if (res.status === 200) {
          ok++;
          lat.push(performance.now() - t);
        } else {
          failed++;
          const key = `${res.status} ${text.slice(0, 80)}`;
          failures[key] = (failures[key] ?? 0) + 1;
        }
      } catch (e) {
        failed++;
        const key = String((e as Error).message).slice(0, 80);
        failures[key] = (failures[key] ?? 0) + 1;
      }
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = cpuUsage(cpu0);
  return {
    ok,
    failed,
    failures,
    seconds: elapsed,
    latenciesMs: lat.sort((a, b) => a - b),
    genCpuSeconds: (cpu.user + cpu.system) / 1e6,
    exhausted: next >= reqs.length,
  };
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;

/** CPU seconds (user + system, all threads) a process has used, from /proc. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

/** The 1-minute load average (other work on the machine skews every figure). */
function loadAverage(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
  } catch {
    return NaN;
  }
}

/** RSS (bytes) of a process, from /proc. */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

interface Server {
  pid: number;
  port: number;
  hotkey: string;
  stop(): Promise<void>;
}

async function startServer(cmd: string, args: string[], cwd: string): Promise<Server> {
  const child = new Deno.Command(cmd, {
    args,
    cwd,
    stdout: "piped",
    stderr: "inherit",
    env: { PYTHONUNBUFFERED: "1" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let ready: { port: number; hotkey?: string } | undefined;
  const deadline = Date.now() + 60_000;
  while (!ready) {
    if (Date.now() > deadline) throw new Error(`${args[0]} did not start`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`${args[0]} exited before it was ready`);
    buf += value;
    for (const line of buf.split("\n")) {
      if (line.startsWith("{") && line.includes('"ready"')) ready = JSON.parse(line);
    }
  }
  // keep draining stdout so the server never blocks on a full pipe
  (async () => {
    try {
      while (!(await reader.read()).done) { /* drain */ }
    } catch { /* closed */ }
  })();
  return {
    pid: child.pid,
    port: ready.port,
    hotkey: ready.hotkey ?? (await Keypair.fromMnemonic(MNEMONIC)).ss58Address,
    stop: async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      const t = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 3000);
      await child.status;
      clearTimeout(t);
    },
  };
}

interface RunFigures {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  rss_mb: number;
  ok: number;
  failed: number;
  seconds: number;
  gen_cpu_cores: number;
  server_cpu_cores: number;
  exhausted: boolean;
}

/**
 * Warm-up, then the timed run, sampling the server's RSS and CPU. The pre-signed pool is sized
 * for the verification ceiling (no server can answer faster), so it does not run dry.
 */
async function measure(name: string, server: Server, ceiling: number): Promise<RunFigures> {
  const warm = await presignRequests(server.port, server.hotkey, 300);
  const w = await load(warm, 3);
  const estimate = Math.max(50, (w.ok + w.failed) / w.seconds);
  const count = Math.min(
    60_000,
    Math.ceil(Math.min(ceiling * 1.1, estimate * 4) * DURATION_S) + 500,
  );
  log(`${name}: warm-up ${estimate.toFixed(0)} req/s, pre-signing ${count} requests`);
  const reqs = await presignRequests(server.port, server.hotkey, count);
  let peak = rssOf(server.pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(server.pid))), 200);
  const cpu0 = cpuSecondsOf(server.pid);
  const r = await load(reqs, DURATION_S);
  const serverCpu = cpuSecondsOf(server.pid) - cpu0;
  clearInterval(sampler);
  peak = Math.max(peak, rssOf(server.pid));
  if (r.failed) log(`${name}: ${r.failed} failed: ${JSON.stringify(r.failures)}`);
  const f: RunFigures = {
    rps: r.ok / r.seconds,
    p50_ms: pct(r.latenciesMs, 50),
    p99_ms: pct(r.latenciesMs, 99),
    rss_mb: peak / 2 ** 20,
    ok: r.ok,
    failed: r.failed,
    seconds: r.seconds,
    gen_cpu_cores: r.genCpuSeconds / r.seconds,
    server_cpu_cores: serverCpu / r.seconds,
    exhausted: r.exhausted,
  };
  log(`${name}: ${JSON.stringify(f)}`);
  return f;
}

const round = (x: number, d = 3) => Number.isFinite(x) ? Number(x.toFixed(d)) : null;

if (import.meta.main) {
  const python = new URL(".venv/bt9/bin/python", root).pathname;
  try {
    Deno.statSync(python);
  } catch {
    console.error("bench axon: missing .venv/bt9 (run scripts/python_env.sh)");
    Deno.exit(1);
  }
  const load0 = loadAverage();
  const verifyUs = await verifyMicros();
  const ceiling = CORES / (verifyUs / 1e6);
  log(`sr25519 verify: ${verifyUs.toFixed(0)} µs on this machine, ${CORES} cores, load ${load0}`);

  /** Starts a server, measures it under the load, and stops it whatever happened. */
  const run = async (name: string, cmd: string, args: string[], cwd: string) => {
    const server = await startServer(cmd, args, cwd);
    try {
      return await measure(name, server, ceiling);
    } finally {
      await server.stop();
    }
  };
  const denoArgs = (script: string, cfg: unknown) => [
    "run",
    "-A",
    new URL(script, import.meta.url).pathname,
    JSON.stringify(cfg),
  ];

  const oursFig = await run(
    "ours",
    Deno.execPath(),
    denoArgs("./server.ts", { port: 0, mnemonic: MNEMONIC, verifyWorkers: VERIFY_WORKERS }),
    root.pathname,
  );

  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pyPort = (l.addr as Deno.NetAddr).port;
  l.close();
  const pyFig = await run("python", python, [
    "axon_server.py",
    JSON.stringify({ port: pyPort, hotkey: MNEMONIC, quiet: true }),
  ], new URL("tests/interop/py/", root).pathname);

  // The floor: a bare Deno.serve under the same load (what any Deno server costs here).
  const bareFig = await run(
    "bare Deno.serve",
    Deno.execPath(),
    denoArgs("./bare_server.ts", { port: 0 }),
    root.pathname,
  );

  // The load generator runs on the same cores: what it used is not available to the server.
  const fairCeiling = Math.max(0.1, CORES - oursFig.gen_cpu_cores) / (verifyUs / 1e6);
  const figures = {
    cores: CORES,
    verify_workers: VERIFY_WORKERS,
    connections: CONNECTIONS,
    seconds: DURATION_S,
    verify_us: round(verifyUs, 1),
    ceiling_rps: round(ceiling, 0),
    fair_ceiling_rps: round(fairCeiling, 0),
    load_generator_cores: round(oursFig.gen_cpu_cores, 2),
    ours_rps: round(oursFig.rps, 0),
    python_rps: round(pyFig.rps, 0),
    ours_p50_ms: round(oursFig.p50_ms, 2),
    ours_p99_ms: round(oursFig.p99_ms, 2),
    python_p50_ms: round(pyFig.p50_ms, 2),
    python_p99_ms: round(pyFig.p99_ms, 2),
    ours_rss_mb: round(oursFig.rss_mb, 1),
    python_rss_mb: round(pyFig.rss_mb, 1),
    ours_failed: oursFig.failed,
    python_failed: pyFig.failed,
    ours_vs_raw_ceiling: round(oursFig.rps / ceiling),
    // CPU the servers actually got, and our rate against the verification bound for that CPU
    ours_server_cpu_cores: round(oursFig.server_cpu_cores, 2),
    python_server_cpu_cores: round(pyFig.server_cpu_cores, 2),
    ours_vs_bound_of_cpu_used: round(
      oursFig.rps / (oursFig.server_cpu_cores / (verifyUs / 1e6)),
    ),
    ours_exhausted_pool: oursFig.exhausted,
    // server CPU per answered request: ours, ours beyond verification, a bare Deno.serve
    ours_server_cpu_us_per_request: round(oursFig.server_cpu_cores / oursFig.rps * 1e6, 0),
    ours_non_verify_cpu_us_per_request: round(
      oursFig.server_cpu_cores / oursFig.rps * 1e6 - verifyUs,
      0,
    ),
    floor_bare_deno_cpu_us_per_request: round(bareFig.server_cpu_cores / bareFig.rps * 1e6, 0),
    floor_bare_deno_rss_mb: round(bareFig.rss_mb, 1),
    floor_bare_deno_rss_vs_python: round(bareFig.rss_mb / pyFig.rss_mb),
    load_average_before: load0,
    load_average_after: loadAverage(),
  };
  const t = (value: number | null, target: number, met: boolean) => ({ value, target, met });
  const cf = round(oursFig.rps / fairCeiling);
  const tp = round(oursFig.rps / pyFig.rps);
  const p99 = round(oursFig.p99_ms / pyFig.p99_ms);
  const rss = round(oursFig.rss_mb / pyFig.rss_mb);
  console.log(JSON.stringify({
    bench: "axon",
    figures,
    targets: {
      ceiling_fraction: t(cf, 0.8, cf !== null && cf >= 0.8),
      throughput_vs_python: t(tp, 3, tp !== null && tp >= 3),
      p99_vs_python: t(p99, 1, p99 !== null && p99 < 1),
      rss_vs_python: t(rss, 0.25, rss !== null && rss <= 0.25),
    },
  }));
}
