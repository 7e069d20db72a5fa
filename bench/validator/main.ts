/**
 * @module
 * `deno task bench validator`: validator steps on the mock subnet (local chain, conversation
 * store with the demo data and the shared chat data, offline LLM) with 64 and with 256 miners.
 *
 * Method. The miners are "echo" miners (`local_subnet`): bare axons in this harness process that
 * answer at once with words of the window, so miner time is the dendrite round trip only. The
 * validator runs alone in a child process (`validator_child.ts`): after `start()` and
 * {@link WARMUP_STEPS} unmeasured warm-up steps it runs {@link MEASURED_STEPS} measured steps,
 * timing their wall clock, their CPU (getrusage of the process: main and actor workers, threads
 * that ended meanwhile included) and sampling RSS every 10 ms (peak reported). Figures per task
 * are over all measured steps together. Two warm-up steps, because V8 may still be compiling hot
 * code during the second step (in one probe its helper threads used twice the CPU of the later
 * steps), and a validator runs for days: the steady state is what an operator pays. The child's
 * main thread holds the validator command's module graph, as `main.ts validator` does; the
 * replay's modules load after the measured steps. The offline LLM runs inside the validator's
 * actors, so its CPU is in that total; the child then replays the same LLM work in one thread, once
 * unmeasured and once measured, and measures it (every answer's tag validation and each task's
 * embeddings, exactly; the ground truth of a sample of freshly reserved bundles from the same
 * store, per bundle, an estimate). Overhead per task is (steps' CPU − replayed LLM CPU) / tasks. The
 * replayed embeddings hit a warm cache, so the LLM share is a lower bound and the overhead an
 * upper bound. The overhead includes the validator's side of
 * every miner query (signing, HTTP, parsing), which the child also measures alone by replaying
 * as many queries through one Dendrite, and of every store record (spool, delivery). Metagraph
 * sync and setting weights happen once per epoch, not per step: they are kept out of the
 * measured steps (a long epoch) and measured apart. The sr25519 request signature, the one
 * per-query step both stacks run here, is timed beside bittensor_wallet's (bittensor 9.0.0).
 *
 * Python: upstream's validator cannot run here (it needs the hosted CGP API, an OpenAI key and
 * Weights & Biases for every step), so there is no Python figure beside ours; none is invented.
 */
import { type MinerBehaviour, startLocalSubnet } from "../../local_subnet/local_subnet.ts";
import { Keypair } from "../../wallet/keypair.ts";

const SIZES = (Deno.env.get("BENCH_VALIDATOR_MINERS") ?? "64,256").split(",").map(Number);
/**
 * The shared chats are short (about two windows each): 20 bundles make about 40 tasks. The store
 * holds their ~100 conversations, each served once: warm-up, measured steps and the ground-truth
 * replay must fit in them.
 */
const BUNDLES = Number(Deno.env.get("BENCH_VALIDATOR_BUNDLES") ?? 20);
const TASKS_PER_BUNDLE = 5;
/** Unmeasured steps after start (V8 compiles the hot code meanwhile). */
const WARMUP_STEPS = 2;
/** Measured steps, reported together (one step of ~50 tasks is at the mercy of a noisy box). */
const MEASURED_STEPS = Number(Deno.env.get("BENCH_VALIDATOR_STEPS") ?? 2);
const SAMPLE_SIZE = 6;
const CONCURRENT = 4;
const root = new URL("../../", import.meta.url);
const DATA = new URL("../shared/data/facebook-chat-data.json", root).pathname;

const log = (msg: string) => console.error(`bench validator: ${msg}`);

/** `deno task validator` as deno.json has it. */
const VALIDATOR_TASK: string =
  JSON.parse(Deno.readTextFileSync(new URL("deno.json", root))).tasks.validator;

/**
 * The V8 flags the validator runs with: those of `deno task validator` (deno.json), so the
 * measured process is configured as an operator's is; `BENCH_VALIDATOR_V8_FLAGS` overrides them
 * (an empty value: V8's defaults).
 */
function validatorV8Flags(): string {
  const override = Deno.env.get("BENCH_VALIDATOR_V8_FLAGS");
  if (override !== undefined) return override;
  return /--v8-flags=(\S+)/.exec(VALIDATOR_TASK)?.[1] ?? "";
}

/**
 * The environment `deno task validator` sets before `deno` (its leading `NAME=value` words, such
 * as `MALLOC_ARENA_MAX=1`), for the same reason; `BENCH_VALIDATOR_TASK_ENV=0` leaves them out.
 */
function validatorTaskEnv(): Record<string, string> {
  if (Deno.env.get("BENCH_VALIDATOR_TASK_ENV") === "0") return {};
  const env: Record<string, string> = {};
  for (const word of VALIDATOR_TASK.split(/\s+/)) {
    const m = /^([A-Z_][A-Z0-9_]*)=(\S*)$/.exec(word);
    if (!m) break;
    env[m[1]] = m[2];
  }
  return env;
}
const V8_FLAGS = validatorV8Flags();
const TASK_ENV = validatorTaskEnv();

interface ChildStep {
  ok: boolean;
  reason?: string;
  tasks: number;
  scored: number;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  bundles: number;
  queries: number;
  answered: number;
  threads: Record<string, number>;
}

interface ChildReport {
  startMs: number;
  rssAfterStartMb: number;
  steps: ChildStep[];
  minerLatencyMsP50: number | null;
  queries: { count: number; ok: number; cpuMs: number };
  epoch: { metagraphCpuMs: number; weightsCpuMs: number; weights: string | null };
  llm: {
    scorerCpuMs: number;
    fetcherCpuMsPerBundle: number;
    replayedBundles: number;
    fetcherCpuMs: number;
  };
  actorSummary: Record<string, unknown>;
}

async function runSize(n: number) {
  const dataDir = await Deno.makeTempDir({ prefix: `cgp-bench-validator-${n}-` });
  const t0 = performance.now();
  const subnet = await startLocalSubnet({
    dataDir,
    miners: Array.from({ length: n }, (): MinerBehaviour => "echo"),
    maxAllowedUids: n + 2,
    llm: "offline",
    blockTimeMs: 100,
    storeImports: [DATA],
    validator: {
      sampleSize: SAMPLE_SIZE,
      timeoutS: 12,
      bundlesPerStep: BUNDLES,
      tasksPerBundle: TASKS_PER_BUNDLE,
      minimumTasks: 1,
      concurrentTasks: CONCURRENT,
      // No metagraph resync or weights inside the measured step: measured apart, per epoch.
      epochLength: 1_000_000,
      ...(Deno.env.get("BENCH_VALIDATOR_POOL")
        ? { poolSize: Number(Deno.env.get("BENCH_VALIDATOR_POOL")) }
        : {}),
    },
  });
  log(`${n} miners up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        ...(V8_FLAGS ? [`--v8-flags=${V8_FLAGS}`] : []),
        new URL("./validator_child.ts", import.meta.url).pathname,
      ],
      env: {
        ...TASK_ENV,
        ...subnet.llmEnv,
        BENCH_VALIDATOR_CONFIG: JSON.stringify(subnet.validatorConfig),
        BENCH_VALIDATOR_WARMUP: String(WARMUP_STEPS),
        BENCH_VALIDATOR_STEPS: String(MEASURED_STEPS),
      },
      stdout: "piped",
      stderr: "inherit",
    });
    const out = await child.output();
    const text = new TextDecoder().decode(out.stdout).trim();
    if (out.code !== 0) throw new Error(`validator child exited with ${out.code}: ${text}`);
    return JSON.parse(text.split("\n").at(-1)!) as ChildReport;
  } finally {
    await subnet.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

const SIGNS = 400;
const PYTHON = new URL(".venv/bt9/bin/python", root).pathname;
const PY_SIGN = `
import sys, time
from bittensor_wallet import Keypair
kp = Keypair.create_from_seed("0x" + "07" * 32)
msg = b"x" * 200
for _ in range(50): kp.sign(msg)
t = time.perf_counter()
for _ in range(${SIGNS}): kp.sign(msg)
print((time.perf_counter() - t) * 1000 / ${SIGNS})
`;

/**
 * The one per-query step both validators share and that can run here: the dendrite's sr25519
 * signature of each request. Ours (wallet/keypair.ts) and bittensor_wallet's (Rust, what
 * bittensor 9.0.0's dendrite calls), same seed, same 200-byte message, one thread each.
 */
async function signComparison(): Promise<{ ours: number; python: number | null }> {
  const kp = await Keypair.fromSeed(new Uint8Array(32).fill(7));
  const msg = new Uint8Array(200).fill(120);
  for (let i = 0; i < 50; i++) kp.sign(msg);
  const t = performance.now();
  for (let i = 0; i < SIGNS; i++) kp.sign(msg);
  const ours = (performance.now() - t) / SIGNS;
  let python: number | null = null;
  try {
    const out = await new Deno.Command(PYTHON, { args: ["-c", PY_SIGN], stderr: "inherit" })
      .output();
    if (out.success) python = Number(new TextDecoder().decode(out.stdout).trim());
  } catch (e) {
    log(`python signing not measured: ${(e as Error).message}`);
  }
  return { ours, python };
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

if (import.meta.main) {
  const figures: Record<string, unknown> = {
    method: `${MEASURED_STEPS} measured validator steps (after start and ${WARMUP_STEPS} warm-up ` +
      "steps, during which V8 compiles the hot code) per subnet size, figures over them " +
      "together; echo miners (instant answers, no LLM) in the harness process, the validator " +
      "alone in a child process; overhead = (validator CPU over the steps, all threads, from " +
      "getrusage − the offline LLM's CPU for the same work, replayed warm in one thread: tag " +
      "validation and embeddings of every answer, ground truth of a sample of bundles, per " +
      "bundle) / tasks (cpu_ms_per_task_by_step: each step's CPU per task, LLM included). It " +
      "includes the validator's side of every miner query (signing, HTTP, parsing; " +
      "miner_query_cpu_ms_per_task is that part alone, replayed through one Dendrite) and of " +
      "every store record (spool with fsync, delivery); metagraph sync and weights happen once " +
      "per epoch and are measured apart (epoch_cpu_ms). The LLM replay hits a warm embedding " +
      "cache, so the LLM share is a lower bound and the overhead an upper bound. CPU time on a " +
      "shared 2-core box runs 20-30% high when other work competes. rss = peak RSS of the " +
      "validator process sampled every 10 ms during the steps; the validator runs with the V8 " +
      "flags and the environment of `deno task validator` (config.v8Flags, config.env)",
    config: {
      bundlesPerStep: BUNDLES,
      warmupSteps: WARMUP_STEPS,
      measuredSteps: MEASURED_STEPS,
      tasksPerBundle: TASKS_PER_BUNDLE,
      sampleSize: SAMPLE_SIZE,
      concurrentTasks: CONCURRENT,
      llm: "offline",
      v8Flags: V8_FLAGS,
      env: TASK_ENV,
      cores: navigator.hardwareConcurrency,
    },
    python: "upstream's validator not run: it needs the hosted CGP API, OpenAI and W&B for " +
      "every step, so there is no Python step figure and none is given; the only side-by-side " +
      "is the per-query sr25519 request signature (sign_ms_per_query_*)",
  };
  const targets: Record<string, { value: number; target: number; met: boolean }> = {};
  let ok = true;
  for (const n of SIZES) {
    const r = await runSize(n);
    const steps = r.steps;
    const failed = steps.find((s) => !s.ok || !s.tasks);
    if (!steps.length || failed) {
      log(`${n} miners: step did not succeed: ${failed?.reason ?? "no step ran"}`);
      ok = false;
    }
    const sum = (f: (s: ChildStep) => number) => steps.reduce((a, s) => a + f(s), 0);
    if (steps.some((s) => s.bundles < BUNDLES) || r.llm.replayedBundles < 5) {
      log(`${n} miners: the store ran out of conversations; fewer steps or bundles per step`);
      ok = false;
    }
    const llmMs = r.llm.scorerCpuMs + r.llm.fetcherCpuMs;
    const tasks = Math.max(1, sum((s) => s.tasks));
    const cpuMs = sum((s) => s.cpuMs);
    const wallMs = sum((s) => s.wallMs);
    const overhead = (cpuMs - llmMs) / tasks;
    figures[`measured_steps_${n}`] = steps.length;
    figures[`tasks_${n}`] = sum((s) => s.tasks);
    figures[`queries_${n}`] = sum((s) => s.queries);
    figures[`answered_${n}`] = sum((s) => s.answered);
    figures[`step_wall_ms_${n}`] = round(wallMs / Math.max(1, steps.length));
    figures[`tasks_per_s_${n}`] = round(tasks / (Math.max(1, wallMs) / 1000));
    figures[`cpu_ms_per_task_${n}`] = round(cpuMs / tasks);
    figures[`cpu_ms_per_task_by_step_${n}`] = steps.map((s) =>
      round(s.cpuMs / Math.max(1, s.tasks))
    );
    figures[`llm_cpu_ms_per_task_${n}`] = round(llmMs / tasks);
    figures[`overhead_ms_per_task_${n}`] = round(overhead);
    const queryTasks = r.queries.count / SAMPLE_SIZE;
    const queryMs = queryTasks ? r.queries.cpuMs / queryTasks : 0;
    figures[`query_replay_${n}`] = {
      queries: r.queries.count,
      ok: r.queries.ok,
      cpu_ms_per_query: round(r.queries.count ? r.queries.cpuMs / r.queries.count : 0, 3),
    };
    figures[`miner_query_cpu_ms_per_task_${n}`] = round(queryMs);
    figures[`overhead_excluding_queries_ms_per_task_${n}`] = round(overhead - queryMs);
    figures[`rss_mb_${n}`] = round(Math.max(0, ...steps.map((s) => s.peakRssMb)), 1);
    figures[`rss_after_start_mb_${n}`] = round(r.rssAfterStartMb, 1);
    figures[`start_ms_${n}`] = round(r.startMs);
    figures[`miner_latency_ms_p50_${n}`] = r.minerLatencyMsP50 === null
      ? null
      : round(r.minerLatencyMsP50);
    figures[`llm_replay_${n}`] = {
      scorer_cpu_ms: round(r.llm.scorerCpuMs),
      fetcher_cpu_ms_per_bundle: round(r.llm.fetcherCpuMsPerBundle),
      replayed_bundles: r.llm.replayedBundles,
      bundles_in_steps: sum((s) => s.bundles),
    };
    const threads: Record<string, number> = {};
    for (const s of steps) {
      for (const [k, v] of Object.entries(s.threads)) threads[k] = (threads[k] ?? 0) + v;
    }
    figures[`steps_cpu_ms_by_thread_${n}`] = threads;
    figures[`epoch_cpu_ms_${n}`] = {
      metagraph_sync: round(r.epoch.metagraphCpuMs),
      set_weights: round(r.epoch.weightsCpuMs),
      weights_status: r.epoch.weights,
    };
    figures[`actors_${n}`] = r.actorSummary;
    log(`${n} miners: ${JSON.stringify(r.steps)}`);
  }
  const sign = await signComparison();
  figures.sign_ms_per_query_ours = round(sign.ours, 3);
  figures.sign_ms_per_query_python_bittensor_wallet = sign.python === null
    ? null
    : round(sign.python, 3);
  figures.sign_note = "sr25519 request signature, the one per-query step of the dendrite that " +
    "runs the same on both sides here; a task signs one request per queried miner";
  if (SIZES.includes(256)) {
    const o = figures.overhead_ms_per_task_256 as number;
    const m = figures.rss_mb_256 as number;
    targets.overhead_ms_per_task_256 = { value: o, target: 5, met: o < 5 };
    targets.rss_mb_256 = { value: m, target: 250, met: m < 250 };
  }
  console.log(JSON.stringify({ bench: "validator", figures, targets }));
  Deno.exit(ok ? 0 : 1);
}
