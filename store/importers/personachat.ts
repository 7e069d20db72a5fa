/**
 * @module
 * PersonaChat in its two common shapes. CSV with header `id,Persona,chat` (upstream's
 * `facebook-chat-data_2000rows.csv`): `chat` holds the utterances one per line, speakers
 * alternating 0/1, `Persona` goes to metadata. JSON as ParlAI ships it
 * (`{"train": [{"personality": [...], "utterances": [{"history": [...], "candidates": [...]}]}]}`:
 * the last utterance's history plus its gold (last) candidate is the whole dialog), or
 * ConvAI2's `[{"dialog": [{"sender", "text"}]}]`.
 */
import { readCsv } from "./csv.ts";
import { type ImportRow, itemFromRecord, lineAt } from "./normalize.ts";

const alternate = (utterances: string[]): [number, string][] =>
  utterances.map((t, i) => [i % 2, t] as [number, string]);

/** Reads PersonaChat CSV text. */
export function* readPersonaChatCsv(text: string, source: string): Generator<ImportRow> {
  let header: string[] | null = null;
  let chatCol = -1, personaCol = -1, idCol = -1;
  for (const rec of readCsv(text)) {
    if ("error" in rec) {
      yield { line: rec.line, error: rec.error };
      continue;
    }
    if (!header) {
      header = rec.fields.map((f) => f.trim().toLowerCase());
      chatCol = header.indexOf("chat");
      personaCol = header.indexOf("persona");
      idCol = header.indexOf("id");
      if (chatCol < 0) {
        yield { line: rec.line, error: "header: no `chat` column (expected id,Persona,chat)" };
        return;
      }
      continue;
    }
    if (rec.fields.length !== header.length) {
      yield {
        line: rec.line,
        error: `expected ${header.length} fields, got ${rec.fields.length}`,
      };
      continue;
    }
    const utterances = rec.fields[chatCol].split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
    const persona = personaCol >= 0 ? rec.fields[personaCol].trim() : "";
    const r = itemFromRecord(
      {
        lines: alternate(utterances),
        participants: ["speaker 0", "speaker 1"],
        metadata: persona ? { persona } : undefined,
      },
      source,
      idCol >= 0 ? rec.fields[idCol].trim() : undefined,
    );
    yield "item" in r ? { line: rec.line, item: r.item } : { line: rec.line, error: r.error };
  }
}

/** True when a parsed JSON document looks like PersonaChat (ParlAI or ConvAI2). */
export function isPersonaChatJson(doc: unknown): boolean {
  const first = (a: unknown) =>
    (Array.isArray(a) ? a[0] : undefined) as
      | Record<string, unknown>
      | undefined;
  if (Array.isArray(doc)) {
    return !!first(doc) && ("dialog" in first(doc)! || "utterances" in first(doc)!);
  }
  if (doc && typeof doc === "object") {
    const vals = Object.values(doc as Record<string, unknown>);
    return vals.length > 0 && vals.every((v) => Array.isArray(v)) &&
      vals.some((v) => {
        const f = first(v);
        return !!f && ("utterances" in f || "dialog" in f);
      });
  }
  return false;
}

/** Reads a parsed PersonaChat JSON document (`text` for approximate line numbers). */
export function* readPersonaChatJson(
  doc: unknown,
  text: string,
  source: string,
): Generator<ImportRow> {
  const splits: [string, unknown[]][] = Array.isArray(doc)
    ? [["", doc]]
    : Object.entries(doc as Record<string, unknown>).filter(([, v]) => Array.isArray(v)) as [
      string,
      unknown[],
    ][];
  let pos = 0;
  for (const [split, dialogs] of splits) {
    for (let k = 0; k < dialogs.length; k++) {
      const d = dialogs[k] as Record<string, unknown> | null;
      const where = `${split ? split + "[" : "["}${k}]`;
      const at = text.indexOf(d && "dialog" in d ? '"dialog"' : '"utterances"', pos);
      const line = at >= 0 ? lineAt(text, at) : 0;
      if (at >= 0) pos = at + 1;
      let utterances: string[] | null = null;
      let persona: string[] = [];
      if (d && Array.isArray(d.utterances) && d.utterances.length) {
        const last = d.utterances[d.utterances.length - 1] as Record<string, unknown>;
        const hist = Array.isArray(last?.history) ? last.history.map(String) : null;
        const cands = Array.isArray(last?.candidates) ? last.candidates.map(String) : [];
        if (hist) utterances = cands.length ? [...hist, cands[cands.length - 1]] : hist;
        if (Array.isArray(d.personality)) persona = d.personality.map(String);
      } else if (d && Array.isArray(d.dialog)) {
        utterances = d.dialog.map((u) => String((u as Record<string, unknown>)?.text ?? ""));
      }
      if (!utterances) {
        yield { line, error: `${where}: neither utterances[].history nor dialog[].text` };
        continue;
      }
      const r = itemFromRecord({
        lines: alternate(
          utterances.map((s) => s.trim()).filter((s) => s && s !== "__SILENCE__"),
        ),
        participants: ["speaker 0", "speaker 1"],
        metadata: persona.length ? { persona: persona.join(" ") } : undefined,
      }, source);
      yield "item" in r ? { line, item: r.item } : { line, error: `${where}: ${r.error}` };
    }
  }
}
