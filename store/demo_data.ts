/**
 * @module
 * The project's own demo dataset (`store/demo_data/conversations.jsonl`): two-person chats on
 * varied topics written for this project, plus a few web pages, survey answers and documents so
 * every task type is exercised. Loaded by `deno task api --demo-data` into an empty store.
 */
import type { StoreRepository } from "./repository.ts";
import { type ImportReport, importRows, readRecords } from "./importers/import_file.ts";

/** Where the demo dataset lives. */
export const DEMO_DATA_URL = new URL("./demo_data/conversations.jsonl", import.meta.url);

/** Imports the demo dataset (idempotent: known guids are skipped). */
export async function loadDemoData(repo: StoreRepository): Promise<ImportReport> {
  const text = await Deno.readTextFile(DEMO_DATA_URL);
  const { format, rows } = readRecords(text, "conversations.jsonl", "jsonl", "cgp-demo");
  return await importRows(repo, rows, format, { progress: false });
}
