/**
 * @module
 * Imports a file into a store: picks the format from the extension or the content, reads every
 * record, stores the good ones in batches and reports the bad ones (line number + reason)
 * without stopping. Known guids are left alone, so re-importing a file is harmless.
 */
import type { StoreRepository } from "../repository.ts";
import type { StoredItem } from "../schemas.ts";
import { readConversationJson } from "./conversation_json.ts";
import { readJsonl } from "./jsonl.ts";
import { type ImportRow, parseJsonKeepingGuids } from "./normalize.ts";
import { isPersonaChatJson, readPersonaChatCsv, readPersonaChatJson } from "./personachat.ts";
import { ProgressBar } from "./progress.ts";

/** Formats the importer understands. */
export const IMPORT_FORMATS = [
  "auto",
  "conversation-json",
  "personachat-json",
  "personachat-csv",
  "jsonl",
] as const;
/** One of {@link IMPORT_FORMATS}. */
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** A record that was not imported. */
export interface SkippedRow {
  /** 1-based line in the file (0 when unknown). */
  line: number;
  reason: string;
}

/** What an import did. */
export interface ImportReport {
  format: Exclude<ImportFormat, "auto">;
  /** Good records read. */
  read: number;
  inserted: number;
  /** Good records whose guid was already stored. */
  duplicates: number;
  skipped: SkippedRow[];
}

/** Import options. */
export interface ImportOptions {
  format?: ImportFormat;
  /** Draw a progress bar on stderr (default: when stderr is a terminal). */
  progress?: boolean;
  /** Recorded as each item's `source` (default: the file's base name). */
  source?: string;
  /** Insert batch size (default 500). */
  batchSize?: number;
  now?: number;
}

/** Reads records from text in the given (or detected) format. */
export function readRecords(
  text: string,
  name: string,
  format: ImportFormat = "auto",
  source = name,
): { format: Exclude<ImportFormat, "auto">; rows: ImportRow[] } {
  let f = format;
  const lower = name.toLowerCase();
  if (f === "auto") {
    if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) f = "jsonl";
    else if (lower.endsWith(".csv")) f = "personachat-csv";
  }
  if (f === "jsonl") return { format: f, rows: [...readJsonl(text, source)] };
  if (f === "personachat-csv") return { format: f, rows: [...readPersonaChatCsv(text, source)] };
  let doc: unknown;
  try {
    doc = parseJsonKeepingGuids(text);
  } catch (e) {
    if (f === "auto") return { format: "jsonl", rows: [...readJsonl(text, source)] };
    return {
      format: f as Exclude<ImportFormat, "auto">,
      rows: [{ line: 0, error: `not JSON (${(e as Error).message})` }],
    };
  }
  if (f === "auto") f = isPersonaChatJson(doc) ? "personachat-json" : "conversation-json";
  if (doc === null || typeof doc !== "object") {
    return {
      format: f as Exclude<ImportFormat, "auto">,
      rows: [{ line: 1, error: "(root): expected an object or an array" }],
    };
  }
  if (f === "personachat-json") {
    return { format: f, rows: [...readPersonaChatJson(doc, text, source)] };
  }
  return { format: "conversation-json", rows: [...readConversationJson(doc, text, source)] };
}

/** Stores already-read rows in batches. */
export async function importRows(
  repo: StoreRepository,
  rows: ImportRow[],
  format: Exclude<ImportFormat, "auto">,
  options: ImportOptions & { label?: string } = {},
): Promise<ImportReport> {
  const items: StoredItem[] = [];
  const skipped: SkippedRow[] = [];
  for (const r of rows) {
    if ("item" in r) items.push(r.item);
    else skipped.push({ line: r.line, reason: r.error });
  }
  const bar = new ProgressBar(items.length, options.label ?? "items", options.progress);
  const size = options.batchSize ?? 500;
  let inserted = 0, duplicates = 0;
  const now = options.now ?? Date.now();
  for (let i = 0; i < items.length; i += size) {
    const batch = items.slice(i, i + size);
    const r = await repo.insertItems(batch, now);
    inserted += r.inserted;
    duplicates += r.duplicates;
    bar.tick(batch.length);
  }
  bar.finish();
  return { format, read: items.length, inserted, duplicates, skipped };
}

/**
 * Imports one file.
 *
 * @example
 * ```ts ignore
 * const report = await importFile(repo, "../shared/data/facebook-chat-data.json");
 * for (const s of report.skipped) console.error(`line ${s.line}: ${s.reason}`);
 * ```
 */
export async function importFile(
  repo: StoreRepository,
  path: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const text = await Deno.readTextFile(path);
  const base = path.split(/[/\\]/).pop() ?? path;
  const { format, rows } = readRecords(text, base, options.format, options.source ?? base);
  return await importRows(repo, rows, format, { ...options, label: base });
}
