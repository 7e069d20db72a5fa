/**
 * @module
 * What a miner does with one input: pick the tagging operation for the task type (and its
 * coding variant), run it, and return tags. Both synapse generations are handled: today's
 * `{"task": {...}}` and the first version's window `{guid, window_idx, lines}`. Pure apart
 * from the {@link TaggingOps} it is given, so it is tested without an LLM.
 */
import {
  describeZodError,
  LegacyWindowInputItemSchema,
  type Line,
  type Task,
  TaskInputItemSchema,
} from "../tasks/mod.ts";

/** The LLM operations a miner needs; `llm/` implements them. */
export interface TaggingOps {
  /** Tags of conversation lines; `prompt` replaces the default template when given. */
  conversationTags(lines: Line[], opts: { coding: boolean; prompt?: string }): Promise<string[]>;
  /** Tags of a web page's markdown. */
  websiteTags(markdown: string, opts: { coding: boolean }): Promise<string[]>;
  /** Tags of one enrichment snippet (`title\nsnippet`). */
  enrichmentTags(text: string, opts: { coding: boolean }): Promise<string[]>;
  /** Merges several tag lists into one. */
  combineTags(lists: string[][]): Promise<string[]>;
  /** Tags of a survey answer. */
  surveyTags(question: string, comment: string): Promise<string[]>;
  /** Named entities of a transcript. */
  transcriptEntities(text: string): Promise<string[]>;
  /** Named entities of a web page or snippet. */
  webpageEntities(text: string): Promise<string[]>;
  /** Merges several entity lists into one. */
  combineEntities(lists: string[][]): Promise<string[]>;
}

/** A parsed `cgp_input[0]`: which generation sent it and what to tag. */
export type MinerInput =
  | { generation: "task"; task: Task }
  | { generation: "legacy"; guid: string; windowIdx: number; lines: Line[] };

/** An input the miner could not understand; the message says why. */
export class MinerInputError extends Error {
  override name = "MinerInputError";
}

/** Recognises the two `cgp_input` generations; throws {@link MinerInputError} otherwise. */
export function parseMinerInput(cgpInput: unknown): MinerInput {
  if (!Array.isArray(cgpInput) || cgpInput.length === 0) {
    throw new MinerInputError("cgp_input must be a non-empty list");
  }
  const item = cgpInput[0];
  if (item && typeof item === "object" && "task" in item) {
    const r = TaskInputItemSchema.safeParse(item);
    if (!r.success) throw new MinerInputError(`cgp_input[0]: ${describeZodError(r.error)}`);
    return { generation: "task", task: r.data.task };
  }
  const r = LegacyWindowInputItemSchema.safeParse(item);
  if (!r.success) {
    throw new MinerInputError(
      `cgp_input[0] is neither {"task": ...} nor {guid, window_idx, lines}: ${
        describeZodError(r.error)
      }`,
    );
  }
  return {
    generation: "legacy",
    guid: r.data.guid,
    windowIdx: r.data.window_idx,
    lines: r.data.lines,
  };
}

/** Options of {@link mineInput}. */
export interface MineOptions {
  /** Use the task's own prompt template (prompt_chain[0] / input.data.prompt) when present. */
  useTaskPrompt?: boolean;
}

/** The lines a task carries (its window), or an empty list. */
function taskLines(task: Task): Line[] {
  return task.input?.data.window ?? [];
}

/** Tags for one input; empty when the input carries nothing to tag. */
export async function mineInput(
  input: MinerInput,
  ops: TaggingOps,
  opts: MineOptions = {},
): Promise<string[]> {
  if (input.generation === "legacy") {
    return input.lines.length ? await ops.conversationTags(input.lines, { coding: false }) : [];
  }
  const task = input.task;
  const coding = (task.input?.input_categories ?? []).includes("coding");
  const lines = taskLines(task);
  switch (task.type) {
    case "conversation_tagging": {
      if (!lines.length) return [];
      const prompt = opts.useTaskPrompt
        ? task.prompt_chain?.[0]?.prompt_template ?? task.input?.data.prompt ?? undefined
        : undefined;
      return await ops.conversationTags(lines, { coding, prompt: prompt ?? undefined });
    }
    case "webpage_metadata_generation": {
      if (!lines.length) return [];
      const lists = [await ops.websiteTags(lines[0][1], { coding })];
      for (const [, text] of lines.slice(1)) lists.push(await ops.enrichmentTags(text, { coding }));
      return lists.length === 1 ? lists[0] : await ops.combineTags(lists);
    }
    case "survey_tagging": {
      const data = task.input?.data;
      const question = data?.survey_question ?? "";
      const comment = data?.comment ?? "";
      if (!comment.trim()) return [];
      return await ops.surveyTags(question, comment);
    }
    case "named_entities_extraction": {
      if (!lines.length) return [];
      const lists = [await ops.transcriptEntities(lines[0][1])];
      for (const [, text] of lines.slice(1)) lists.push(await ops.webpageEntities(text));
      return lists.length === 1 ? lists[0] : await ops.combineEntities(lists);
    }
  }
}
