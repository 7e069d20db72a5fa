/**
 * @module
 * Keyword, noun-phrase and named-entity extraction with wink-nlp and its English model
 * (`wink-eng-lite-web-model`): the offline provider's answer to tagging and entity prompts.
 * Noun phrases are maximal runs of adjectives, nouns and proper nouns ending in a noun; they
 * are ranked by how often their words occur, longer phrases first on ties.
 */
import winkNLP from "wink-nlp";
import model from "wink-eng-lite-web-model";

type Nlp = ReturnType<typeof winkNLP>;
let nlpInstance: Nlp | null = null;

/** The shared wink-nlp instance (loaded on first use, ~150 ms). */
export function nlp(): Nlp {
  nlpInstance ??= winkNLP(model, ["sbd", "pos", "ner", "negation"]);
  return nlpInstance;
}

interface Tok {
  text: string;
  pos: string;
  stop: boolean;
}

function tokens(text: string): Tok[] {
  const n = nlp();
  const doc = n.readDoc(text);
  const its = n.its;
  const normal = doc.tokens().out(its.normal) as string[];
  const pos = doc.tokens().out(its.pos) as string[];
  const stop = doc.tokens().out(its.stopWordFlag) as unknown as boolean[];
  return normal.map((t, i) => ({ text: t, pos: pos[i], stop: stop[i] }));
}

const PHRASE_POS = new Set(["ADJ", "NOUN", "PROPN"]);
const HEAD_POS = new Set(["NOUN", "PROPN"]);
const WORD_RE = /^[\p{L}][\p{L}\p{N}'\-]*$/u;
/** Conversational filler that the tagger should never propose. */
const NOISE = new Set([
  "thing",
  "things",
  "lot",
  "lots",
  "stuff",
  "way",
  "time",
  "day",
  "yeah",
  "yes",
  "okay",
  "ok",
  "um",
  "uh",
  "guy",
  "guys",
  "kind",
  "sort",
  "bit",
  "something",
  "anything",
  "everything",
  "nothing",
  "one",
  "ones",
]);

function usable(t: Tok): boolean {
  return WORD_RE.test(t.text) && t.text.length >= 2 && !t.stop && !NOISE.has(t.text);
}

/** Options of {@link extractKeywords}. */
export interface KeywordOptions {
  /** Most phrases to return. */
  max: number;
  /** Longest phrase in words (default 3). */
  maxWords?: number;
  /** Shortest phrase in words (default 1). */
  minWords?: number;
}

/**
 * Keywords and noun phrases of `text`, best first, lowercase, 3–64 characters.
 *
 * @example
 * ```ts ignore
 * import { extractKeywords } from "./keywords.ts";
 * extractKeywords("I had a healthy lunch with grilled chicken.", { max: 5 });
 * // ["healthy lunch", "grilled chicken", "lunch", "chicken"]
 * ```
 */
export function extractKeywords(text: string, opts: KeywordOptions): string[] {
  const maxWords = opts.maxWords ?? 3;
  const minWords = opts.minWords ?? 1;
  const toks = tokens(text);
  const wordFreq = new Map<string, number>();
  for (const t of toks) {
    if (HEAD_POS.has(t.pos) && usable(t)) {
      wordFreq.set(t.text, (wordFreq.get(t.text) ?? 0) + 1);
    }
  }
  const cand = new Map<string, { score: number; first: number; words: number }>();
  const add = (words: string[], at: number) => {
    if (words.length < minWords || words.length > maxWords) return;
    const phrase = words.join(" ");
    if (phrase.length < 3 || phrase.length > 64) return;
    const base = words.reduce((s, w) => s + (wordFreq.get(w) ?? 1), 0) / words.length;
    const c = cand.get(phrase);
    if (c) c.score += 1 + base;
    else {cand.set(phrase, {
        score: 1 + base + 0.5 * (words.length - 1),
        first: at,
        words: words.length,
      });}
  };
  let run: Tok[] = [];
  let runStart = 0;
  const flush = () => {
    while (run.length > 0 && !HEAD_POS.has(run[run.length - 1].pos)) run.pop();
    const words = run.filter(usable).map((t) => t.text);
    if (words.length > 0) {
      add(words.slice(-maxWords), runStart);
      for (const w of words) if (wordFreq.has(w)) add([w], runStart);
    }
    run = [];
  };
  toks.forEach((t, i) => {
    if (PHRASE_POS.has(t.pos) && usable(t)) {
      if (run.length === 0) runStart = i;
      run.push(t);
    } else flush();
  });
  flush();
  return [...cand.entries()]
    .sort((a, b) => b[1].score - a[1].score || b[1].words - a[1].words || a[1].first - b[1].first)
    .slice(0, opts.max)
    .map(([p]) => p);
}

/**
 * Named entities of `text`: runs of proper nouns (people, organisations, places, laws) and
 * wink's entities of type MONEY, in order of first appearance, deduplicated, at most `max`.
 */
export function extractEntities(text: string, max: number): string[] {
  const n = nlp();
  const doc = n.readDoc(text);
  const its = n.its;
  const out: string[] = [];
  const seen = new Set<string>();
  const push = (e: string) => {
    const k = e.toLowerCase().trim();
    if (k.length < 2 || k.length > 64 || seen.has(k)) return;
    seen.add(k);
    out.push(e.trim());
  };
  const raw = doc.tokens().out() as string[];
  const pos = doc.tokens().out(its.pos) as string[];
  const TITLES = /^(mr|mrs|ms|dr|prof|sir|senator|president|minister|judge|rep)\.?$/i;
  let run: string[] = [];
  const flush = () => {
    while (run.length > 0 && TITLES.test(run[0])) run.shift();
    if (run.length > 0) push(run.join(" "));
    run = [];
  };
  raw.forEach((t, i) => {
    if (pos[i] === "PROPN" && /^[\p{L}\p{N}]/u.test(t)) run.push(t);
    else if (run.length > 0 && /^(of|for|and)$/i.test(t) && pos[i + 1] === "PROPN") run.push(t);
    else flush();
  });
  flush();
  for (const e of doc.entities().out(its.detail) as unknown as { value: string; type: string }[]) {
    if (e.type === "MONEY") push(e.value);
  }
  return out.slice(0, max);
}
