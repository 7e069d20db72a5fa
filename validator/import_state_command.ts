/**
 * @module
 * `import-state`: takes over a Python validator's `state.npz` into this validator's state file,
 * so an operator who switches keeps the scores and moving averages.
 */
import { commandFlags } from "../config/flags.ts";
import { expandHome, neuronFlags, neuronFullPath } from "../config/neuron_flags.ts";
import type { Command } from "../main.ts";
import { importPythonState } from "./import_state.ts";
import { loadState, saveState } from "./state.ts";

const flags = {
  ...neuronFlags,
  from: { kind: "string", help: "the Python validator's state.npz" },
  "neuron.name": { kind: "string", default: "validator", help: "name of the state directory" },
  "neuron.full_path": {
    kind: "string",
    help: "state directory (default: derived from --logging.logging_dir)",
  },
  force: { kind: "boolean", help: "replace an existing state" },
  help: { kind: "boolean", help: "print this help" },
} as const;

const SUMMARY = "Import a Python validator's state.npz (scores and moving averages).";

/** The `import-state` command. */
export const importStateCommand: Command = {
  summary: SUMMARY,
  async run(args) {
    const parsed = commandFlags("import-state", SUMMARY, args, flags);
    if ("exit" in parsed) return parsed.exit;
    const f = parsed.flags;
    if (!f.from) {
      console.error("import-state: --from <state.npz> is required");
      return 2;
    }
    const dir = f["neuron.full_path"]
      ? expandHome(f["neuron.full_path"])
      : neuronFullPath(f, f["neuron.name"]!);
    const target = `${dir}/state.json`;
    try {
      if (!f.force && (await loadState(target))) {
        console.error(`import-state: ${target} already exists; pass --force to replace it`);
        return 2;
      }
      const state = await importPythonState(await Deno.readFile(expandHome(f.from)));
      await saveState(target, state);
      const nonZero = state.ema.filter((x) => x > 0).length;
      console.log(
        `imported step ${state.step}, ${state.hotkeys.length} uids (${nonZero} with a moving average) into ${target}`,
      );
      return 0;
    } catch (e) {
      console.error(`import-state: ${(e as Error).message}`);
      return 1;
    }
  },
};
