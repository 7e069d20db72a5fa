/**
 * @module
 * The conversation store's own wire types, one zod schema each: the reserve request, the two
 * versions of the PUT record body (today's upstream and the first version), the API-key
 * issuance messages, and one stored item (a conversation, or a page/survey/document whose JSON
 * payload travels in `lines[0][1]`). Task bundles themselves come from `tasks/`.
 */
import { z } from "zod";
import { Guid, LineSchema, TASK_TYPES, type TaskType } from "../tasks/mod.ts";

/** The `cgp_version` upstream validators send today (HEAD). */
export const CGP_VERSION = "2.30.65";

/** Task-type names a reserve request may use: upstream's short names or the bundle types. */
export const TASK_TYPE_ALIASES: Record<string, TaskType> = {
  conversation: "conversation_tagging",
  conversation_tagging: "conversation_tagging",
  website: "webpage_metadata_generation",
  webpage: "webpage_metadata_generation",
  webpage_metadata_generation: "webpage_metadata_generation",
  survey: "survey_tagging",
  survey_tagging: "survey_tagging",
  ner: "named_entities_extraction",
  document: "named_entities_extraction",
  named_entities: "named_entities_extraction",
  named_entities_extraction: "named_entities_extraction",
};

/** A task type by any of its {@link TASK_TYPE_ALIASES}. */
export const TaskTypeNameSchema = z.string().transform((s, ctx) => {
  const t = TASK_TYPE_ALIASES[s.trim().toLowerCase()];
  if (!t) {
    ctx.addIssue({
      code: "custom",
      message: `unknown task type ${JSON.stringify(s)} (known: ${
        Object.keys(TASK_TYPE_ALIASES).join(", ")
      })`,
    });
    return z.NEVER;
  }
  return t;
});

/** Reply formats of reserve: today's task bundle, or the first version's plain conversation. */
export const RESERVE_FORMATS = ["bundle", "legacy"] as const;
/** One of {@link RESERVE_FORMATS}. */
export type ReserveFormat = (typeof RESERVE_FORMATS)[number];

/** Optional JSON body of `POST /api/v1/conversation/reserve` (upstream's local API shape). */
export const ReserveRequestSchema = z.object({
  task_type: TaskTypeNameSchema.nullish(),
  task_guid: Guid.nullish(),
  format: z.enum(RESERVE_FORMATS).nullish(),
}).loose();
/** A parsed reserve body. */
export type ReserveRequest = z.infer<typeof ReserveRequestSchema>;

const optStr = z.union([z.string(), z.number()]).transform(String).nullish();
const optNum = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)])
  .nullish();

/**
 * Today's upstream PUT record body (`TaskLib.put_task`): one per bundle for the validator's
 * ground truth (`task_id` null) and one per miner answer.
 */
export const RecordBodyHeadSchema = z.object({
  mode: optStr,
  model: optStr,
  embeddings_model: optStr,
  marker_id: optStr,
  llm_type: optStr,
  scoring_version: optStr,
  cgp_version: optStr,
  netuid: optNum,
  hotkey: z.string().min(1, "hotkey must not be empty"),
  neuron_type: z.enum(["validator", "miner"]),
  task_id: optStr,
  batch_number: optNum,
  data: z.unknown().refine((v) => v !== undefined, "data is required"),
}).loose();
/** A today's-format record body. */
export type RecordBodyHead = z.infer<typeof RecordBodyHeadSchema>;

/** The first version's PUT record body (`ConvoLib.put_conversation`): `type`, window, batch. */
export const RecordBodyEeSchema = z.object({
  type: z.enum(["validator", "miner"]),
  mode: optStr,
  model: optStr,
  marker_id: optStr,
  convo_window_index: optNum,
  hotkey: z.string().min(1, "hotkey must not be empty"),
  llm_type: optStr,
  scoring_version: optStr,
  batch_num: optNum,
  cgp_version: optStr,
  embeddings_model: optStr,
  netuid: optNum,
  data: z.unknown().refine((v) => v !== undefined, "data is required"),
}).loose();
/** A first-version record body. */
export type RecordBodyEe = z.infer<typeof RecordBodyEeSchema>;

/** A record body of either version, normalised to the columns the store keeps. */
export interface NormalizedRecord {
  bodyVersion: "head" | "ee";
  neuronType: "validator" | "miner";
  hotkey: string;
  /** `task_id` (today) or `window:<convo_window_index>` (first version); "" when absent. */
  taskId: string;
  batchNumber: number | null;
  cgpVersion: string | null;
  llmType: string | null;
  model: string | null;
  markerId: string | null;
  data: unknown;
}

/** Parses a record body: `neuron_type` means today's format, `type` the first version's. */
export function parseRecordBody(
  raw: unknown,
): { ok: true; record: NormalizedRecord } | { ok: false; error: z.ZodError | string } {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, error: "(root): the body must be a JSON object" };
  }
  const obj = raw as Record<string, unknown>;
  if ("neuron_type" in obj || !("type" in obj)) {
    const p = RecordBodyHeadSchema.safeParse(obj);
    if (!p.success) return { ok: false, error: p.error };
    const b = p.data;
    return {
      ok: true,
      record: {
        bodyVersion: "head",
        neuronType: b.neuron_type,
        hotkey: b.hotkey,
        taskId: b.task_id ?? "",
        batchNumber: b.batch_number ?? null,
        cgpVersion: b.cgp_version ?? null,
        llmType: b.llm_type ?? null,
        model: b.model ?? null,
        markerId: b.marker_id ?? null,
        data: b.data,
      },
    };
  }
  const p = RecordBodyEeSchema.safeParse(obj);
  if (!p.success) return { ok: false, error: p.error };
  const b = p.data;
  return {
    ok: true,
    record: {
      bodyVersion: "ee",
      neuronType: b.type,
      hotkey: b.hotkey,
      taskId: b.convo_window_index == null ? "" : `window:${b.convo_window_index}`,
      batchNumber: b.batch_num ?? null,
      cgpVersion: b.cgp_version ?? null,
      llmType: b.llm_type ?? null,
      model: b.model ?? null,
      markerId: b.marker_id ?? null,
      data: b.data,
    },
  };
}

/** `POST /api/v1/generate_message`: the validator says who it is. */
export const GenerateMessageRequestSchema = z.object({
  hotkey: z.string().min(1, "hotkey is required"),
  coldkey: z.string().nullish(),
  uid: z.number().int().nullish(),
  netuid: z.number().int().nullish(),
  network: z.string().nullish(),
}).loose();

/** `POST /api/v1/generate_api_key`: the message signed by the hotkey (hex, `0x` optional). */
export const GenerateApiKeyRequestSchema = z.object({
  hotkey: z.string().min(1, "hotkey is required"),
  message: z.string().min(1, "message is required"),
  signature: z.string().regex(/^(0x)?[0-9a-fA-F]{128}$/, "signature must be 64 bytes of hex"),
}).loose();

/** Reply of `generate_message`. */
export const GenerateMessageResponseSchema = z.object({
  message: z.string(),
  expires_at: z.string(),
}).loose();

/** Reply of `generate_api_key`, also the content of `readyai_api_data.json`. */
export const ApiKeyResponseSchema = z.object({
  api_key: z.string().min(1),
  hotkey: z.string().optional(),
}).loose();

/** Conversation line speakers, with the item's payload for the non-conversation types. */
export const StoredItemSchema = z.object({
  guid: Guid,
  type: z.enum(TASK_TYPES),
  lines: z.array(LineSchema).min(1, "an item needs at least one line"),
  participants: z.array(z.string()),
  source: z.string().nullish(),
  sourceId: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});
/** An item (conversation, page, survey answer, document) as the store keeps it. */
export type StoredItem = z.infer<typeof StoredItemSchema>;
