import assert from "node:assert/strict";
import { updateScores } from "../../scoring/ema.ts";
import { F32, numpySum } from "../../scoring/float32_sum.ts";
import { assertClose, loadVectors, nums } from "./vectors.ts";

interface Arr {
  dtype: string;
  values: unknown[];
}
interface Seq {
  id: string;
  n: number;
  alpha: number;
  nonlinear_power: number;
  initial_ema_scores: unknown[] | null;
  initial_scores: unknown[] | null;
  steps: { uids: number[]; rewards: unknown[] }[];
  results: {
    returned_scores: Arr;
    returned_ema_scores: Arr;
    accepted: boolean;
    scores: Arr;
    ema_scores: Arr;
  }[];
}
const V = loadVectors<{ sequences: Seq[] }>("ema.json");

function checkArr(got: Float32Array | Float64Array, exp: Arr, exact: boolean, what: string) {
  assert.equal(got instanceof Float32Array ? "float32" : "float64", exp.dtype, `${what} dtype`);
  const e = nums(exp.values);
  assert.equal(got.length, e.length);
  e.forEach((x, i) => {
    if (exact && !Number.isNaN(x)) assert.equal(got[i], x, `${what}[${i}]`);
    else assertClose(got[i], x, 5e-6, 1e-12, `${what}[${i}]`);
  });
}

Deno.test("ema.json: every sequence, EMA bit-exact (S8 within tolerance), scores within 5e-6", async (t) => {
  for (const s of V.sequences) {
    await t.step(s.id, () => {
      let ema: Float32Array = s.initial_ema_scores
        ? Float32Array.from(nums(s.initial_ema_scores))
        : new Float32Array(s.n);
      let scores: Float32Array | Float64Array = s.initial_scores
        ? Float32Array.from(nums(s.initial_scores))
        : new Float32Array(s.n);
      s.steps.forEach((step, k) => {
        const r = updateScores({
          ema,
          scores,
          uids: step.uids,
          rewards: nums(step.rewards),
          alpha: s.alpha,
          power: s.nonlinear_power,
          n: s.n,
        });
        const e = s.results[k];
        const exact = !s.id.startsWith("S8");
        assert.equal(r.accepted, e.accepted, `step ${k} accepted`);
        checkArr(r.computed.ema, e.returned_ema_scores, exact, `step ${k} returned ema`);
        checkArr(r.computed.scores, e.returned_scores, false, `step ${k} returned scores`);
        checkArr(r.ema, e.ema_scores, exact, `step ${k} ema`);
        checkArr(r.scores, e.scores, false, `step ${k} scores`);
        ema = r.ema;
        scores = r.scores;
      });
    });
  }
});

Deno.test("numpy pairwise float32 sum differs from a naive loop and matches the blocked order", () => {
  const xs = Float32Array.from({ length: 300 }, (_, i) => F32(1 / (i + 3)));
  let naive = 0;
  for (const x of xs) naive = F32(naive + x);
  const pw = numpySum(xs, F32);
  assert.equal(pw, F32(pw));
  assert.ok(Math.abs(pw - naive) < 1e-5);
  // < 8 elements: plain left-to-right from 0.
  assert.equal(
    numpySum(new Float32Array([0.1, 0.2, 0.3]), F32),
    F32(F32(F32(0.1) + F32(0.2)) + F32(0.3)),
  );
});

Deno.test("updateScores: dampening, bad scatter, broadcast, rejection keeps old state", () => {
  const ema = Float32Array.from([0.5, 0.5, 0, 0]);
  const r = updateScores({ ema, uids: [0, 2], rewards: [0, 0.4] });
  assert.equal(r.ema[0], F32(F32(0.95) * F32(0.5)));
  assert.equal(r.ema[2], F32(F32(0.1) * F32(0.4)));
  assert.equal(r.ema[1], F32(F32(F32(0.1) * F32(0.5)) + F32(F32(0.9) * F32(0.5))));
  const bad = updateScores({ ema, uids: [0, 9], rewards: [1, 1] });
  const none = updateScores({ ema, uids: [], rewards: [] });
  assert.deepEqual(bad.ema, none.ema);
  const b = updateScores({ ema: new Float32Array(3), uids: [0, 1, 2], rewards: [0.3] });
  assert.equal(b.ema[0], b.ema[2]);
  assert.ok(b.ema[0] > 0);
  const prev = Float32Array.from([0.25, 0.25, 0.25, 0.25]);
  // An infinite EMA is accepted (upstream checks NaN only); +inf meeting -inf gives NaN: rejected.
  const inf = updateScores({
    ema: Float32Array.from([1, 1, 1, 1]),
    scores: prev,
    uids: [0],
    rewards: [Infinity],
  });
  assert.equal(inf.accepted, true);
  assert.equal(inf.ema[0], Infinity);
  const nan = updateScores({ ema: inf.ema, scores: prev, uids: [0], rewards: [-Infinity] });
  assert.equal(nan.accepted, false);
  assert.deepEqual(nan.scores, prev);
  const zero = updateScores({ ema: new Float32Array(4), uids: [0], rewards: [0] });
  assert.ok(zero.scores instanceof Float64Array);
  assert.equal(zero.scores[0], 0.25);
});
