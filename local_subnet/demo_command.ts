/**
 * @module
 * `deno task demo`: with no configuration at all, a whole subnet on this machine (local chain,
 * conversation store with the project's demo dataset, miners with different behaviours, the
 * validator on actors, offline LLM) and its progress on screen. Ctrl-C stops it cleanly.
 */
import { commandFlags } from "../config/flags.ts";
import { setupLogging } from "../config/logging.ts";
import type { Command } from "../main.ts";
import { Validator } from "../validator/validator.ts";
import { Dashboard } from "./dashboard.ts";
import { type MinerBehaviour, startLocalSubnet } from "./local_subnet.ts";

const flags = {
  steps: { kind: "int", default: 0, help: "stop after this many steps (0: until Ctrl-C)" },
  "data-dir": { kind: "string", help: "where the demo keeps its files (default: a new temp dir)" },
  "commit-reveal": { kind: "boolean", help: "commit-reveal on the subnet (weights are committed)" },
  llm: {
    kind: "string",
    default: "offline",
    help: "offline, or fake-openai (the OpenAI SDK against a local server)",
  },
  metadata: { kind: "string", help: "subtensor metadata file for the local chain" },
  "logging.debug": { kind: "boolean", help: "debug logs" },
  help: { kind: "boolean", help: "print this help" },
} as const;

const SUMMARY =
  "Run a whole local subnet (chain, store, miners, validator, offline LLM) and watch it.";

/** The miners of the demo and what each is. */
export const DEMO_MINERS: MinerBehaviour[] = [
  "honest",
  "honest",
  "honest",
  "honest",
  "random_tags",
  "timeout",
];

/** The `demo` command. */
export const demoCommand: Command = {
  summary: SUMMARY,
  async run(args) {
    const parsed = commandFlags("demo", SUMMARY, args, flags);
    if ("exit" in parsed) return parsed.exit;
    const f = parsed.flags;
    if (f.llm !== "offline" && f.llm !== "fake-openai") {
      console.error(`demo: --llm must be offline or fake-openai, got ${JSON.stringify(f.llm)}`);
      return 2;
    }
    await setupLogging(f["logging.debug"] ? "debug" : "warning");
    const dataDir = f["data-dir"] ?? await Deno.makeTempDir({ prefix: "cgp-demo-" });
    console.log(`cgp-node demo: starting a local subnet in ${dataDir} …`);
    const subnet = await startLocalSubnet({
      dataDir,
      miners: DEMO_MINERS,
      commitReveal: f["commit-reveal"],
      llm: f.llm,
      metadataPath: f.metadata,
      validator: {
        bundlesPerStep: 3,
        tasksPerBundle: 3,
        minimumTasks: 3,
        timeoutS: 3,
        concurrentTasks: 3,
      },
    });
    const labels = new Map<number, string>([[subnet.ownerUid, "owner (burn)"], [
      subnet.validatorUid,
      "validator",
    ]]);
    for (const m of subnet.miners) {
      labels.set(m.uid, m.behaviour === "honest" ? "miner" : `miner:${m.behaviour}`);
    }
    const dash = new Dashboard(labels);
    console.log(
      `chain ${subnet.chain.url} · store ${subnet.store.url} · netuid ${subnet.netuid} · ${subnet.miners.length} miners\n`,
    );

    const validator = new Validator(subnet.validatorConfig);
    validator.on((e) => dash.onEvent(e));
    const stop = new AbortController();
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1) Deno.exit(130);
      console.log("\nstopping after the step in flight (Ctrl-C again to force) …");
      stop.abort();
    };
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
    let steps = 0;
    try {
      await validator.start();
      while (!stop.signal.aborted) {
        await validator.step();
        steps++;
        const state = await validator.system.ask("weight-setter", "snapshot", {}) as {
          ema: number[];
        };
        dash.setEma(state.ema);
        console.log(`\n${dash.table()}\n`);
        if (f.steps && steps >= f.steps) break;
      }
    } finally {
      Deno.removeSignalListener("SIGINT", onSignal);
      Deno.removeSignalListener("SIGTERM", onSignal);
      await validator.stop(5_000);
      await subnet.close();
      console.log(`demo stopped after ${steps} step(s); files in ${dataDir}`);
    }
    return 0;
  },
};
