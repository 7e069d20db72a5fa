/**
 * @module
 * JSONL import: one record per line, `{guid?, lines, participants?, type?, payload?, source?,
 * metadata?, input_categories?}`; blank lines and `#` comments are skipped.
 */
import { type ImportRow, itemFromRecord, parseJsonKeepingGuids } from "./normalize.ts";

/** Parses JSONL text into items and per-line errors. */
export function* readJsonl(text: string, source: string): Generator<ImportRow> {
  const lines = text.split(/\r?\n/);
  for (let k = 0; k < lines.length; k++) {
    const t = lines[k].trim();
    if (!t || t.startsWith("#")) continue;
    let raw: unknown;
    try {
      raw = parseJsonKeepingGuids(t);
    } catch (e) {
      yield { line: k + 1, error: `not JSON (${(e as Error).message})` };
      continue;
    }
    const r = itemFromRecord(raw, source);
    yield "item" in r ? { line: k + 1, item: r.item } : { line: k + 1, error: r.error };
  }
}
