/**
 * @module
 * The combining prompt: merge several tag or entity lists (from a page and its enrichment, or a
 * transcript and its enrichment) into one list of at most 20. Upstream uses one prompt for both.
 */
import { assemble, PromptInputError, type RenderedPrompt } from "./common.ts";

/**
 * Renders the lists as `<list n="1">a, b</list>` blocks.
 *
 * @throws PromptInputError when every list is empty.
 * @example
 * ```ts
 * import { combineTagsPrompt } from "./combine.ts";
 * const p = combineTagsPrompt([["rust", "cargo"], ["rust lang"]]);
 * console.log(p.text.includes('<list n="2">rust lang</list>')); // true
 * ```
 */
export function combineTagsPrompt(lists: readonly (readonly string[])[]): RenderedPrompt {
  if (!Array.isArray(lists)) {
    throw new PromptInputError("combine_tags", "lists", "must be an array");
  }
  const blocks: string[] = [];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    const items = list.filter((t): t is string => typeof t === "string")
      .map((t) => t.trim().replace(/,/g, " ")).filter((t) => t !== "");
    if (items.length > 0) blocks.push(`<list n="${blocks.length + 1}">${items.join(", ")}</list>`);
  }
  if (blocks.length === 0) {
    throw new PromptInputError("combine_tags", "lists", "must contain at least one non-empty list");
  }
  return assemble("combine_tags", "combine", false, [
    "Below are several lists of tags or named entities describing the same document, each " +
    "between <list> tags.",
    "Merge them into one list of at most 20 items: keep the most specific and most frequent " +
    "items, merge duplicates and spelling variants into one normalised form, drop vague items.",
    "Answer with a single line of comma-separated items and nothing else.",
  ], `<lists>\n${blocks.join("\n")}\n</lists>`);
}
