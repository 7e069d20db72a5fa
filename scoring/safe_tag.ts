/**
 * @module
 * `getSafeTag`: CGP's `Utils.get_safe_tag`, reproduced exactly. Upstream runs two regex passes
 * (`\s{2,}|[^a-zA-Z0-9\s]` → `' '`, then `[^\w\s]|(?<=\s)\s*` → `''`) and then `.lower().strip()`,
 * all with Python's whitespace set. The consequences that matter for parity: a single whitespace
 * character between letters survives unchanged (`"a\u00a0b"`), runs of two or more become one
 * space, and every non-ASCII letter becomes a space (`"Café"` → `"caf"`).
 */
import { PY_WHITESPACE, pyStrip } from "./python_text.ts";

function isAsciiAlnum(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
}

/**
 * Cleans one tag like upstream `Utils.get_safe_tag(tag)`. The result holds only ASCII letters and
 * digits (lower-cased) and Python whitespace characters, so its UTF-16 length is its length.
 *
 * @example
 * ```ts
 * import { getSafeTag } from "./safe_tag.ts";
 * getSafeTag(" St. George's Dragon "); // "st george s dragon"
 * getSafeTag("Café"); // "caf"
 * ```
 */
export function getSafeTag(tag: string): string {
  if (typeof tag !== "string") {
    throw new TypeError(`getSafeTag: expected a string, got ${tag === null ? "null" : typeof tag}`);
  }
  // Pass 1, scanning code points left to right as Python's re does: a run of >= 2 whitespace
  // characters becomes one space; any other character outside [A-Za-z0-9\s] becomes a space.
  const cps = Array.from(tag, (ch) => ch.codePointAt(0)!);
  const pass1: number[] = [];
  for (let i = 0; i < cps.length;) {
    const cp = cps[i];
    if (PY_WHITESPACE.has(cp)) {
      let j = i + 1;
      while (j < cps.length && PY_WHITESPACE.has(cps[j])) j++;
      if (j - i >= 2) {
        pass1.push(0x20);
      } else {
        pass1.push(cp);
      }
      i = j;
    } else {
      pass1.push(isAsciiAlnum(cp) ? cp : 0x20);
      i++;
    }
  }
  // Pass 2: `[^\w\s]` matches nothing left; `(?<=\s)\s*` deletes every whitespace character
  // whose predecessor in the pass-1 string is whitespace.
  let out = "";
  for (let i = 0; i < pass1.length; i++) {
    const cp = pass1[i];
    if (i > 0 && PY_WHITESPACE.has(cp) && PY_WHITESPACE.has(pass1[i - 1])) continue;
    // ASCII lower-casing is all `.lower()` can do here: the rest is whitespace.
    out += String.fromCharCode(cp >= 0x41 && cp <= 0x5a ? cp + 0x20 : cp);
  }
  return pyStrip(out);
}
