/**
 * @module
 * Preparing one reserved bundle, per task type, as upstream's bundle `setup()` does: windows, the
 * conversation quality gate (before any money is spent on the ground truth), the ground-truth
 * tags and their embeddings, and how responses to its tasks are scored. A bundle that cannot be
 * prepared is a typed rejection with a reason, never an exception that ends the step.
 */
import {
  conversationWindows,
  enrichmentTexts,
  type IndexedWindow,
  type Line,
  NamedEntitiesPayloadSchema,
  parseBundlePayload,
  SurveyPayloadSchema,
  type TaskBundle,
  WebpagePayloadSchema,
} from "../tasks/mod.ts";
import type { ValidatorLlm } from "./llm_ops.ts";

/** Ground-truth tags and their vectors, in insertion order (plain data: crosses workers). */
export interface GroundTruthData {
  tags: string[];
  vectors: Array<[string, number[]]>;
}

/** A bundle ready to become tasks, with everything needed to score their answers. */
export interface PreparedTaskBundle {
  bundle: TaskBundle;
  /** The inputs its tasks carry: conversation windows, or one input repeated. */
  windows: IndexedWindow<Line>[];
  groundTruth: GroundTruthData;
  /** Penalty scoring, or none (named entities). */
  mechanism: "penalty" | "no_penalty";
  /** Responses with fewer tags score zero. */
  minTags: number;
  /** How miner tags are checked before scoring: LLM validation, or cleaning only (entities). */
  tagValidation: "llm" | "clean_only";
  /** The quality score, for conversation bundles. */
  quality?: number;
}

/** Either a prepared bundle or why it was dropped. */
export type SetupResult = { ok: true; prepared: PreparedTaskBundle } | {
  ok: false;
  reason: string;
};

/** Settings of bundle preparation (upstream constants by default). */
export interface SetupOptions {
  /** `CONVO_QUALITY_THRESHOLD` (5). */
  qualityThreshold?: number;
  /** `MAX_CONVO_LINES` (300). */
  maxConvoLines?: number;
  /** Skip the quality gate (tests, or operators with curated data). */
  skipQualityGate?: boolean;
  /** Randomness for enrichment sampling. */
  random?: () => number;
}

const MAX_DOCUMENT_CHARS = 1000;

function isCoding(bundle: TaskBundle): boolean {
  return (bundle.input.input_categories ?? []).includes("coding");
}

async function withVectors(llm: ValidatorLlm, tags: string[]): Promise<GroundTruthData> {
  const unique = [...new Set(tags)];
  const vectors = await llm.embed(unique);
  return {
    tags: unique,
    vectors: unique.filter((t) => vectors.has(t)).map((t) => [t, Array.from(vectors.get(t)!)]),
  };
}

/** Prepares one bundle; never throws for bad data or LLM failures (it rejects with a reason). */
export async function prepareBundle(
  bundle: TaskBundle,
  llm: ValidatorLlm,
  opts: SetupOptions = {},
): Promise<SetupResult> {
  try {
    return await prepare(bundle, llm, opts);
  } catch (e) {
    return { ok: false, reason: `${bundle.type} ${bundle.guid}: ${(e as Error).message}` };
  }
}

async function prepare(
  bundle: TaskBundle,
  llm: ValidatorLlm,
  opts: SetupOptions,
): Promise<SetupResult> {
  const random = opts.random ?? Math.random;
  const coding = isCoding(bundle);
  const lines = bundle.input.data.lines;
  const reject = (reason: string): SetupResult => ({
    ok: false,
    reason: `${bundle.type} ${bundle.guid}: ${reason}`,
  });
  switch (bundle.type) {
    case "conversation_tagging": {
      const trimmed = lines.slice(0, opts.maxConvoLines ?? 300);
      const minConvoWindows = bundle.input.data.min_convo_windows ?? bundle.min_convo_windows;
      const windows = conversationWindows(trimmed, { minConvoWindows });
      if (!windows.length) return reject(`too short: ${trimmed.length} lines give too few windows`);
      let quality: number | undefined;
      if (!opts.skipQualityGate) {
        const q = await llm.qualityScore(trimmed);
        if (q === null) return reject("quality check gave no answer");
        const threshold = opts.qualityThreshold ?? 5;
        if (q < threshold) return reject(`quality ${q} below threshold ${threshold}`);
        quality = q;
      }
      const tags = await llm.conversationTags(trimmed, { coding });
      if (!tags.length) return reject("no ground-truth tags");
      return {
        ok: true,
        prepared: {
          bundle,
          windows,
          groundTruth: await withVectors(llm, tags),
          mechanism: "penalty",
          minTags: 3,
          tagValidation: "llm",
          quality,
        },
      };
    }
    case "webpage_metadata_generation": {
      const page = parseBundlePayload(lines, WebpagePayloadSchema, "webpage bundle");
      const markdown = page.website_markdown.slice(0, MAX_DOCUMENT_CHARS);
      const snippets = enrichmentTexts(page.enrichment, random);
      const lists = [await llm.websiteTags(markdown, { coding })];
      for (const s of snippets) lists.push(await llm.enrichmentTags(s, { coding }));
      const tags = lists.length > 1 ? await llm.combineTags(lists) : lists[0];
      if (!tags.length) return reject("no ground-truth tags");
      const input: Line[] = [[0, page.website_markdown], ...snippets.map((s): Line => [0, s])];
      return {
        ok: true,
        prepared: {
          bundle,
          windows: [{ index: 0, lines: input }],
          groundTruth: await withVectors(llm, tags),
          mechanism: "penalty",
          minTags: 3,
          tagValidation: "llm",
        },
      };
    }
    case "survey_tagging": {
      const survey = parseBundlePayload(lines, SurveyPayloadSchema, "survey bundle");
      const tags = (survey.selected_choices ?? []).filter((t) => t.trim());
      if (!tags.length) return reject("survey has no selected choices");
      return {
        ok: true,
        prepared: {
          bundle,
          windows: [{ index: 0, lines: [[0, survey.survey_question], [1, survey.comment]] }],
          groundTruth: await withVectors(llm, tags),
          mechanism: "penalty",
          minTags: 1,
          tagValidation: "llm",
        },
      };
    }
    case "named_entities_extraction": {
      const doc = parseBundlePayload(lines, NamedEntitiesPayloadSchema, "named-entities bundle");
      const text = doc.transcript_text.slice(0, MAX_DOCUMENT_CHARS);
      const snippets = enrichmentTexts(doc.enrichment, random);
      const lists = [await llm.transcriptEntities(text)];
      for (const s of snippets) lists.push(await llm.enrichmentEntities(s));
      const tags = lists.length > 1 ? await llm.combineEntities(lists) : lists[0];
      if (!tags.length) return reject("no ground-truth entities");
      const input: Line[] = [[0, text], ...snippets.map((s): Line => [0, s])];
      return {
        ok: true,
        prepared: {
          bundle,
          windows: [{ index: 0, lines: input }],
          groundTruth: await withVectors(llm, tags),
          mechanism: "no_penalty",
          minTags: 1,
          tagValidation: "clean_only",
        },
      };
    }
  }
}
