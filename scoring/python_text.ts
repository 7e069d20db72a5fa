/**
 * @module
 * Python 3 string semantics that JavaScript gets wrong by default: `str.isspace()` / `re` `\s`
 * (29 code points: includes U+001C–U+001F and U+0085, excludes U+FEFF), `str.strip()` and
 * full-Unicode `str.lower()`. Tag cleaning must match upstream exactly, so every tag function in
 * `scoring/` goes through these.
 */

/** The 29 code points for which CPython's `str.isspace()` and `re`'s `\s` are true. */
export const PY_WHITESPACE: ReadonlySet<number> = new Set([
  0x09,
  0x0a,
  0x0b,
  0x0c,
  0x0d,
  0x1c,
  0x1d,
  0x1e,
  0x1f,
  0x20,
  0x85,
  0xa0,
  0x1680,
  0x2000,
  0x2001,
  0x2002,
  0x2003,
  0x2004,
  0x2005,
  0x2006,
  0x2007,
  0x2008,
  0x2009,
  0x200a,
  0x2028,
  0x2029,
  0x202f,
  0x205f,
  0x3000,
]);

/**
 * Python's `c.isspace()` for one character (a code point given as a string or a number).
 *
 * @example
 * ```ts
 * import { pyIsSpace } from "./python_text.ts";
 * pyIsSpace("\u001c"); // true (JS \s says false)
 * pyIsSpace("\ufeff"); // false (JS \s says true)
 * ```
 */
export function pyIsSpace(c: string | number): boolean {
  const cp = typeof c === "number" ? c : c.codePointAt(0);
  return cp !== undefined && PY_WHITESPACE.has(cp);
}

/**
 * Python's `s.strip()` with no argument: removes Python whitespace from both ends.
 *
 * @example
 * ```ts
 * import { pyStrip } from "./python_text.ts";
 * pyStrip("\u001cb\u001c"); // "b"
 * pyStrip("\ufeffc"); // "\ufeffc" (U+FEFF is not whitespace in Python)
 * ```
 */
export function pyStrip(s: string): string {
  // Every Python whitespace code point is in the BMP, so UTF-16 indexing is safe here.
  let start = 0;
  let end = s.length;
  while (start < end && PY_WHITESPACE.has(s.charCodeAt(start))) start++;
  while (end > start && PY_WHITESPACE.has(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/**
 * Python's full-Unicode `s.lower()` (special casing included: `'İ'` → `'i̇'`, word-final sigma →
 * `'ς'`). ECMAScript's locale-independent `toLowerCase` applies the same unconditional
 * SpecialCasing mappings and the Final_Sigma rule, which the tag vectors confirm. (Characters
 * added after Unicode 14, CPython 3.11's table, may lower-case here but not in Python.)
 *
 * @example
 * ```ts
 * import { pyLower } from "./python_text.ts";
 * pyLower("ΣΑΣ"); // "σας"
 * ```
 */
export function pyLower(s: string): string {
  return s.toLowerCase();
}

/** Python's `len(s)`: the number of code points (not UTF-16 units). */
export function pyLen(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
