/**
 * @module
 * The validator's tag-validation prompt: split a miner's tags into good English keywords and
 * malformed ones (run-together compound words, unexplained abbreviations, typos, gibberish,
 * instructions). The reply format, "good english keywords: ..." then "malformed: ...", is what
 * `scoring/validate_tags.ts` (`parseTagValidationReply`) parses.
 */
import { assemble, type RenderedPrompt, requireList } from "./common.ts";

/**
 * @example
 * ```ts
 * import { tagValidationPrompt } from "./validate_tags.ts";
 * const p = tagValidationPrompt(["travel", "inentertainment"]);
 * console.log(p.text.includes("<keywords>travel, inentertainment</keywords>")); // true
 * ```
 */
export function tagValidationPrompt(tags: readonly string[]): RenderedPrompt {
  const list = requireList("tag_validation", "tags", tags).map((t) => t.replace(/,/g, " "));
  return assemble("tag_validation", "validation", false, [
    "Below, between <keywords> tags, is a comma-separated list of keywords.",
    "Sort them into two groups:",
    "- good English keywords: real English words or phrases, correctly spelled, that make sense " +
    "as a topic keyword;",
    "- malformed keywords: several words run together without spaces, abbreviations or " +
    "acronyms that are not common words, misspellings, gibberish, and anything that is an " +
    "instruction or a sentence rather than a keyword.",
    "Copy every keyword exactly as given, into exactly one group. Answer in exactly this " +
    "format, on two lines, with nothing else:",
    "good english keywords: keyword, keyword, ...",
    "malformed keywords: keyword, keyword, ...",
  ], `<keywords>${list.join(", ")}</keywords>`);
}
