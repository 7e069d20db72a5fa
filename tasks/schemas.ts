/**
 * @module
 * The CGP data model on the wire, as zod schemas that both validate and type: task bundles as
 * the conversation store (`/api/v1/conversation/reserve`) hands them to validators, the tasks a
 * validator sends to miners inside `CgSynapse.cgp_input`, and what miners answer in
 * `cgp_output`. Unknown extra fields are kept (upstream adds fields over time); fields we use are
 * checked.
 */
import { z } from "zod";

/** Upstream `ForceStr`: a guid may arrive as a number; it becomes a non-empty string. */
export const Guid = z.union([z.string(), z.number().int(), z.bigint()]).transform((v) => String(v))
  .pipe(z.string().min(1, "guid must not be empty"));

/** A conversation line `[speaker index, text]` (tuples arrive as JSON arrays). */
export const LineSchema = z.tuple([z.number().int(), z.string()]);
/** A conversation line. */
export type Line = z.infer<typeof LineSchema>;

/** Task types subnet 33 knows today. */
export const TASK_TYPES = [
  "conversation_tagging",
  "webpage_metadata_generation",
  "survey_tagging",
  "named_entities_extraction",
] as const;
/** One of {@link TASK_TYPES}. */
export type TaskType = (typeof TASK_TYPES)[number];

/** One step of a bundle's prompt chain (carried to miners; its template may be honoured). */
export const PromptChainStepSchema = z.looseObject({
  step: z.number().int().optional(),
  id: z.union([z.string(), z.number()]).optional(),
  crc: z.union([z.string(), z.number()]).optional(),
  title: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  type: z.string().optional(),
  input_path: z.string().optional(),
  prompt_template: z.string().nullish(),
  output_variable: z.string().optional(),
  output_type: z.string().optional(),
});
/** A prompt chain step. */
export type PromptChainStep = z.infer<typeof PromptChainStepSchema>;

/** `example_output` of a bundle or task. */
export const ExampleOutputSchema = z.looseObject({
  tags: z.array(z.string()).optional(),
  type: z.string().optional(),
});

/** The data of a bundle's input: the whole conversation (or page, survey, document). */
export const BundleInputDataSchema = z.looseObject({
  lines: z.array(LineSchema),
  participants: z.array(z.string()).optional(),
  total: z.number().int().optional(),
  min_convo_windows: z.number().int().nullish(),
  prompt: z.string().nullish(),
});

const bundleInput = <T extends string>(inputType: T) =>
  z.looseObject({
    input_type: z.literal(inputType),
    guid: Guid.optional(),
    data: BundleInputDataSchema,
    input_categories: z.array(z.string()).nullish(),
    metadata: z.unknown().optional(),
    quality_score: z.number().nullish(),
  });

const bundleBase = {
  mode: z.string().optional(),
  api_version: z.number().optional(),
  guid: Guid,
  scoring_mechanism: z.string().nullish(),
  prompt_chain: z.array(PromptChainStepSchema).nullish(),
  example_output: ExampleOutputSchema.nullish(),
  errors: z.array(z.unknown()).optional(),
  warnings: z.array(z.unknown()).optional(),
  data_type: z.number().optional(),
  min_convo_windows: z.number().int().nullish(),
};

/** A conversation-tagging bundle. */
export const ConversationTaggingBundleSchema = z.looseObject({
  ...bundleBase,
  type: z.literal("conversation_tagging"),
  input: bundleInput("conversation"),
});
/** A webpage-metadata bundle: `lines[0][1]` is JSON `{website_markdown, enrichment?}`. */
export const WebpageBundleSchema = z.looseObject({
  ...bundleBase,
  type: z.literal("webpage_metadata_generation"),
  input: bundleInput("webpage_markdown"),
});
/** A survey bundle: `lines[0][1]` is JSON `{survey_question, comment, possible_choices, selected_choices}`. */
export const SurveyBundleSchema = z.looseObject({
  ...bundleBase,
  type: z.literal("survey_tagging"),
  input: bundleInput("survey"),
});
/** A named-entities bundle: `lines[0][1]` is JSON `{transcript_text, enrichment?}`. */
export const NamedEntitiesBundleSchema = z.looseObject({
  ...bundleBase,
  type: z.literal("named_entities_extraction"),
  input: bundleInput("document"),
});

/** Any task bundle, discriminated on `type`. */
export const TaskBundleSchema = z.discriminatedUnion("type", [
  ConversationTaggingBundleSchema,
  WebpageBundleSchema,
  SurveyBundleSchema,
  NamedEntitiesBundleSchema,
]);
/** A task bundle as the store hands it out. */
export type TaskBundle = z.infer<typeof TaskBundleSchema>;

/** The first version's reserve reply: a plain conversation. */
export const LegacyConversationSchema = z.looseObject({
  guid: Guid,
  lines: z.array(LineSchema),
  participants: z.array(z.string()).optional(),
  total: z.number().int().optional(),
});
/** A first-version conversation. */
export type LegacyConversation = z.infer<typeof LegacyConversationSchema>;

/** The input data of one mining task (a window, a page plus enrichment, a survey answer). */
export const TaskInputDataSchema = z.looseObject({
  window_idx: z.number().int().optional(),
  window: z.array(LineSchema).nullish(),
  participants: z.array(z.string()).nullish(),
  prompt: z.string().nullish(),
  min_convo_windows: z.number().int().nullish(),
  survey_question: z.string().nullish(),
  comment: z.string().nullish(),
});

/** The input data of one mining task. */
export type TaskInputData = z.infer<typeof TaskInputDataSchema>;

/** One task as a miner receives it in `cgp_input[0].task` (guids masked to "HIDDEN"). */
export const TaskSchema = z.looseObject({
  mode: z.string().optional(),
  api_version: z.number().optional(),
  guid: Guid.nullish(),
  bundle_guid: Guid.nullish(),
  type: z.enum(TASK_TYPES),
  scoring_mechanism: z.string().nullish(),
  input: z.looseObject({
    guid: Guid.optional(),
    input_type: z.string(),
    data: TaskInputDataSchema,
    input_categories: z.array(z.string()).nullish(),
  }).nullish(),
  prompt_chain: z.array(PromptChainStepSchema).nullish(),
  example_output: ExampleOutputSchema.nullish(),
  timeout: z.number().positive().optional(),
});
/** A mining task. */
export type Task = z.infer<typeof TaskSchema>;

/** `cgp_input[0]` of today's validators. */
export const TaskInputItemSchema = z.object({ task: TaskSchema });
/** `cgp_input[0]` of the first version: one window of a conversation. */
export const LegacyWindowInputItemSchema = z.looseObject({
  guid: Guid,
  window_idx: z.number().int(),
  lines: z.array(LineSchema),
});

/** A miner's answer item, `cgp_output[0]`; `vectors` is ignored by validators. */
export const MinerOutputItemSchema = z.looseObject({
  tags: z.array(z.string()),
  vectors: z.unknown().optional(),
});
/** A miner's answer item. */
export type MinerOutputItem = z.infer<typeof MinerOutputItemSchema>;

/** Formats a zod error as one line naming each offending path. */
export function describeZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}
