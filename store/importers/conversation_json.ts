/**
 * @module
 * Upstream's conversation JSON (`data/facebook-chat-data.json`): an object keyed by id whose
 * values are `{participant: {"0": {guid, idx, title}, …}, guid, lines: [[speaker, text]], …}`
 * (note `participant`, singular), or an array of such records, or of generic records.
 */
import { type ImportRow, itemFromRecord, lineAt } from "./normalize.ts";

/** Participants from `participants` (strings) or upstream's `participant` map sorted by idx. */
function participantsOf(v: Record<string, unknown>): string[] | undefined {
  if (Array.isArray(v.participants)) return v.participants.map(String);
  const p = v.participant;
  if (p && typeof p === "object") {
    return Object.entries(p as Record<string, Record<string, unknown>>)
      .map(([k, x]) => ({ idx: Number(x?.idx ?? k), title: String(x?.title ?? `speaker ${k}`) }))
      .sort((a, b) => a.idx - b.idx)
      .map((x) => x.title);
  }
  return undefined;
}

/** Reads a parsed upstream conversation JSON document (`text` is used for line numbers). */
export function* readConversationJson(
  doc: unknown,
  text: string,
  source: string,
): Generator<ImportRow> {
  const entries: [string, unknown][] = Array.isArray(doc)
    ? doc.map((v, i) => [String(i), v])
    : Object.entries(doc as Record<string, unknown>);
  let pos = 0;
  for (const [key, value] of entries) {
    let line = 0;
    if (!Array.isArray(doc)) {
      const at = text.indexOf(`${JSON.stringify(key)}`, pos);
      if (at >= 0) (line = lineAt(text, at), pos = at + 1);
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      yield { line, error: `entry ${key}: not an object` };
      continue;
    }
    const v = value as Record<string, unknown>;
    const { participant: _p, ...rest } = v;
    const r = itemFromRecord(
      { ...rest, participants: participantsOf(v) },
      source,
      Array.isArray(doc) ? undefined : key,
    );
    yield "item" in r ? { line, item: r.item } : { line, error: `entry ${key}: ${r.error}` };
  }
}
