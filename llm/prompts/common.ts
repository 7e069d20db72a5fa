/**
 * @module
 * Shared pieces of the prompt templates: the {@link RenderedPrompt} type, the stable id marker
 * every prompt carries (so the offline provider and the fake server can tell prompts apart), the
 * empty-input check, and the XML rendering of conversations.
 */
import { z } from "zod";
import type { CallKind } from "../provider.ts";

/** Ids of the prompts subnet 33 uses. */
export const PROMPT_IDS = [
  "conversation_tagging",
  "conversation_tagging_coding",
  "webpage_tagging",
  "webpage_tagging_coding",
  "enrichment_tagging",
  "enrichment_tagging_coding",
  "survey_tagging",
  "transcript_entities",
  "webpage_entities",
  "enrichment_entities",
  "combine_tags",
  "tag_validation",
  "conversation_quality",
] as const;

/** One of {@link PROMPT_IDS}. */
export type PromptId = typeof PROMPT_IDS[number];

/** A rendered prompt, ready for `provider.chat`. */
export interface RenderedPrompt {
  /** Which template produced it. */
  id: PromptId;
  /** Accounting bucket for the call. */
  kind: CallKind;
  /** Whether the reply must be a JSON object. */
  json: boolean;
  /** The full prompt text. */
  text: string;
}

/** A conversation line as the API sends it: `[speaker_index, text]`. */
export const ConversationLineSchema = z.tuple([z.number().int().min(0), z.string()]);

/** One conversation line. */
export type ConversationLine = z.infer<typeof ConversationLineSchema>;

/** Thrown when a template gets empty or invalid input (as upstream's prompt manager does). */
export class PromptInputError extends Error {
  /** The template and the input that was wrong. */
  readonly prompt: PromptId;
  readonly field: string;
  constructor(prompt: PromptId, field: string, message: string) {
    super(`prompt ${prompt}: ${field} ${message}`);
    this.name = "PromptInputError";
    this.prompt = prompt;
    this.field = field;
  }
}

const MARKER_RE = /\[cgp-prompt: ([a-z_]+)\]\s*$/;

/** The marker line that ends every prompt. */
export function promptMarker(id: PromptId): string {
  return `[cgp-prompt: ${id}]`;
}

/** The id of a prompt rendered by this module, from its marker; `null` for any other text. */
export function detectPromptId(text: string): PromptId | null {
  const m = MARKER_RE.exec(text);
  if (!m) return null;
  return (PROMPT_IDS as readonly string[]).includes(m[1]) ? m[1] as PromptId : null;
}

/** Returns `value` trimmed, or throws {@link PromptInputError} when it is missing or blank. */
export function requireText(id: PromptId, field: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new PromptInputError(id, field, `must be a string (got ${typeof value})`);
  }
  const t = value.trim();
  if (t === "") throw new PromptInputError(id, field, "must not be empty");
  return t;
}

/** Returns the non-blank strings of `values`, or throws when none is left. */
export function requireList(id: PromptId, field: string, values: unknown): string[] {
  if (!Array.isArray(values)) throw new PromptInputError(id, field, "must be an array");
  const out = values.filter((v): v is string => typeof v === "string")
    .map((v) => v.trim()).filter((v) => v !== "");
  if (out.length === 0) throw new PromptInputError(id, field, "must contain at least one item");
  return out;
}

/** Assembles a prompt: instruction paragraphs, the data block, and the marker line. */
export function assemble(
  id: PromptId,
  kind: CallKind,
  json: boolean,
  instructions: string[],
  data: string,
): RenderedPrompt {
  const text = `${instructions.join("\n")}\n\n${data}\n\n${promptMarker(id)}`;
  return { id, kind, json, text };
}

/**
 * Renders conversation lines as upstream's XML:
 * `<conversation id='ID'><p0>text</p0><p1>text</p1>...</conversation>`. Lines that are not a
 * `[speaker, text]` pair are skipped (as upstream does); text is kept as is.
 *
 * @throws PromptInputError when no usable line remains.
 */
export function conversationXml(
  id: PromptId,
  lines: readonly unknown[],
  conversationId = "1",
): string {
  if (!Array.isArray(lines)) throw new PromptInputError(id, "lines", "must be an array");
  const parts: string[] = [];
  for (const line of lines) {
    const ok = ConversationLineSchema.safeParse(line);
    if (!ok.success || ok.data[1].trim() === "") continue;
    const [speaker, text] = ok.data;
    parts.push(`<p${speaker}>${text}</p${speaker}>`);
  }
  if (parts.length === 0) {
    throw new PromptInputError(id, "lines", "must contain at least one [speaker, text] line");
  }
  const safeId = String(conversationId).replace(/'/g, "");
  return `<conversation id='${safeId}'>${parts.join("")}</conversation>`;
}
