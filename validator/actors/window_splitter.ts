/**
 * @module
 * WindowSplitter: turns a prepared bundle into mining tasks (a random sample of its windows, or
 * its single input repeated) and their masked copies for miners.
 */
import { z } from "zod";
import { defineActor } from "../../actors/mod.ts";
import { maskTaskForMiner, type Task, type TaskBundle, toMiningTasks } from "../../tasks/mod.ts";
import type { IndexedWindow, Line } from "../../tasks/mod.ts";

/** The WindowSplitter actor definition. */
export const windowSplitter = defineActor({
  module: import.meta.url,
  messages: {
    split: z.object({
      bundle: z.record(z.string(), z.unknown()),
      windows: z.array(
        z.object({ index: z.number().int(), lines: z.array(z.tuple([z.number(), z.string()])) }),
      ),
      count: z.number().int().positive(),
    }),
  },
  init: () => ({}),
  handle: {
    split(_state, msg): Array<{ task: Task; masked: Task }> {
      const tasks = toMiningTasks(
        {
          bundle: msg.bundle as unknown as TaskBundle,
          windows: msg.windows as IndexedWindow<Line>[],
        },
        { count: msg.count },
      );
      return tasks.map((task) => ({ task, masked: maskTaskForMiner(task) }));
    },
  },
});
