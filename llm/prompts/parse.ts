/**
 * @module
 * Parsing of the comma-list replies of the tagging, entity and combining prompts: split on
 * commas, then upstream's `clean_tags` (strip, lowercase, drop `"`), then drop empties and
 * duplicates. Tolerates code fences and a leading "Tags:" label that chatty models add.
 */
import { cleanTags } from "../../scoring/clean_tags.ts";
import { stripCodeFence } from "./quality.ts";

/**
 * @example
 * ```ts
 * import { parseCommaList } from "./parse.ts";
 * parseCommaList('Tags: Jazz, "Miles Davis", jazz, ,trumpet'); // ["jazz", "miles davis", "trumpet"]
 * ```
 */
export function parseCommaList(reply: string | null | undefined): string[] {
  if (typeof reply !== "string") return [];
  let text = stripCodeFence(reply).trim();
  text = text.replace(/^(tags|keywords|entities|named entities)\s*:\s*/i, "");
  text = text.replace(/\r?\n/g, ",");
  const out: string[] = [];
  const seen = new Set<string>();
  for (const t of cleanTags(text.split(","))) {
    const tag = t.replace(/^(?:[-*•]\s+|\d+[.)]\s+)/, "").replace(/[.;]+$/, "").trim();
    if (tag === "" || seen.has(tag)) continue;
    seen.add(tag);
    out.push(tag);
  }
  return out;
}
