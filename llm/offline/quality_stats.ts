/**
 * @module
 * A transcript-quality score from simple text statistics (pure): the offline provider's answer
 * to the conversation-quality prompt. Penalises filler words, inaudible markers, unknown
 * (likely mistranscribed) words, repeated turns, one-speaker monologues and very short
 * transcripts, and names the largest penalty as the primary reason.
 */
import type { QualityResult } from "../prompts/quality.ts";

const FILLERS = new Set(["um", "uh", "uhm", "erm", "hmm", "mm", "ah", "er"]);

/** Per-turn input: speaker index and text. */
export type Turn = [number, string];

/**
 * Scores `turns` from 1 (unusable) to 10 (clean).
 *
 * @param isKnownWord tells whether a lowercase word is a real word (e.g. in the GloVe vocab).
 * @example
 * ```ts
 * import { qualityFromStats } from "./quality_stats.ts";
 * qualityFromStats([[0, "um um uh"], [1, "uh um"]], () => true).primary_reason;
 * // "Filler Word Overload"
 * ```
 */
export function qualityFromStats(
  turns: Turn[],
  isKnownWord: (w: string) => boolean,
): QualityResult {
  const words: string[] = [];
  let inaudible = 0;
  for (const [, text] of turns) {
    inaudible += (text.match(/\[(inaudible|unintelligible|crosstalk|\?+)\]/gi) ?? []).length;
    words.push(...text.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter((w) => w !== ""));
  }
  const n = Math.max(1, words.length);
  const fillerRate = words.filter((w) => FILLERS.has(w)).length / n;
  // Single letters are not in the GloVe vocabulary; judge words of two letters or more.
  const alpha = words.filter((w) => w.length >= 2 && /^\p{L}+$/u.test(w));
  const unknownRate = alpha.length === 0
    ? 1
    : alpha.filter((w) => !isKnownWord(w)).length / alpha.length;
  const norm = turns.map(([, t]) => t.trim().toLowerCase()).filter((t) => t !== "");
  const repeatRate = norm.length === 0 ? 0 : 1 - new Set(norm).size / norm.length;
  const speakers = new Set(turns.map(([s]) => s)).size;
  const penalties: [string, number, string][] = [
    [
      "Filler Word Overload",
      Math.min(6, fillerRate * 30),
      `${Math.round(fillerRate * 100)}% of words are fillers`,
    ],
    [
      "Inaudible Section",
      Math.min(5, inaudible * 1.5),
      `${inaudible} inaudible or unintelligible marker(s)`,
    ],
    [
      "Transcription Errors",
      Math.min(6, Math.max(0, unknownRate - 0.05) * 20),
      `${Math.round(unknownRate * 100)}% of words are not recognised`,
    ],
    [
      "Crosstalk",
      Math.min(4, repeatRate * 10),
      `${Math.round(repeatRate * 100)}% of turns are repeats`,
    ],
    [
      "Speaker Misidentification",
      speakers < 2 && turns.length > 2 ? 2 : 0,
      `${speakers} distinct speaker(s) over ${turns.length} turns`,
    ],
    ["Transcription Errors", words.length < 20 ? 3 : 0, `only ${words.length} words`],
  ];
  const total = penalties.reduce((s, p) => s + p[1], 0);
  const score = Math.max(1, Math.min(10, Math.round(10 - total)));
  const worst = penalties.reduce((a, b) => (b[1] > a[1] ? b : a));
  return worst[1] < 1
    ? {
      quality_score: score,
      primary_reason: "Good Quality",
      reason_details: `${turns.length} turns, ${words.length} words, no notable problems`,
    }
    : { quality_score: score, primary_reason: worst[0], reason_details: worst[2] };
}
