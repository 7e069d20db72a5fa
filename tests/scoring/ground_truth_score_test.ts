import assert from "node:assert/strict";
import {
  cosineScore,
  scoreResponses,
  ScoringInputError,
  type Vector,
} from "../../scoring/ground_truth_score.ts";
import { PENALTIES, SCORING_FACTORS } from "../../scoring/penalties.ts";
import { assertClose, close, loadVectors, num, nums } from "./vectors.ts";

type RawVec = { vectors: unknown[] };
interface Case {
  id: string;
  mechanism: string;
  min_tags: number;
  ground_truth: { tags: string[]; vectors: Record<string, RawVec> };
  responses: {
    cgp_output: null | { tags: string[] | null; vectors?: Record<string, RawVec> | null }[];
  }[];
  scored_subset_depends_on_set_order: boolean;
  result_depends_on_set_order: boolean;
  expected: {
    raises: string | null;
    neighborhood: unknown[] | null;
    rank_scores: unknown[] | null;
    results: {
      index: number;
      zero_entry: boolean;
      final_score_entry: { adjustedScore: unknown; final_miner_score: unknown };
      distinct_tag_count?: number;
      scored_tag_count?: number;
      scored_tags?: string[];
      per_tag?: { tag: string; score: unknown; unique: boolean }[];
      scores_unique?: unknown[];
      num_both?: number;
      num_unique?: number;
      total_tag_count?: number;
      stats?: Record<string, unknown>;
      adjusted_score?: unknown;
      final_miner_score?: unknown;
      penalties?: string[];
    }[] | null;
  };
}
interface ScoringFile {
  penalties: unknown;
  scoring_factors: unknown;
  cases: Case[];
}

const V = loadVectors<ScoringFile>("scoring.json");
const REL = 1e-9, ABS = 1e-12;

function toMap(v: Record<string, RawVec>): Map<string, Vector> {
  return new Map(Object.entries(v).map(([k, x]) => [k, nums(x.vectors)]));
}

/**
 * Runs one vectors case. The miner vectors in the file stand in for the validator's own
 * embeddings lookup; a response without a `vectors` dict makes the lookup throw, which is what
 * upstream's KeyError/TypeError path does (zero entry).
 */
function run(c: Case, useRecordedOrder: boolean) {
  const lookups = c.responses.map((r) => {
    const first = r.cgp_output?.[0];
    if (!first || first.vectors === undefined || first.vectors === null) return null;
    return toMap(first.vectors);
  });
  const expectedResults = c.expected.results ?? [];
  return scoreResponses({
    groundTruth: { tags: c.ground_truth.tags, vectors: toMap(c.ground_truth.vectors) },
    responses: c.responses.map((
      r,
    ) => (r.cgp_output && r.cgp_output.length ? { tags: r.cgp_output[0].tags } : null)),
    minTags: c.min_tags,
    mechanism: c.mechanism === "NoPenaltyGroundTruthTagSimilarityScoringMechanism"
      ? "no_penalty"
      : "penalty",
    maxScoredTags: 21,
    zeroVector: "nan",
    embeddings: (tag, i) => {
      const m = lookups[i];
      if (!m) throw new Error("no vectors for this response");
      return m.get(tag);
    },
    iterationOrder: useRecordedOrder
      ? (distinct, i) => {
        const rec = expectedResults[i]?.scored_tags ?? [];
        return [...rec, ...distinct.filter((t) => !rec.includes(t))];
      }
      : undefined,
  });
}

Deno.test("constants match the vectors", () => {
  assert.deepEqual(PENALTIES, V.penalties);
  assert.deepEqual(SCORING_FACTORS, V.scoring_factors);
});

Deno.test("scoring.json: every case (maxScoredTags 21, recorded set order)", async (t) => {
  for (const c of V.cases) {
    await t.step(c.id, () => {
      if (c.expected.raises) {
        assert.throws(() => run(c, true), ScoringInputError);
        return;
      }
      const out = run(c, true);
      const e = c.expected;
      if (e.neighborhood === null) assert.equal(out.neighborhood, null);
      else {
        const nb = nums(e.neighborhood);
        assert.equal(out.neighborhood!.length, nb.length);
        nb.forEach((x, j) => assertClose(out.neighborhood![j], x, REL, ABS, `nb[${j}]`));
      }
      const rank = nums(e.rank_scores!);
      assert.equal(out.rankScores.length, rank.length);
      rank.forEach((x, i) => assertClose(out.rankScores[i], x, REL, ABS, `rank[${i}]`));
      for (const er of e.results!) {
        const r = out.results[er.index];
        assert.equal(r.zeroEntry, er.zero_entry, `zero_entry ${er.index}`);
        assertClose(
          r.adjustedScore,
          num(er.final_score_entry.adjustedScore),
          REL,
          ABS,
          "adjustedScore",
        );
        assertClose(r.finalScore, num(er.final_score_entry.final_miner_score), REL, ABS, "final");
        if (er.zero_entry) continue;
        assert.equal(r.distinctTagCount, er.distinct_tag_count);
        assert.equal(r.scoredTags!.length, er.scored_tag_count);
        assert.deepEqual(r.scoredTags, er.scored_tags);
        assert.equal(r.numBoth, er.num_both);
        assert.equal(r.numUnique, er.num_unique);
        assert.equal(r.totalTagCount, er.total_tag_count);
        er.per_tag!.forEach((p, k) => {
          assert.equal(r.perTag![k].tag, p.tag);
          assert.equal(r.perTag![k].unique, p.unique);
          assertClose(r.perTag![k].score, num(p.score), REL, ABS, `per_tag ${p.tag}`);
        });
        assert.equal(r.uniqueScores!.length, er.scores_unique!.length);
        nums(er.scores_unique!).forEach((x, k) =>
          assertClose(r.uniqueScores![k], x, REL, ABS, "unique")
        );
        const s = er.stats!;
        assertClose(r.stats!.top3Mean, num(s.top_3_mean), REL, ABS, "top3");
        assertClose(r.stats!.median, num(s.median), REL, ABS, "median");
        assertClose(r.stats!.mean, num(s.mean), REL, ABS, "mean");
        assertClose(r.stats!.max, num(s.max), REL, ABS, "max");
        assertClose(r.stats!.min, num(s.min), REL, ABS, "min");
        assertClose(r.adjustedScore, num(er.adjusted_score), REL, ABS, "adjusted");
        assertClose(r.finalScore, num(er.final_miner_score), REL, ABS, "final2");
        assert.deepEqual(r.penalties, er.penalties);
      }
    });
  }
});

Deno.test("scoring.json: without the order hook, order-independent cases still match", async (t) => {
  for (const c of V.cases) {
    if (c.expected.raises) continue;
    await t.step(c.id, () => {
      const out = run(c, false);
      c.expected.results!.forEach((er) => {
        const r = out.results[er.index];
        assert.equal(r.zeroEntry, er.zero_entry);
        if (er.zero_entry) return;
        // Counts and penalties never depend on the order (P38, P39 and N15 share them).
        assert.equal(r.numBoth, er.num_both);
        assert.equal(r.numUnique, er.num_unique);
        assert.equal(r.scoredTags!.length, er.scored_tag_count);
        if (!c.scored_subset_depends_on_set_order) {
          assert.deepEqual([...r.scoredTags!].sort(), [...er.scored_tags!].sort());
        }
        if (!c.result_depends_on_set_order) {
          assertClose(r.finalScore, num(er.final_miner_score), REL, ABS, "final");
          assert.deepEqual(r.penalties, er.penalties);
        }
      });
    });
  }
});

Deno.test("default maxScoredTags is 20 (upstream's off-by-one scores 21)", () => {
  const c = V.cases.find((x) => x.id === "P36_21_tags_all_scored")!;
  const tags = c.responses[0].cgp_output![0].tags!;
  const vecs = toMap(c.responses[0].cgp_output![0].vectors!);
  const base = {
    groundTruth: { tags: c.ground_truth.tags, vectors: toMap(c.ground_truth.vectors) },
    responses: [{ tags }],
    embeddings: (t: string) => vecs.get(t),
  };
  assert.equal(scoreResponses(base).results[0].scoredTags!.length, 20);
  assert.equal(scoreResponses({ ...base, maxScoredTags: 21 }).results[0].scoredTags!.length, 21);
});

Deno.test("zero vectors: 0 by default, NaN (upstream list behaviour) on request", () => {
  for (const id of ["P21_zero_vector_unique", "P22_zero_vector_common", "N07_zero_vector"]) {
    const c = V.cases.find((x) => x.id === id)!;
    const r0 = c.responses[0].cgp_output![0];
    const vecs = toMap(r0.vectors!);
    const input = {
      groundTruth: { tags: c.ground_truth.tags, vectors: toMap(c.ground_truth.vectors) },
      responses: [{ tags: r0.tags }],
      minTags: c.min_tags,
      mechanism: c.mechanism.startsWith("NoPenalty") ? "no_penalty" as const : "penalty" as const,
      embeddings: (t: string) => vecs.get(t),
    };
    const fixed = scoreResponses(input).results[0];
    const upstream = scoreResponses({ ...input, zeroVector: "nan" }).results[0];
    const zeroTags = [...vecs].filter(([, v]) => Array.from(v).every((x) => x === 0)).map(([t]) =>
      t
    );
    assert.ok(zeroTags.length > 0, id);
    for (const p of fixed.perTag!) if (zeroTags.includes(p.tag)) assert.equal(p.score, 0);
    for (const p of upstream.perTag!) {
      if (zeroTags.includes(p.tag)) assert.ok(Number.isNaN(p.score));
    }
    assertClose(upstream.finalScore, num(c.expected.results![0].final_miner_score), REL, ABS, id);
    // NaN poisons mean/median/max upstream; with the fix they reflect the other tags.
    assert.equal(upstream.stats!.mean, 0);
    assert.ok(fixed.stats!.mean !== 0, id);
  }
});

Deno.test("embeddings come from the validator lookup; zero entries keep alignment", () => {
  const gt = {
    tags: ["travel", "music"],
    vectors: new Map([["travel", [1, 0]], ["music", [0.6, 0.8]]]),
  };
  const calls: string[] = [];
  const out = scoreResponses({
    groundTruth: gt,
    responses: [null, { tags: ["travel", "music", "food"] }, { tags: ["a"] }, { tags: null }],
    embeddings: (tag) => {
      calls.push(tag);
      return tag === "food" ? undefined : gt.vectors.get(tag);
    },
  });
  assert.deepEqual(calls, ["travel", "music", "food"]);
  assert.deepEqual(out.results.map((r) => r.zeroReason ?? "scored"), [
    "no_output",
    "scored",
    "too_few_tags",
    "invalid_tags",
  ]);
  assert.equal(out.rankScores.length, 4);
  assert.equal(out.rankScores[0], 0);
  assert.ok(out.rankScores[1] > 0);
  assert.equal(out.results[1].perTag![2].score, 0);
  assert.ok(close(cosineScore([1, 0], [2, 0]), 1, 0, 1e-15));
  assert.ok(Number.isNaN(cosineScore([1, 0], [0, 0])));
  assert.equal(cosineScore(null, [1]), 0);
  assert.equal(cosineScore([1, 0], [1]), 0);
  assert.equal(cosineScore([1, 0], new Float32Array([1, 0])), 1);
});
