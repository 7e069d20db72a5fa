/**
 * @module
 * Miner-tag validation around the LLM, as upstream `LlmLib.validate_tag_set` and
 * `LlmLib.validate_named_entities_tag_set` do it: pick at most 20 clean tags at random (each cut
 * to 50 characters) for the "good english keywords / malformed" prompt, then parse the reply.
 * The LLM call itself lives in `llm/`; everything here is pure and takes its random source as an
 * argument so tests can make it deterministic.
 */
import { getCleanTagSet } from "./clean_tags.ts";
import { pyLower, pyStrip } from "./python_text.ts";
import { getSafeTag } from "./safe_tag.ts";

/** How many clean tags at most go to the LLM (and are kept for NER). */
export const MAX_VALIDATED_TAGS = 20;
/** Each tag sent to the LLM is cut to this many characters. */
export const VALIDATION_TAG_MAX_CHARS = 50;

/** A source of uniform numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * `random.sample(list, k)` semantics with an injectable random source: `k` distinct elements in
 * random order (partial Fisher–Yates). Upstream samples when there are 20 or more tags, so with
 * exactly 20 the result is a permutation.
 */
export function sampleWithoutReplacement<T>(
  items: readonly T[],
  k: number,
  random: RandomSource,
): T[] {
  const pool = items.slice();
  const n = pool.length;
  const take = Math.min(k, n);
  for (let i = 0; i < take; i++) {
    const j = i + Math.min(n - i - 1, Math.floor(random() * (n - i)));
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, take);
}

/**
 * The tags put into the validation prompt: with 20 or more clean tags a random 20, then each
 * truncated to 50 characters (code points, like Python slicing).
 *
 * @example
 * ```ts
 * import { selectTagsForValidation } from "./validate_tags.ts";
 * selectTagsForValidation(["travel", "music"], Math.random); // ["travel", "music"]
 * ```
 */
export function selectTagsForValidation(cleanTags: string[], random: RandomSource): string[] {
  const chosen = cleanTags.length >= MAX_VALIDATED_TAGS
    ? sampleWithoutReplacement(cleanTags, MAX_VALIDATED_TAGS, random)
    : cleanTags.slice();
  return chosen.map((t) => Array.from(t).slice(0, VALIDATION_TAG_MAX_CHARS).join(""));
}

/**
 * Upstream `validate_named_entities_tag_set`: named entities get no LLM check, only the clean
 * tag set, cut to a random 20 when there are 20 or more.
 *
 * @example
 * ```ts
 * import { validateNamedEntitiesTagSet } from "./validate_tags.ts";
 * validateNamedEntitiesTagSet(["Elon Musk", "NASA", "x"], Math.random); // ["elon musk", "nasa"]
 * ```
 */
export function validateNamedEntitiesTagSet(tags: unknown, random: RandomSource): string[] {
  const clean = getCleanTagSet(tags);
  return clean.length >= MAX_VALIDATED_TAGS
    ? sampleWithoutReplacement(clean, MAX_VALIDATED_TAGS, random)
    : clean;
}

/** Options for {@link parseTagValidationReply}. */
export interface ParseTagValidationOptions {
  /**
   * Upstream keeps a validated tag only if it appears *verbatim* in the miner's original list,
   * so a miner tag whose cleaned form differs ("Sci-Fi" → "sci fi", "Travel" → "travel") is
   * always dropped. `true` also accepts a validated tag equal to the cleaned form of an original
   * tag. Default `false`: upstream behaviour, because validators whose scores disagree with the
   * rest of the subnet lose vtrust (see docs/scoring.md).
   */
  keepCleanedVariants?: boolean;
}

function dropLastCodePoint(s: string): string {
  if (s.length === 0) return s;
  const low = s.charCodeAt(s.length - 1);
  // A trailing low surrogate preceded by a high surrogate is one code point.
  if (low >= 0xdc00 && low <= 0xdfff && s.length >= 2) {
    const high = s.charCodeAt(s.length - 2);
    if (high >= 0xd800 && high <= 0xdbff) return s.slice(0, -2);
  }
  return s.slice(0, -1);
}

/**
 * Parses the LLM's tag-validation reply like upstream `validate_tag_set`:
 * 1. lower-case the reply and cut it at the first `"malformed"` (when the word is absent,
 *    Python's `find()` gives -1 and the slice drops the last character; reproduced);
 * 2. delete `good english keywords:`, `***` and newlines (deleted, not replaced);
 * 3. split on commas and clean with `getCleanTagSet`;
 * 4. keep the tags found verbatim in `originalTags` (see `keepCleanedVariants`).
 *
 * An empty reply gives `null` (upstream returns `None`); so does a missing reply (`null` or
 * `undefined`, an LLM error), where upstream crashes on `len(None)`.
 *
 * @example
 * ```ts
 * import { parseTagValidationReply } from "./validate_tags.ts";
 * parseTagValidationReply(
 *   "Good English keywords: travel, music\nMalformed keywords: inentertainment",
 *   ["travel", "music", "inentertainment"],
 * ); // ["travel", "music"]
 * ```
 */
export function parseTagValidationReply(
  reply: string | null | undefined,
  originalTags: string[],
  opts: ParseTagValidationOptions = {},
): string[] | null {
  if (reply === null || reply === undefined || typeof reply !== "string") return null;
  if (reply.length === 0) return null;
  const content = pyLower(reply);
  const pos = content.indexOf("malformed");
  const head = pos === -1 ? dropLastCodePoint(content) : content.slice(0, pos);
  const good = pyStrip(
    head.split("good english keywords:").join("").split("***").join("").split("\n").join(""),
  );
  const valid = getCleanTagSet(good.split(","));
  const originals = new Set(originalTags.filter((t) => typeof t === "string"));
  if (opts.keepCleanedVariants) {
    for (const t of originalTags) if (typeof t === "string") originals.add(getSafeTag(t));
  }
  return valid.filter((t) => originals.has(t));
}
