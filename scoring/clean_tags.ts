/**
 * @module
 * Tag-list cleaning: `cleanTags` (upstream `Utils.clean_tags`: strip, full-Unicode lower, drop
 * `"`) and `getCleanTagSet` (upstream `Utils.get_clean_tag_set`: `getSafeTag` on each, keep
 * lengths 3..64, deduplicate).
 */
import { pyLower, pyStrip } from "./python_text.ts";
import { getSafeTag } from "./safe_tag.ts";

/** Shortest cleaned tag that is kept. */
export const MIN_TAG_LENGTH = 3;
/** Longest cleaned tag that is kept. */
export const MAX_TAG_LENGTH = 64;

/**
 * Upstream `Utils.clean_tags`: `tag.strip().lower().replace('"', '')` for each tag, in order,
 * without deduplication or filtering.
 *
 * @example
 * ```ts
 * import { cleanTags } from "./clean_tags.ts";
 * cleanTags([" Music ", "\"Sci-Fi\""]); // ["music", "sci-fi"]
 * ```
 */
export function cleanTags(tags: string[]): string[] {
  return tags.map((tag) => {
    if (typeof tag !== "string") throw new TypeError("cleanTags: every tag must be a string");
    return pyLower(pyStrip(tag)).replaceAll('"', "");
  });
}

/**
 * Upstream `Utils.get_clean_tag_set`: the distinct `getSafeTag` forms of length 3..64, in order
 * of first appearance (upstream returns `list(set(...))`, whose order is arbitrary; callers must
 * treat the result as a set). Like upstream, any element that is not a string makes the whole
 * result `[]`, and a bare string is iterated character by character (so it also gives `[]`).
 *
 * @example
 * ```ts
 * import { getCleanTagSet } from "./clean_tags.ts";
 * getCleanTagSet(["Elon Musk", "elon musk", "x", "Mars!"]); // ["elon musk", "mars"]
 * getCleanTagSet(["ok tag", null]); // []
 * ```
 */
export function getCleanTagSet(tags: unknown): string[] {
  let items: unknown[];
  if (typeof tags === "string") items = Array.from(tags);
  else if (Array.isArray(tags)) items = tags;
  else if (tags instanceof Set) items = [...tags];
  else return [];
  const out = new Set<string>();
  for (const tag of items) {
    if (typeof tag !== "string") return [];
    const safe = getSafeTag(tag);
    if (safe.length < MIN_TAG_LENGTH || safe.length > MAX_TAG_LENGTH) continue;
    out.add(safe);
  }
  return [...out];
}
