/**
 * @module
 * `deno task bench miner`: conversation windows per second answered by OUR miner — the real
 * `main.ts miner` command as its own Deno process (registered on a local chain, offline LLM,
 * default settings) — under a load generator of pre-signed `CgSynapse` requests (masked
 * `conversation_tagging` tasks made from the shared chat data, every window distinct so the cache
 * cannot answer them), then a short run of repeated windows to show what the cache answers. It
 * reports windows/s, p50/p99 latency, the miner's idle and peak RSS, and the cache-hit rates the
 * miner itself counted (read with SIGUSR1).
 *
 * The Python side: upstream's miner cannot run here (it needs an LLM API for every window), and
 * a Python forward doing our offline work would not be upstream's miner either. So the honest
 * Python figure is the protocol ceiling of the Python stack: a bittensor 9.0.0 axon serving
 * `CgSynapse` with a trivial forward (echo, no tagging), driven by the same load generator with
 * the same payloads. Ours does the tagging work, Python's does none: Python's figure is an upper
 * bound for any Python miner on this machine.
 */
import { cpuUsage } from "node:process";
import { startLocalChain } from "../../chain/local/mod.ts";
import { createWallet, Keypair } from "../../wallet/mod.ts";
import { type Prepared, presign } from "../presign.ts";

const CLIENT = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const PY_AXON = "old leopard transfer rib spatial phone calm indicate online fire caution review";
const DURATION_S = Number(Deno.env.get("BENCH_MINER_SECONDS") ?? 10);
const REPEAT_S = Number(Deno.env.get("BENCH_MINER_REPEAT_SECONDS") ?? 4);
const CONNECTIONS = Number(Deno.env.get("BENCH_MINER_CONNECTIONS") ?? 16);
/** A short run over one connection: each side's unloaded latency and sequential rate. */
const ONE_CONN_S = 3;
/** Windows kept for the one-connection runs (never used by the others). */
const TAIL = 600;
const CORES = navigator.hardwareConcurrency;
const REQUEST_TIMEOUT_S = 120; // also the freshness window of pre-signed nonces
const MINER_IP = "127.0.0.2"; // the chain, like finney, refuses to serve 127.0.0.1
const NETUID = 1;
const TAO = 1_000_000_000n;
const root = new URL("../../", import.meta.url);
const DATA = new URL("../shared/data/facebook-chat-data.json", root);

const log = (msg: string) => console.error(`bench miner: ${msg}`);

type Line = [number, string];

/** A masked conversation task as today's validator sends it. */
function taskInput(window: Line[]): Record<string, unknown>[] {
  return [{
    task: {
      mode: "production",
      api_version: 1.4,
      guid: "HIDDEN",
      bundle_guid: "HIDDEN",
      type: "conversation_tagging",
      scoring_mechanism: null,
      input: {
        guid: "HIDDEN",
        input_type: "conversation",
        data: { window_idx: -1, window, participants: ["p0", "p1"], prompt: null },
        input_categories: null,
      },
      prompt_chain: [],
      example_output: null,
    },
  }];
}

/** Every distinct window (4–8 lines, every start) of the shared chats, shuffled reproducibly. */
async function distinctWindows(): Promise<Line[][]> {
  const raw = JSON.parse(await Deno.readTextFile(DATA)) as Record<string, { lines: Line[] }>;
  const seen = new Set<string>();
  const out: Line[][] = [];
  for (const convo of Object.values(raw)) {
    for (let len = 4; len <= 8; len++) {
      for (let start = 0; start + len <= convo.lines.length; start++) {
        const w = convo.lines.slice(start, start + len);
        const key = JSON.stringify(w);
        if (!seen.has(key)) (seen.add(key), out.push(w));
      }
    }
  }
  let s = 42;
  const random = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Pre-signs one request per `cgp_input` in parallel workers. */
function presignRequests(
  target: { ip: string; port: number; hotkey: string },
  inputs: Record<string, unknown>[][],
): Promise<Prepared[]> {
  return presign({ mnemonic: CLIENT, target, inputs, timeout: REQUEST_TIMEOUT_S, workers: CORES });
}

interface LoadResult {
  ok: number;
  failed: number;
  failures: Record<string, number>;
  seconds: number;
  latenciesMs: number[];
  genCpuCores: number;
  exhausted: boolean;
  /** Answers whose first `cgp_output` item carried at least one tag. */
  tagged: number;
}

/** Sends the requests over `CONNECTIONS` loops for `seconds` (or until they run out). */
async function load(
  reqs: Prepared[],
  seconds: number,
  connections = CONNECTIONS,
): Promise<LoadResult> {
  let next = 0, ok = 0, failed = 0, tagged = 0;
  const lat: number[] = [];
  const failures: Record<string, number> = {};
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < end && next < reqs.length) {
      const r = reqs[next++];
      const t = performance.now();
      try {
        const res = await fetch(r.url, { method: "POST", headers: r.headers, body: r.body });
        const text = await res.text();
        if (res.status === 200) {
          ok++;
          lat.push(performance.now() - t);
          const out = JSON.parse(text).cgp_output?.[0];
          if (Array.isArray(out?.tags) && out.tags.length) tagged++;
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
    genCpuCores: (cpu.user + cpu.system) / 1e6 / elapsed,
    exhausted: next >= reqs.length,
    tagged,
  };
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;

/** RSS (bytes) of a process, from /proc. */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** A child process whose stdout and stderr are collected as they come. */
class Child {
  readonly proc: Deno.ChildProcess;
  out = "";
  readonly done: Promise<Deno.CommandStatus>;
  constructor(cmd: string, args: string[], opts: { cwd: string; env: Record<string, string> }) {
    this.proc = new Deno.Command(cmd, {
      args,
      cwd: opts.cwd,
      env: opts.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const drain = async (s: ReadableStream<Uint8Array>) => {
      for await (const c of s.pipeThrough(new TextDecoderStream())) {
        this.out = (this.out + c).slice(-200_000);
      }
    };
    this.done = Promise.all([drain(this.proc.stdout), drain(this.proc.stderr)]).then(() =>
      this.proc.status
    );
  }

  async waitFor(re: RegExp, what: string, timeoutMs = 90_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    this.done.then(() => (exited = true));
    while (true) {
      const m = re.exec(this.out);
      if (m) return m;
      if (exited) throw new Error(`${what}: the process exited:\n${this.out.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`${what}: timed out:\n${this.out.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<Deno.CommandStatus> {
    try {
      this.proc.kill("SIGTERM");
    } catch { /* gone */ }
    const t = setTimeout(() => {
      try {
        this.proc.kill("SIGKILL");
      } catch { /* gone */ }
    }, 10_000);
    const s = await this.done;
    clearTimeout(t);
    return s;
  }
}

type Counters = Record<string, number>;

/** The miner's own counters, read with SIGUSR1 (its `counters:` log line). */
async function countersOf(miner: Child): Promise<Counters> {
  const before = (miner.out.match(/counters: /g) ?? []).length;
  miner.proc.kill("SIGUSR1");
  const deadline = Date.now() + 10_000;
  while ((miner.out.match(/counters: /g) ?? []).length <= before) {
    if (Date.now() > deadline) throw new Error("the miner printed no counters after SIGUSR1");
    await new Promise((r) => setTimeout(r, 20));
  }
  const line = miner.out.slice(miner.out.lastIndexOf("counters: ")).split("\n")[0];
  return Object.fromEntries([...line.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

interface RunFigures {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  ok: number;
  failed: number;
  tagged: number;
  seconds: number;
  gen_cpu_cores: number;
  exhausted: boolean;
  peak_rss_mb: number;
}

async function timed(
  name: string,
  pid: number,
  reqs: Prepared[],
  seconds: number,
  connections = CONNECTIONS,
): Promise<RunFigures> {
  let peak = rssOf(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 200);
  const r = await load(reqs, seconds, connections);
  clearInterval(sampler);
  peak = Math.max(peak, rssOf(pid));
  if (r.failed) log(`${name}: ${r.failed} failed: ${JSON.stringify(r.failures)}`);
  const f: RunFigures = {
    rps: r.ok / r.seconds,
    p50_ms: pct(r.latenciesMs, 50),
    p99_ms: pct(r.latenciesMs, 99),
    ok: r.ok,
    failed: r.failed,
    tagged: r.tagged,
    seconds: r.seconds,
    gen_cpu_cores: r.genCpuCores,
    exhausted: r.exhausted,
    peak_rss_mb: peak / 2 ** 20,
  };
  log(`${name}: ${JSON.stringify(f)}`);
  return f;
}

/** Warm-up on `warmInputs`, then as many pre-signed requests as `seconds` will take. */
async function sized(
  target: { ip: string; port: number; hotkey: string },
  warmInputs: Record<string, unknown>[][],
  pool: Record<string, unknown>[][],
  seconds: number,
  name: string,
): Promise<Prepared[]> {
  const w = await load(await presignRequests(target, warmInputs), 2);
  if (!w.ok) throw new Error(`${name}: warm-up got no answer: ${JSON.stringify(w.failures)}`);
  const estimate = Math.max(20, (w.ok + w.failed) / w.seconds);
  const count = Math.min(pool.length, Math.ceil(estimate * seconds * 2.5) + 100);
  log(`${name}: warm-up ${estimate.toFixed(0)} req/s, pre-signing ${count} requests`);
  return await presignRequests(target, pool.slice(0, count));
}

interface OursFigures {
  distinct: RunFigures;
  single: RunFigures;
  repeated: RunFigures;
  idleRssMb: number;
  hitRateDistinct: number;
  hitRateRepeated: number;
  expectedHitRateRepeated: number;
  shed: number;
  exitCode: number;
}

/** Our miner: the real command, registered on a local chain, offline LLM. */
async function runOurs(windows: Line[][]): Promise<OursFigures> {
  const tmp = await Deno.makeTempDir({ prefix: "cgp-bench-miner-" });
  const chain = await startLocalChain({
    metadataPath: new URL("../shared/chain/subtensor-metadata-v16.scale", root).pathname,
    blockTimeMs: 500,
  });
  let miner: Child | undefined;
  try {
    const owner = await Keypair.generate();
    chain.createSubnet(NETUID, {
      owner: { coldkey: owner.ss58Address, hotkey: owner.ss58Address },
      tempo: 100,
      servingRateLimit: 0,
    });
    const client = await Keypair.fromMnemonic(CLIENT);
    chain.registerNeuron(NETUID, client.ss58Address, owner.ss58Address, {
      stakeRao: 5_000n * TAO,
      validatorPermit: true,
    });
    const made = await createWallet({ name: "bench", path: tmp, coldkeyPassword: null });
    chain.registerNeuron(NETUID, made.hotkey.ss58Address, owner.ss58Address, {
      stakeRao: 10n * TAO,
    });
    const l = Deno.listen({ hostname: MINER_IP, port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    await new Promise((r) => setTimeout(r, 1100)); // the registration lands in a block
    miner = new Child(Deno.execPath(), [
      "run",
      "-A",
      "main.ts",
      "miner",
      ...["--netuid", String(NETUID), "--subtensor.chain_endpoint", chain.url],
      ...["--wallet.name", "bench", "--wallet.path", tmp],
      ...["--axon.ip", MINER_IP, "--axon.port", String(port)],
    ], {
      cwd: root.pathname,
      env: { LLM_TYPE: "offline", LLM_EMBEDDING_CACHE: "off", NO_COLOR: "1" },
    });
    await miner.waitFor(/miner uid \d+ serving/, "miner start");
    const pid = miner.proc.pid;
    const idleRssMb = rssOf(pid) / 2 ** 20;
    log(
      `ours: miner pid ${pid} serving on ${MINER_IP}:${port}, idle RSS ${idleRssMb.toFixed(1)} MB`,
    );
    const target = { ip: MINER_IP, port, hotkey: made.hotkey.ss58Address };

    // distinct windows: the warm-up takes its own, the timed run the rest, the repeat run 20
    const repeatSet = windows.slice(0, 20);
    const warm = windows.slice(20, 220);
    const pool = windows.slice(220, -TAIL);
    const reqs = await sized(target, warm.map(taskInput), pool.map(taskInput), DURATION_S, "ours");
    const c0 = await countersOf(miner);
    const distinct = await timed("ours distinct windows", pid, reqs, DURATION_S);
    const c1 = await countersOf(miner);

    // answers from the cache come faster than tagging: size the pool for 4x the distinct rate
    const perWindow = Math.max(5, Math.ceil((Math.max(distinct.rps, 50) * REPEAT_S * 4) / 20));
    const repeatedInputs = Array.from(
      { length: perWindow * 20 },
      (_, i) => taskInput(repeatSet[i % 20]),
    );
    const repeatReqs = await presignRequests(target, repeatedInputs);
    const repeated = await timed("ours repeated windows", pid, repeatReqs, REPEAT_S);
    const c2 = await countersOf(miner);
    const single = await timed(
      "ours distinct windows, 1 connection",
      pid,
      await presignRequests(target, windows.slice(-TAIL).map(taskInput)),
      ONE_CONN_S,
      1,
    );
    const rate = (a: Counters, b: Counters) => {
      const hits = b.cache_hits - a.cache_hits;
      const misses = b.cache_misses - a.cache_misses;
      return hits + misses ? hits / (hits + misses) : NaN;
    };
    const status = await miner.stop();
    return {
      distinct,
      single,
      repeated,
      idleRssMb,
      hitRateDistinct: rate(c0, c1),
      hitRateRepeated: rate(c1, c2),
      expectedHitRateRepeated: repeated.ok ? Math.max(0, (repeated.ok - 20) / repeated.ok) : NaN,
      shed: c2.shed,
      exitCode: status.code,
    };
  } finally {
    if (miner) await miner.stop().catch(() => {});
    await chain.close();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/** The Python bittensor 9.0.0 axon with a trivial (echo) forward: the Python protocol ceiling. */
async function runPython(
  python: string,
  windows: Line[][],
): Promise<{ loaded: RunFigures; single: RunFigures }> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const py = new Child(python, [
    "axon_server.py",
    JSON.stringify({ port, hotkey: PY_AXON, quiet: true }),
  ], { cwd: new URL("tests/interop/py/", root).pathname, env: { PYTHONUNBUFFERED: "1" } });
  try {
    const m = await py.waitFor(/\{[^\n]*"ready"[^\n]*\}/, "python axon start");
    const ready = JSON.parse(m[0]) as { hotkey: string };
    const target = { ip: "127.0.0.1", port, hotkey: ready.hotkey };
    const reqs = await sized(
      target,
      windows.slice(20, 220).map(taskInput),
      windows.slice(220, -TAIL).map(taskInput),
      DURATION_S,
      "python",
    );
    const loaded = await timed("python trivial forward", py.proc.pid, reqs, DURATION_S);
    const single = await timed(
      "python trivial forward, 1 connection",
      py.proc.pid,
      await presignRequests(target, windows.slice(-TAIL).map(taskInput)),
      ONE_CONN_S,
      1,
    );
    return { loaded, single };
  } finally {
    await py.stop();
  }
}

const round = (x: number, d = 3) => Number.isFinite(x) ? Number(x.toFixed(d)) : null;

if (import.meta.main) {
  const python = new URL(".venv/bt9/bin/python", root).pathname;
  try {
    Deno.statSync(python);
  } catch {
    console.error("bench miner: missing .venv/bt9 (run scripts/python_env.sh)");
    Deno.exit(1);
  }
  const windows = await distinctWindows();
  log(`${windows.length} distinct windows from ${DATA.pathname}`);
  const ours = await runOurs(windows);
  const { loaded: py, single: py1 } = await runPython(python, windows);
  const figures = {
    cores: CORES,
    connections: CONNECTIONS,
    seconds: DURATION_S,
    windows_available: windows.length,
    ours_windows_per_s: round(ours.distinct.rps, 1),
    ours_p50_ms: round(ours.distinct.p50_ms, 2),
    ours_p99_ms: round(ours.distinct.p99_ms, 2),
    ours_tagged_fraction: round(ours.distinct.tagged / ours.distinct.ok),
    ours_failed: ours.distinct.failed + ours.single.failed + ours.repeated.failed,
    ours_exhausted_windows: ours.distinct.exhausted,
    ours_1conn_windows_per_s: round(ours.single.rps, 1),
    ours_1conn_p50_ms: round(ours.single.p50_ms, 2),
    ours_cache_hit_rate_distinct: round(ours.hitRateDistinct),
    ours_repeated_windows_per_s: round(ours.repeated.rps, 1),
    ours_repeated_p50_ms: round(ours.repeated.p50_ms, 2),
    ours_repeated_p99_ms: round(ours.repeated.p99_ms, 2),
    ours_cache_hit_rate_repeated: round(ours.hitRateRepeated),
    ours_cache_hit_rate_repeated_expected: round(ours.expectedHitRateRepeated),
    ours_shed: ours.shed,
    ours_idle_rss_mb: round(ours.idleRssMb, 1),
    ours_peak_rss_mb: round(
      Math.max(ours.distinct.peak_rss_mb, ours.repeated.peak_rss_mb, ours.single.peak_rss_mb),
      1,
    ),
    ours_exit_code: ours.exitCode,
    load_generator_cores: round(ours.distinct.gen_cpu_cores, 2),
    python_trivial_rps: round(py.rps, 1),
    python_trivial_p50_ms: round(py.p50_ms, 2),
    python_trivial_p99_ms: round(py.p99_ms, 2),
    python_trivial_1conn_rps: round(py1.rps, 1),
    python_trivial_1conn_p50_ms: round(py1.p50_ms, 2),
    python_trivial_peak_rss_mb: round(Math.max(py.peak_rss_mb, py1.peak_rss_mb), 1),
    python_trivial_failed: py.failed + py1.failed,
    ours_vs_python_trivial_rps: round(ours.distinct.rps / py.rps),
    measures: "ours: the real `main.ts miner` process tagging distinct masked conversation " +
      "windows with the offline LLM (repeated: 20 windows over and over, answered by the cache); " +
      "python: bittensor 9.0.0 axon with an echo forward (no tagging) on the same payloads and " +
      "load generator = the Python stack's protocol ceiling, not upstream's miner (which needs " +
      "an LLM API); 1conn: one connection, no concurrency",
  };
  console.log(JSON.stringify({ bench: "miner", figures, targets: {} }));
}
