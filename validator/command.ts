/**
 * @module
 * `deno task validator`: flags and environment → checks (LLM configuration, wallet, chain,
 * registration) with a clear message and exit code for each failure → the validator's actors →
 * steps until SIGINT/SIGTERM (a second signal forces exit).
 */
import { commandFlags } from "../config/flags.ts";
import { logger, setupLogging } from "../config/logging.ts";
import { compatibilityFlagsGiven, logLevel } from "../config/neuron_flags.ts";
import { loadLlmConfig } from "../llm/config.ts";
import type { Command } from "../main.ts";
import { HOSTED_READ_URL, HOSTED_WRITE_URL } from "../store/client.ts";
import { ChainJobError, runChainJob } from "./chain_job.ts";
import { loadState } from "./state.ts";
import { Validator } from "./validator.ts";
import { validatorConfigFrom, validatorFlags } from "./validator_flags.ts";

/** Exit codes of the validator command. */
export const VALIDATOR_EXIT = {
  ok: 0,
  badFlags: 2,
  notRegistered: 3,
  wallet: 4,
  chain: 5,
  llm: 6,
  /** The state file exists but cannot be used (the message names it). */
  state: 7,
  interrupted: 130,
} as const;

const SUMMARY = "Run a subnet 33 validator (reserve, query miners, score, set weights).";

/** The `validator` command. */
export const validatorCommand: Command = {
  summary: SUMMARY,
  async run(args) {
    const parsed = commandFlags("validator", SUMMARY, args, validatorFlags);
    if ("exit" in parsed) return parsed.exit;
    const flags = parsed.flags;
    const ignored = compatibilityFlagsGiven(parsed.given);
    await setupLogging(logLevel(flags));
    const log = logger("validator");
    if (ignored.length) {
      log.warn("ignored (upstream flags with no effect here): {flags}", {
        flags: ignored.map((f) => `--${f}`).join(", "),
      });
    }
    try {
      loadLlmConfig();
    } catch (e) {
      console.error(`validator: LLM configuration: ${(e as Error).message}`);
      return VALIDATOR_EXIT.llm;
    }
    // The config first (pure): the hotkey's address is filled in once the wallet is read.
    const config = validatorConfigFrom(flags, "");
    // Wallet and registration check in a worker ended right after, like all of the validator's
    // chain work: neither the wallet's crypto nor @polkadot/api loads on the main thread (about
    // 80 MB RSS it would keep for the whole run).
    try {
      const { ss58, uid } = await runChainJob({
        op: "registration",
        chain: config.chain,
        netuid: flags.netuid!,
        hotkey: config.hotkey,
      });
      config.selfHotkey = ss58;
      if (uid === null) {
        console.error(
          `validator: hotkey ${ss58} is not registered on netuid ${flags.netuid}; register it first`,
        );
        return VALIDATOR_EXIT.notRegistered;
      }
      log.info("validator uid {uid} on netuid {netuid}", { uid, netuid: flags.netuid });
    } catch (e) {
      const stage = e instanceof ChainJobError ? e.stage : "job";
      const what = stage === "wallet"
        ? "wallet"
        : stage === "connect"
        ? "chain unreachable"
        : "chain";
      console.error(`validator: ${what}: ${(e as Error).message}`);
      return stage === "wallet" ? VALIDATOR_EXIT.wallet : VALIDATOR_EXIT.chain;
    }
    config.store.url ??= HOSTED_READ_URL;
    config.store.writeUrl ??= config.store.url === HOSTED_READ_URL
      ? HOSTED_WRITE_URL
      : config.store.url;
    try {
      // An unusable state file would otherwise make the WeightSetter crash and restart forever.
      await loadState(config.statePath);
    } catch (e) {
      console.error(`validator: ${(e as Error).message}`);
      return VALIDATOR_EXIT.state;
    }
    const validator = new Validator(config);
    validator.on((e) => {
      if (e.type === "step") {
        log.info("step {step}: {ok} ({tasks} tasks, {ms} ms){reason}", {
          step: e.step,
          ok: e.ok ? "ok" : "failed",
          tasks: e.tasks,
          ms: Math.round(e.ms),
          reason: e.reason ? `: ${e.reason}` : "",
        });
      } else if (e.type === "weights") {
        log.info("weights: {status} {message}", {
          status: e.result.status,
          message: e.result.message,
        });
      } else if (e.type === "actor" && (e.event.type === "crashed" || e.event.type === "fatal")) {
        log.warn("actor event: {event}", { event: JSON.stringify(e.event) });
      }
    });
    const stop = new AbortController();
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1) {
        console.error("validator: second signal, exiting now");
        Deno.exit(VALIDATOR_EXIT.interrupted);
      }
      log.info("stopping: finishing the step in flight (Ctrl-C again to force)");
      stop.abort();
    };
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
    try {
      await validator.start();
      await validator.run(stop.signal);
    } finally {
      const report = await validator.stop();
      log.info("stopped: drained={drained}, persisted {n} actors", {
        drained: report.drained,
        n: report.persisted.length,
      });
      Deno.removeSignalListener("SIGINT", onSignal);
      Deno.removeSignalListener("SIGTERM", onSignal);
    }
    return VALIDATOR_EXIT.ok;
  },
};
