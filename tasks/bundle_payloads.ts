/**
 * @module
 * The JSON documents that non-conversation bundles carry in `input.data.lines[0][1]`, parsed
 * with a clear error when a store sends something else (upstream's local API sends raw markdown
 * for its webpage example, which aborted validators; here it is one rejected bundle).
 */
import { z } from "zod";
import { describeZodError } from "./schemas.ts";

/** Search results used to enrich a page or a document. */
export const EnrichmentSchema = z.looseObject({
  search_results: z.record(
    z.string(),
    z.array(z.looseObject({ title: z.string().nullish(), snippet: z.string().nullish() })),
  ).optional(),
});
/** Enrichment search results. */
export type Enrichment = z.infer<typeof EnrichmentSchema>;

/** `webpage_metadata_generation` payload. */
export const WebpagePayloadSchema = z.looseObject({
  website_markdown: z.string(),
  enrichment: EnrichmentSchema.nullish(),
});
/** `survey_tagging` payload. */
export const SurveyPayloadSchema = z.looseObject({
  survey_question: z.string(),
  comment: z.string(),
  possible_choices: z.array(z.string()).nullish(),
  selected_choices: z.array(z.string()).nullish(),
});
/** `named_entities_extraction` payload. */
export const NamedEntitiesPayloadSchema = z.looseObject({
  transcript_text: z.string(),
  enrichment: EnrichmentSchema.nullish(),
});

/** A bundle whose payload could not be used; the message names what was wrong. */
export class BundlePayloadError extends Error {
  override name = "BundlePayloadError";
}

/** Parses `lines[0][1]` of a bundle as JSON against `schema`. */
export function parseBundlePayload<S extends z.ZodType>(
  lines: ReadonlyArray<readonly [number, string]>,
  schema: S,
  what: string,
): z.infer<S> {
  if (!lines.length) throw new BundlePayloadError(`${what}: input.data.lines is empty`);
  let raw: unknown;
  try {
    raw = JSON.parse(lines[0][1]);
  } catch {
    throw new BundlePayloadError(`${what}: input.data.lines[0][1] is not JSON`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new BundlePayloadError(`${what}: ${describeZodError(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * Enrichment lines as upstream builds them: for each query, a random 1–3 of its results, each
 * `"title\nsnippet"` cut to 1000 characters.
 */
export function enrichmentTexts(
  enrichment: Enrichment | null | undefined,
  random: () => number,
): string[] {
  const out: string[] = [];
  for (const results of Object.values(enrichment?.search_results ?? {})) {
    if (!results.length) continue;
    const k = Math.min(results.length, 1 + Math.floor(random() * 3));
    for (const r of sample(results, k, random)) {
      out.push(`${r.title ?? ""}\n${r.snippet ?? ""}`.slice(0, 1000));
    }
  }
  return out;
}

/** `k` distinct items drawn at random (partial Fisher–Yates), in draw order. */
export function sample<T>(items: readonly T[], k: number, random: () => number): T[] {
  const pool = items.slice();
  const n = Math.min(k, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, n);
}
