/**
 * @module
 * Turning a prepared bundle into the tasks miners receive, and masking them: upstream's
 * `to_mining_tasks` (a random 5 windows of a conversation; 5 identical tasks for the other
 * types) and `mask_task_for_miner` (guids become "HIDDEN", `window_idx` -1), so miners cannot
 * look a conversation up.
 */
import type { Line, PromptChainStep, Task, TaskBundle, TaskInputData } from "./schemas.ts";
import { sample } from "./bundle_payloads.ts";
import type { IndexedWindow } from "./conversation_windows.ts";

/** What the validator has worked out for one bundle before it makes tasks. */
export interface PreparedBundle {
  bundle: TaskBundle;
  /** Conversation windows (conversation bundles), or the single input every task carries. */
  windows: IndexedWindow<Line>[];
}

/** Upstream's number of tasks taken from one bundle. */
export const TASKS_PER_BUNDLE = 5;

/** The prompt a task asks miners to use: the bundle's first prompt template, if any. */
export function taskPrompt(chain: PromptChainStep[] | null | undefined): string | undefined {
  return chain?.[0]?.prompt_template ?? undefined;
}

/**
 * Tasks for one bundle: conversation bundles take a random `count` of their windows (all when
 * there are fewer); other types repeat their single input `count` times. Each task gets a fresh
 * guid.
 */
export function toMiningTasks(
  prepared: PreparedBundle,
  opts: { count?: number; random?: () => number; newGuid?: () => string } = {},
): Task[] {
  const { bundle } = prepared;
  const count = opts.count ?? TASKS_PER_BUNDLE;
  const random = opts.random ?? Math.random;
  const newGuid = opts.newGuid ?? (() => crypto.randomUUID());
  const chosen = bundle.type === "conversation_tagging"
    ? sample(prepared.windows, Math.min(count, prepared.windows.length), random)
    : prepared.windows.length
    ? Array.from({ length: count }, () => prepared.windows[0])
    : [];
  const data = bundle.input.data;
  return chosen.map((w) => {
    const inputData: TaskInputData = {
      window_idx: w.index,
      window: w.lines,
      participants: data.participants ?? null,
      prompt: data.prompt ?? taskPrompt(bundle.prompt_chain) ?? null,
    };
    if (bundle.type === "survey_tagging") {
      const [q, c] = w.lines.map((l) => l[1]);
      inputData.survey_question = q ?? null;
      inputData.comment = c ?? null;
      delete inputData.window;
      delete inputData.window_idx;
    }
    return {
      mode: bundle.mode,
      api_version: bundle.api_version,
      guid: newGuid(),
      bundle_guid: bundle.guid,
      type: bundle.type,
      scoring_mechanism: bundle.scoring_mechanism ?? null,
      input: {
        guid: bundle.input.guid ?? bundle.guid,
        input_type: bundle.input.input_type,
        data: inputData,
        input_categories: bundle.input.input_categories ?? null,
      },
      prompt_chain: bundle.prompt_chain ?? null,
      example_output: bundle.example_output ?? null,
    } satisfies Task;
  });
}

/** The copy of a task miners see: guids "HIDDEN", window index -1 where a window is sent. */
export function maskTaskForMiner(task: Task): Task {
  const masked: Task = structuredClone(task);
  masked.guid = "HIDDEN";
  masked.bundle_guid = "HIDDEN";
  if (masked.input) {
    masked.input.guid = "HIDDEN";
    if (masked.input.data.window_idx !== undefined) masked.input.data.window_idx = -1;
  }
  return masked;
}
