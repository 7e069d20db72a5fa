/**
 * @module
 * The validator of subnet 33 as a set of supervised actors, and the step that drives them:
 * metagraph → reserve and prepare bundles → tasks → one MinerClient per queried uid → score →
 * moving average → records to the store → weights on the epoch cadence. The coordinator here
 * only sequences messages; every piece of work runs in an actor, and any one failure (a bundle,
 * a miner, a crashed actor) costs at most the task or step in flight.
 */
import { ActorSystem } from "../actors/system.ts";
import type { Group, SystemEvent } from "../actors/mod.ts";
import { logger } from "../config/logging.ts";
import type { Task } from "../tasks/mod.ts";
import type { PreparedTaskBundle } from "./bundle_setup.ts";
import type { ChainTarget, MetagraphView } from "./chain_target.ts";
import type { HotkeySource } from "./hotkey_source_schema.ts";
import { availableUids, sampleUids, selectableNeurons } from "./miner_selection.ts";
import { type RecordContext, validatorRecord } from "./record_payloads.ts";
import type { MinerTaskScore } from "./score_task.ts";
import { conversationFetcher } from "./actors/conversation_fetcher.ts";
import { metagraphSync } from "./actors/metagraph_sync.ts";
import { minerClient } from "./actors/miner_client.ts";
import { reportUnspooled, resultsWriter } from "./actors/results_writer.ts";
import { scorer } from "./actors/scorer.ts";
import { scoringPlan, TASK_ASK_TIMEOUT_MS, taskRunner } from "./actors/task_runner.ts";
import { type SetWeightsReply, weightSetter } from "./actors/weight_setter.ts";
import { windowSplitter } from "./actors/window_splitter.ts";

const log = logger("validator");

/** Everything the validator needs to run (built from flags by the command). */
export interface ValidatorConfig {
  netuid: number;
  chain: ChainTarget;
  hotkey: HotkeySource;
  /** Our own hotkey ss58 (never queried). */
  selfHotkey: string;
  statePath: string;
  spoolDir: string;
  /** The store: `url` for reserving, `writeUrl` for records (upstream's read and write hosts). */
  store: {
    url?: string;
    writeUrl?: string;
    apiKey?: string | null;
    apiKeyFile?: string;
    timeoutMs?: number;
  };
  /** Miners per task (`--neuron.sample_size`, 6). */
  sampleSize: number;
  /** Per-task timeout in seconds (`--neuron.timeout`; upstream's effective 12). */
  timeoutS: number;
  /** Bundles reserved per step (10), tasks per bundle (5), minimum tasks for a valid step (10). */
  bundlesPerStep: number;
  tasksPerBundle: number;
  minimumTasks: number;
  /** Tasks in flight at once (`--neuron.num_concurrent_forwards`, 1). */
  concurrentTasks: number;
  epochLength: number;
  alpha: number;
  vpermitTaoLimit: number;
  burnRate: number;
  versionKey?: number;
  disableSetWeights: boolean;
  skipQualityGate: boolean;
  qualityThreshold: number;
  /** Largest miner answer read (bytes). */
  maxResponseBytes: number;
  /** Worker isolates for the actors (default {@link VALIDATOR_POOL_SIZE}). */
  poolSize?: number;
  /** Record context fields. */
  mode: string;
  markerId: string | number | null;
}

/**
 * Worker isolates by default: one. Each isolate costs 45-60 MB RSS (its heap, and its own copy of
 * the dendrite, actor and LLM modules), and the validator's work per step is mostly waiting on
 * miners: on bench/validator (256 miners) a second isolate raised the step's peak RSS by about
 * 50 MB without lowering its CPU per task.
 */
export const VALIDATOR_POOL_SIZE = 1;

/** What the validator reports as it goes (the demo's dashboard and the logs read these). */
export type ValidatorEvent =
  | { type: "metagraph"; block: number; n: number; stale: boolean }
  | { type: "bundles"; reserved: number; rejected: string[] }
  | { type: "task"; bundle: string; taskType: string; uids: number[]; scores: MinerTaskScore[] }
  | { type: "weights"; result: SetWeightsReply }
  | { type: "step"; step: number; ok: boolean; tasks: number; reason?: string; ms: number }
  | { type: "actor"; event: SystemEvent };

/** The outcome of one step. */
export interface StepReport {
  ok: boolean;
  reason?: string;
  tasks: number;
  scored: number;
  weights?: SetWeightsReply;
}

/** A validator: spawn its actors with {@link Validator.start}, then `step()` or `run()`. */
export class Validator {
  readonly system: ActorSystem;
  #view: MetagraphView | null = null;
  /** The uids {@link #view} lets us query (worked out once per metagraph read). */
  #available: number[] = [];
  #miners: Group | null = null;
  #listeners: Array<(e: ValidatorEvent) => void> = [];
  #batch = Math.floor(Math.random() * 9_900_000) + 100_000;
  #llmInfo = { model: "", embeddingsModel: "", llmType: "" };
  /** TaskRunners, one per task in flight. */
  readonly #runners: number;

  constructor(readonly config: ValidatorConfig) {
    this.#runners = Math.max(1, config.concurrentTasks);
    this.system = new ActorSystem({
      poolSize: config.poolSize ?? VALIDATOR_POOL_SIZE,
      askTimeoutMs: TASK_ASK_TIMEOUT_MS,
      // Its messages start millisecond-scale work, so busy-waiting for them only costs CPU
      // (bench/validator, 256 miners: ~1 ms less CPU per task with it off).
      spinUs: 0,
    });
    this.system.on((event) => this.#emit({ type: "actor", event }));
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: (e: ValidatorEvent) => void): () => void {
    this.#listeners.push(listener);
    return () => (this.#listeners = this.#listeners.filter((l) => l !== listener));
  }

  #emit(e: ValidatorEvent) {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch { /* a listener never breaks the validator */ }
    }
  }

  /** Spawns the pipeline's actors and reads the metagraph once. */
  async start(): Promise<void> {
    const c = this.config;
    const restart = { restart: "permanent" as const, maxRestarts: 10, withinMs: 60_000 };
    await this.system.spawn({
      name: "metagraph-sync",
      actor: metagraphSync,
      args: { chain: c.chain, netuid: c.netuid },
      supervision: restart,
    });
    // Spawn order decides placement (least-loaded isolate, ties to the first): with a pool of
    // two, this puts metagraph-sync and weight-setter on one isolate and the LLM users (scorer,
    // conversation-fetcher: wink model, vectors) on the other, so the LLM loads once.
    await this.system.spawn({ name: "scorer", actor: scorer, supervision: restart });
    await this.system.spawn({
      name: "weight-setter",
      actor: weightSetter,
      args: {
        statePath: c.statePath,
        chain: c.chain,
        netuid: c.netuid,
        hotkey: c.hotkey,
        alpha: c.alpha,
        burnRate: c.burnRate,
        versionKey: c.versionKey,
        epochLength: c.epochLength,
        disableSetWeights: c.disableSetWeights,
      },
      supervision: restart,
    });
    await this.system.spawn({
      name: "conversation-fetcher",
      actor: conversationFetcher,
      args: {
        store: c.store,
        qualityThreshold: c.qualityThreshold,
        skipQualityGate: c.skipQualityGate,
        embedder: "scorer",
      },
      supervision: restart,
    });
    await this.system.spawn({
      name: "window-splitter",
      actor: windowSplitter,
      supervision: restart,
    });
    await this.system.spawn({
      name: "results-writer",
      actor: resultsWriter,
      args: { spoolDir: c.spoolDir, store: c.store },
      supervision: restart,
    });
    for (let i = 0; i < this.#runners; i++) {
      await this.system.spawn({
        name: `task-runner/${i}`,
        actor: taskRunner,
        supervision: restart,
      });
    }
    await this.syncMetagraph();
  }

  /** The last metagraph read. */
  get metagraph(): MetagraphView | null {
    return this.#view;
  }

  /** Reads the metagraph, grows the MinerClient set and realigns the scores with the hotkeys. */
  async syncMetagraph(): Promise<MetagraphView> {
    const r = await this.system.ref<typeof metagraphSync>("metagraph-sync").ask("sync", {});
    this.#view = r.view;
    this.#available = availableUids(selectableNeurons(r.view), {
      selfHotkey: this.config.selfHotkey,
      vpermitTaoLimit: this.config.vpermitTaoLimit,
    });
    this.#emit({ type: "metagraph", block: r.view.block, n: r.view.n, stale: r.stale });
    this.#miners ??= this.system.group("miners", {
      strategy: "one_for_one",
      maxRestarts: 1000,
      withinMs: 60_000,
    });
    const miners = this.#miners;
    for (let uid = 0; uid < r.view.n; uid++) {
      const name = `miner-client/${uid}`;
      if (this.system.has(name)) continue;
      await miners.spawn({
        name,
        actor: minerClient,
        args: { uid, hotkey: this.config.hotkey, maxResponseBytes: this.config.maxResponseBytes },
        supervision: { restart: "permanent", maxRestarts: 5, withinMs: 60_000 },
        mailbox: { capacity: 64 },
      });
    }
    await this.system.ref<typeof weightSetter>("weight-setter").ask("resync", {
      hotkeys: r.view.hotkeys,
    });
    return r.view;
  }

  #recordContext(): RecordContext {
    return {
      mode: this.config.mode,
      model: this.#llmInfo.model,
      embeddingsModel: this.#llmInfo.embeddingsModel,
      llmType: this.#llmInfo.llmType,
      markerId: this.config.markerId,
      netuid: this.config.netuid,
      hotkey: this.config.selfHotkey,
      batchNumber: this.#batch,
    };
  }

  /**
   * Spools records (one file, one fsync) and resolves once they are on disk (a step is only
   * counted after its records).
   */
  #record(records: Array<{ id: string; guid: string; body: unknown }>) {
    return this.system.ask("results-writer", "records", { records }).catch((e) =>
      reportUnspooled(records, e)
    );
  }

  /**
   * Runs one task on TaskRunner `runner`: it queries the sampled miners, scores them, updates the
   * moving average and spools the records; this thread only samples the uids and reports.
   */
  async #runTask(
    runner: number,
    prepared: PreparedTaskBundle,
    task: Task,
    masked: Task,
  ): Promise<boolean> {
    const view = this.#view!;
    const uids = sampleUids(this.#available, this.config.sampleSize);
    if (!uids.length) return false;
    const timeoutS = task.timeout ?? this.config.timeoutS;
    // A MinerClient answers one query at a time: leave room for the tasks queued before this one
    // (each at most two attempts of `timeoutS`).
    const queryTimeoutMs = (timeoutS * 2 + 2) * 1000 * Math.max(1, this.config.concurrentTasks) +
      10_000;
    const r = await this.system.ref<typeof taskRunner>(`task-runner/${runner}`).ask("run", {
      plan: scoringPlan(prepared),
      task: task as unknown as Record<string, unknown>,
      masked: masked as unknown as Record<string, unknown>,
      bundleGuid: prepared.bundle.guid,
      targets: uids.map((uid) => ({
        uid,
        ip: view.axons[uid].ip,
        port: view.axons[uid].port,
        hotkey: view.hotkeys[uid],
      })),
      timeoutS,
      queryTimeoutMs,
      record: this.#recordContext(),
    }, { timeoutMs: queryTimeoutMs + 3 * TASK_ASK_TIMEOUT_MS });
    if (!r.ok) throw new Error(r.error);
    this.#emit({
      type: "task",
      bundle: prepared.bundle.guid,
      taskType: task.type,
      uids,
      scores: r.scores,
    });
    return true;
  }

  /** One validator step. Never throws for a bad bundle, miner or store; reports instead. */
  async step(): Promise<StepReport> {
    const t0 = performance.now();
    const report = await this.#step().catch((e): StepReport => ({
      ok: false,
      reason: `step error: ${(e as Error).message}`,
      tasks: 0,
      scored: 0,
    }));
    const { step } = await this.system.ref<typeof weightSetter>("weight-setter").ask(
      "step_done",
      {},
    );
    this.#emit({
      type: "step",
      step,
      ok: report.ok,
      tasks: report.tasks,
      reason: report.reason,
      ms: performance.now() - t0,
    });
    return report;
  }

  async #step(): Promise<StepReport> {
    const c = this.config;
    const block = await this.system.ref<typeof metagraphSync>("metagraph-sync").ask("block", {})
      .catch(() => null) as number | null;
    if (!this.#view || (block !== null && block - this.#view.block >= c.epochLength)) {
      await this.syncMetagraph();
    }
    const fetched = await this.system.ref<typeof conversationFetcher>("conversation-fetcher").ask(
      "fetch",
      { count: c.bundlesPerStep },
    ) as {
      prepared: PreparedTaskBundle[];
      rejected: string[];
      llm: { model: string; embeddingsModel: string; llmType: string };
    };
    this.#emit({ type: "bundles", reserved: fetched.prepared.length, rejected: fetched.rejected });
    // The models the fetcher's LLM reports go into the records (loaded there, not here).
    this.#llmInfo = fetched.llm;
    const ctx = this.#recordContext();
    const work: Array<{ prepared: PreparedTaskBundle; task: Task; masked: Task }> = [];
    for (const prepared of fetched.prepared) {
      // One id per reservation: the same conversation handed out again (another step, or after a
      // restart) is a new record, not a conflicting retry of the old one's idempotency key.
      await this.#record([{
        id: `${prepared.bundle.guid}:validator:${crypto.randomUUID()}`,
        guid: prepared.bundle.guid,
        body: validatorRecord(ctx, prepared),
      }]);
      const tasks = await this.system.ref<typeof windowSplitter>("window-splitter").ask("split", {
        bundle: prepared.bundle as unknown as Record<string, unknown>,
        windows: prepared.windows,
        count: c.tasksPerBundle,
      });
      for (const t of tasks) work.push({ prepared, ...t });
    }
    if (work.length < c.minimumTasks) {
      return {
        ok: false,
        reason: `only ${work.length} tasks (minimum ${c.minimumTasks})`,
        tasks: work.length,
        scored: 0,
      };
    }
    let scored = 0;
    let failed = 0;
    let next = 0;
    const workers = Array.from({ length: this.#runners }, async (_, runner) => {
      while (next < work.length) {
        const w = work[next++];
        try {
          if (await this.#runTask(runner, w.prepared, w.task, w.masked)) scored++;
        } catch (e) {
          failed++;
          log.warn("task {task} of bundle {bundle} lost: {error}", {
            task: w.task.guid,
            bundle: w.prepared.bundle.guid,
            error: (e as Error).message,
          });
        }
      }
    });
    await Promise.all(workers);
    if (!scored) {
      return { ok: false, reason: "no task could be scored", tasks: work.length, scored };
    }
    if (failed) {
      // As upstream since PR #46: no weights after a step that did not fully succeed.
      return { ok: false, reason: `${failed} tasks lost`, tasks: work.length, scored };
    }
    const weights = await this.#maybeSetWeights();
    return { ok: true, tasks: work.length, scored, weights };
  }

  async #maybeSetWeights(force = false): Promise<SetWeightsReply | undefined> {
    const view = this.#view!;
    const block = await this.system.ref<typeof metagraphSync>("metagraph-sync").ask("block", {})
      .catch(() => view.block) as number;
    const result = await this.system.ref<typeof weightSetter>("weight-setter").ask("set_weights", {
      view: { ...view, block },
      force,
    });
    if (result.status !== "not_due") this.#emit({ type: "weights", result });
    return result;
  }

  /** Sets weights now, whatever the cadence (operators, tests). */
  setWeightsNow(): Promise<SetWeightsReply | undefined> {
    return this.#maybeSetWeights(true);
  }

  /** Steps until `signal` aborts. */
  async run(signal: AbortSignal, opts: { pauseMs?: number } = {}): Promise<void> {
    while (!signal.aborted) {
      const r = await this.step();
      if (!r.ok) log.warn("step did not succeed: {reason}", { reason: r.reason });
      if (signal.aborted) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, r.ok ? opts.pauseMs ?? 0 : Math.max(opts.pauseMs ?? 0, 5000));
        signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  }

  /** Graceful stop: in-flight work finishes, actors persist (state, spool), workers stop. */
  stop(deadlineMs = 10_000) {
    return this.system.shutdown({ deadlineMs });
  }
}
