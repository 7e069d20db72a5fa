/**
 * @module
 * The validator side of `bench/validator`, in its own process so its memory and CPU are its own:
 * builds a {@link Validator} from the JSON configuration in `BENCH_VALIDATOR_CONFIG`, starts it,
 * runs `BENCH_VALIDATOR_WARMUP` steps unmeasured and then `BENCH_VALIDATOR_STEPS` measured ones,
 * then measures apart the once-per-epoch work (metagraph sync, setting weights), and replays in
 * this thread, with the actors stopped, the LLM work those steps did (tag validation and
 * embeddings of every answer scored; ground truth of a sample of freshly reserved bundles) and as
 * many miner queries through one Dendrite, to measure what each costs. Prints one JSON object on
 * its last stdout line.
 */
import process from "node:process";
import { setupLogging } from "../../config/logging.ts";
import type { Task } from "../../tasks/mod.ts";
import { Validator, type ValidatorConfig, type ValidatorEvent } from "../../validator/validator.ts";
import type { MinerTaskScore } from "../../validator/score_task.ts";
// The main thread holds what `main.ts validator` holds during its steps: the command's module
// graph. What only the replay below needs (Dendrite, store client, an LLM on this thread) is
// imported after the measured steps, so it does not count in the validator's RSS.
import "../../validator/command.ts";

/**
 * CPU time (ns) of the whole process, threads that have ended included (`getrusage`): a sum over
 * the live threads of `/proc/self/task` loses the CPU of every thread that exits in between (a
 * chain job's worker, an idle blocking-pool thread).
 */
function processCpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

/** CPU time (ns) per live thread, keyed `tid:name`. */
function threadsCpuNs(): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of Deno.readDirSync("/proc/self/task")) {
    try {
      const name = Deno.readTextFileSync(`/proc/self/task/${t.name}/comm`).trim();
      const ns = Number(Deno.readTextFileSync(`/proc/self/task/${t.name}/schedstat`).split(" ")[0]);
      out.set(`${t.name}:${name}`, ns);
    } catch { /* the thread ended meanwhile */ }
  }
  return out;
}

/** CPU time (ns) of the calling thread. */
function threadCpuNs(): number {
  return Number(Deno.readTextFileSync("/proc/thread-self/schedstat").split(" ")[0]);
}

interface StepFigures {
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

/** Bundles whose ground truth is replayed to estimate the fetcher's LLM CPU per bundle. */
const GROUND_TRUTH_SAMPLE = 10;
/** Bundles replayed unmeasured before them (compiling the replay's code on this thread). */
const GROUND_TRUTH_WARMUP = 3;

async function main() {
  await setupLogging("error");
  const config = JSON.parse(Deno.env.get("BENCH_VALIDATOR_CONFIG") ?? "") as ValidatorConfig;
  const warmup = Number(Deno.env.get("BENCH_VALIDATOR_WARMUP") ?? 1);
  const steps = Number(Deno.env.get("BENCH_VALIDATOR_STEPS") ?? 1);

  let peakRss = Deno.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
  }, 10);

  const v = new Validator(config);
  const taskEvents: Array<Extract<ValidatorEvent, { type: "task" }>> = [];
  let bundles = 0;
  v.on((e) => {
    if (e.type === "task") taskEvents.push(e);
    if (e.type === "bundles") bundles += e.reserved;
  });
  const t0 = performance.now();
  await v.start();
  const startMs = performance.now() - t0;
  const rssAfterStart = Deno.memoryUsage().rss;

  const measured: StepFigures[] = [];
  const measuredTasks: MinerTaskScore[][] = [];
  let measuredBundles = 0;
  for (let i = 0; i < warmup + steps; i++) {
    taskEvents.length = 0;
    bundles = 0;
    peakRss = Deno.memoryUsage().rss;
    const cpu0 = processCpuNs();
    const th0 = threadsCpuNs();
    const w0 = performance.now();
    const r = await v.step();
    const wallMs = performance.now() - w0;
    const cpuMs = (processCpuNs() - cpu0) / 1e6;
    const threads: Record<string, number> = {};
    for (const [k, v] of threadsCpuNs()) {
      const d = (v - (th0.get(k) ?? 0)) / 1e6;
      const name = k.slice(k.indexOf(":") + 1);
      const group = name === "deno"
        ? "main"
        : name.startsWith("worker-")
        ? name
        : name.startsWith("V8")
        ? "v8_helpers"
        : name.startsWith("tokio")
        ? "tokio_blocking"
        : "other";
      threads[group] = Math.round((threads[group] ?? 0) + d);
    }
    peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
    if (i < warmup) continue;
    const scores = taskEvents.flatMap((e) => e.scores);
    measuredTasks.push(...taskEvents.map((e) => e.scores));
    measuredBundles += bundles;
    measured.push({
      ok: r.ok,
      reason: r.reason,
      tasks: r.tasks,
      scored: r.scored,
      wallMs,
      cpuMs,
      peakRssMb: peakRss / 2 ** 20,
      bundles,
      queries: scores.length,
      answered: scores.filter((s) => s.status === 200).length,
      threads,
    });
  }
  clearInterval(sampler);

  // Once-per-epoch work, kept out of the step above (the measured step is not on an epoch
  // boundary): reading the metagraph and setting weights on chain.
  const e0 = processCpuNs();
  await v.syncMetagraph();
  const metagraphCpuMs = (processCpuNs() - e0) / 1e6;
  const e1 = processCpuNs();
  const weights = await v.setWeightsNow();
  const weightsCpuMs = (processCpuNs() - e1) / 1e6;

  // Miner latencies as the MinerClients recorded them.
  const latencies: number[] = [];
  for (const a of v.system.stats().actors) {
    if (!a.name.startsWith("miner-client/")) continue;
    try {
      const s = await v.system.ask(a.name, "stats", {}) as { p50LatencyMs: number | null };
      if (s.p50LatencyMs !== null) latencies.push(s.p50LatencyMs);
    } catch { /* not answering: left out */ }
  }
  latencies.sort((a, b) => a - b);
  const stats = v.system.stats();
  const actorSummary = {
    actors: stats.actors.length,
    workers: stats.workers,
    poolSize: stats.poolSize,
    failures: stats.actors.reduce((n, a) => n + a.failures, 0),
    restarts: stats.actors.reduce((n, a) => n + a.restarts, 0),
    deadLetters: stats.deadLetters,
    handled: Object.fromEntries(
      ["scorer", "conversation-fetcher", "window-splitter", "weight-setter", "results-writer"]
        .map((name) => {
          const a = stats.actors.find((x) => x.name === name);
          return [name, a ? { handled: a.handled, processingMsTotal: a.processingMs.total } : null];
        }),
    ),
    minerClientsHandled: stats.actors.filter((a) => a.name.startsWith("miner-client/"))
      .reduce((n, a) => n + a.handled, 0),
  };
  await v.stop(10_000);

  const { CgSynapse } = await import("../../protocol/cg_synapse.ts");
  const { Dendrite } = await import("../../protocol/dendrite/dendrite.ts");
  const { StoreClient } = await import("../../store/client.ts");
  const { maskTaskForMiner, toMiningTasks } = await import("../../tasks/mod.ts");
  const { loadHotkey } = await import("../../validator/hotkey_source.ts");
  const { randomUids, selectableNeurons } = await import("../../validator/miner_selection.ts");
  const { prepareBundle } = await import("../../validator/bundle_setup.ts");
  const { validatorLlmFromEnv } = await import("../../validator/validator_llm.ts");

  // The LLM work of the measured steps, replayed here (the validator's isolates are stopped):
  // (1) what the Scorer did per task: validate every answered tag list, embed the validated tags
  // (the same embedding cache file, now warm: a lower bound of the embedding cost);
  // (2) what the ConversationFetcher did per bundle: ground truth (quality gate, tags,
  // embeddings) of a sample of bundles, freshly reserved from the same store, per bundle.
  // Each replay runs once unmeasured first: this thread never ran that code, and V8 would
  // charge its compiling to the LLM (the validator's actors had compiled it in the warm-up).
  const llm = validatorLlmFromEnv();
  const scorerReplay = async () => {
    for (const scores of measuredTasks) {
      const validated: string[] = [];
      for (const s of scores) {
        if (s.status !== 200 || !s.originalTags.length) continue;
        validated.push(...(await llm.validateTags(s.originalTags, Math.random) ?? []));
      }
      if (validated.length) await llm.embed([...new Set(validated)]);
    }
  };
  await scorerReplay();
  const c0 = threadCpuNs();
  await scorerReplay();
  const scorerLlmMs = (threadCpuNs() - c0) / 1e6;

  const client = await StoreClient.create({
    readUrl: config.store.url,
    apiKey: config.store.apiKey,
    timeoutMs: config.store.timeoutMs,
  });
  let replayedBundles = 0;
  let fetcherLlmMs = 0;
  const masked: Task[] = [];
  // A sample: the store serves each of its ~100 conversations once, and the steps took most.
  const sample = Math.min(measuredBundles, GROUND_TRUTH_SAMPLE);
  for (let i = 0; i < GROUND_TRUTH_WARMUP + sample; i++) {
    const r = await client.reserve();
    if (!r.ok) continue;
    const c1 = threadCpuNs();
    const p = await prepareBundle(r.bundle, llm, {
      qualityThreshold: config.qualityThreshold,
      skipQualityGate: config.skipQualityGate,
    });
    if (i >= GROUND_TRUTH_WARMUP) {
      fetcherLlmMs += (threadCpuNs() - c1) / 1e6;
      replayedBundles++;
    }
    if (p.ok) {
      masked.push(
        ...toMiningTasks(p.prepared, { count: config.tasksPerBundle }).map(maskTaskForMiner),
      );
    }
  }

  // The validator's side of the miner queries alone: the same number of tasks, each sent to
  // `sampleSize` random miners at once through one Dendrite in this thread (sign, serialize,
  // HTTP, parse), `concurrentTasks` tasks in flight, with the actor workers stopped.
  const view = v.metagraph!;
  const dendrite = new Dendrite({
    keypair: await loadHotkey(config.hotkey),
    maxResponseBytes: config.maxResponseBytes,
  });
  const queryTasks = measured.reduce((n, m) => n + m.tasks, 0);
  const neurons = selectableNeurons(view);
  let nextTask = 0;
  let queries = 0;
  let queriesOk = 0;
  const inFlight = new Set<number>();
  const q0 = processCpuNs();
  await Promise.all(
    Array.from({ length: Math.max(1, config.concurrentTasks) }, async () => {
      while (nextTask < queryTasks && masked.length) {
        const task = masked[nextTask++ % masked.length];
        // Never two queries in flight to one miner, as with the validator's one MinerClient per
        // uid: an axon refuses the older of two nonces that arrive out of order (401).
        const free = neurons.filter((n) => !inFlight.has(n.uid));
        const uids = randomUids(free, config.sampleSize, { selfHotkey: config.selfHotkey });
        for (const uid of uids) inFlight.add(uid);
        const answers = await dendrite.query(
          uids.map((uid) => ({
            ip: view.axons[uid].ip,
            port: view.axons[uid].port,
            hotkey: view.hotkeys[uid],
          })),
          CgSynapse,
          { cgp_input: [{ task }] },
          { timeout: config.timeoutS },
        );
        for (const uid of uids) inFlight.delete(uid);
        queries += answers.length;
        queriesOk += answers.filter((a) => a.dendrite.status_code === 200).length;
      }
    }),
  );
  const queryCpuMs = (processCpuNs() - q0) / 1e6;
  const fetcherLlmMsPerBundle = replayedBundles ? fetcherLlmMs / replayedBundles : 0;

  console.log(JSON.stringify({
    startMs,
    rssAfterStartMb: rssAfterStart / 2 ** 20,
    steps: measured,
    queries: { count: queries, ok: queriesOk, cpuMs: queryCpuMs },
    epoch: { metagraphCpuMs, weightsCpuMs, weights: weights?.status ?? null },
    minerLatencyMsP50: latencies.length ? latencies[Math.floor(latencies.length / 2)] : null,
    llm: {
      scorerCpuMs: scorerLlmMs,
      fetcherCpuMsPerBundle: fetcherLlmMsPerBundle,
      replayedBundles,
      fetcherCpuMs: fetcherLlmMsPerBundle * measuredBundles,
    },
    actorSummary,
  }));
}

if (import.meta.main) {
  try {
    await main();
    Deno.exit(0);
  } catch (e) {
    console.error(`validator child: ${(e as Error).stack ?? e}`);
    Deno.exit(1);
  }
}
