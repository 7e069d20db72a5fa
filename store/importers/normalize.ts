/**
 * @module
 * Turns one raw record of any import format into a {@link StoredItem}, or a reason why not.
 * Shared rules: guids become strings (big integers are kept exact, see
 * {@link parseJsonKeepingGuids}); a missing guid is derived from the content, so importing the
 * same file twice adds nothing; conversations need two lines; the other task types need the
 * JSON payload their bundle parses, given as `payload` or already in `lines[0][1]`.
 */
import { z } from "zod";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import {
  describeZodError,
  Guid,
  LineSchema,
  NamedEntitiesPayloadSchema,
  SurveyPayloadSchema,
  type TaskType,
  WebpagePayloadSchema,
} from "../../tasks/mod.ts";
import { type StoredItem, TaskTypeNameSchema } from "../schemas.ts";

/** What an importer yields per record. */
export type ImportRow =
  | { line: number; item: StoredItem }
  | { line: number; error: string };

const PAYLOAD_SCHEMAS: Partial<Record<TaskType, z.ZodType>> = {
  webpage_metadata_generation: WebpagePayloadSchema,
  survey_tagging: SurveyPayloadSchema,
  named_entities_extraction: NamedEntitiesPayloadSchema,
};

/** A generic record: a conversation, or a page/survey/document with its payload. */
export const ImportRecordSchema = z.object({
  guid: Guid.nullish(),
  type: TaskTypeNameSchema.nullish(),
  lines: z.array(LineSchema).nullish(),
  participants: z.array(z.string()).nullish(),
  payload: z.record(z.string(), z.unknown()).nullish(),
  source: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  input_categories: z.array(z.string()).nullish(),
}).loose();

/** A guid derived from content (UUID-shaped), for records that come without one. */
export function deriveGuid(type: string, lines: ReadonlyArray<readonly [number, string]>): string {
  const h = bytesToHex(sha256(new TextEncoder().encode(JSON.stringify([type, lines]))));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${
    h.slice(20, 32)
  }`;
}

/**
 * JSON.parse, except that integer `guid` values too big for a double are kept exact as strings
 * (upstream's data uses 128-bit integer guids).
 */
export function parseJsonKeepingGuids(text: string): unknown {
  return JSON.parse(text.replace(/(?<!\\)("guid"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));
}

/** Normalises one generic record; `source` names the file it came from. */
export function itemFromRecord(
  raw: unknown,
  source: string,
  sourceId?: string,
): { item: StoredItem } | { error: string } {
  const p = ImportRecordSchema.safeParse(raw);
  if (!p.success) return { error: describeZodError(p.error) };
  const r = p.data;
  const type: TaskType = r.type ?? "conversation_tagging";
  let lines = r.lines ?? null;
  const schema = PAYLOAD_SCHEMAS[type];
  if (schema) {
    let payload: unknown = r.payload;
    if (payload == null) {
      if (!lines?.length) {
        return { error: `payload: required for ${type} (or lines[0][1] as JSON)` };
      }
      try {
        payload = JSON.parse(lines[0][1]);
      } catch {
        return { error: `lines[0][1]: must be the JSON payload of a ${type} item` };
      }
    }
    const pp = schema.safeParse(payload);
    if (!pp.success) return { error: `payload: ${describeZodError(pp.error)}` };
    lines = [[0, JSON.stringify(payload)]];
  } else {
    if (!lines) return { error: "lines: required" };
    if (lines.length < 2) {
      return { error: `lines: a conversation needs at least 2 lines, got ${lines.length}` };
    }
    if (lines.some(([i]) => i < 0)) return { error: "lines: speaker index must not be negative" };
  }
  const metadata = { ...(r.metadata ?? {}) };
  if (r.input_categories) metadata.input_categories = r.input_categories;
  return {
    item: {
      guid: r.guid ?? deriveGuid(type, lines),
      type,
      lines,
      participants: r.participants ?? [],
      source: r.source ?? source,
      sourceId: sourceId ?? null,
      metadata: Object.keys(metadata).length ? metadata : null,
    },
  };
}

/** 1-based line number of character offset `pos` in `text`. */
export function lineAt(text: string, pos: number): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < pos; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
