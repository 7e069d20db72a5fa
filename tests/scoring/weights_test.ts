import assert from "node:assert/strict";
import { rawWeights, transposedCubic } from "../../scoring/rank_weights.ts";
import {
  convertWeightsAndUidsForEmit,
  normalizeMaxWeight,
  processWeightsForNetuid,
  roundHalfEven,
  WeightConversionError,
} from "../../scoring/weight_utils.ts";
import { computeWeights } from "../../scoring/weights_pipeline.ts";
import { assertClose, loadVectors, nums, seededRandom } from "./vectors.ts";

interface Arr {
  dtype: string;
  values: unknown[];
}
interface PipelineCase {
  id: string;
  n: number;
  scores: unknown[];
  burn_uid: number | null;
  burn_rate: number;
  hyperparameters: {
    min_allowed_weights: number;
    max_weight_limit: number;
    exclude_quantile: number;
  };
  tie_groups: number[][];
  depends_on_random: boolean;
  expected: {
    raw_weights: number[] | null;
    processed_uids: number[] | null;
    processed_weights: Arr | null;
    emit_uids: number[] | null;
    emit_weights: number[] | null;
    diagnostic_near_half_uids?: number[];
    set_weights_called: boolean;
  };
}
interface WeightsFile {
  pipeline: PipelineCase[];
  get_raw_weights: {
    id: string;
    scores: number[];
    burn_uid: number | null;
    burn_rate: number;
    raw_weights: number[] | null;
  }[];
  transposed_cubic_distribution: { num_uids: number; values: number[] }[];
  normalize_max_weight: { id: string; x: number[]; x_dtype: string; limit: number; output: Arr }[];
  process_weights: {
    id: string;
    weights: number[];
    weights_dtype: string;
    num_neurons: number;
    min_allowed_weights: number;
    max_weight_limit: number;
    exclude_quantile: number;
    output_uids: number[];
    output_weights: Arr;
  }[];
  convert_weights_and_uids_for_emit: {
    id: string;
    uids: number[];
    weights: number[];
    output_uids: number[] | null;
    output_weights: number[] | null;
    raises: string | null;
  }[];
}
const V = loadVectors<WeightsFile>("weights.json");

const dtypeOf = (
  a: Float32Array | Float64Array,
) => (a instanceof Float32Array ? "float32" : "float64");
function exactArr(got: Float32Array | Float64Array, exp: Arr, what: string) {
  assert.equal(dtypeOf(got), exp.dtype, `${what} dtype`);
  assert.deepEqual(Array.from(got), nums(exp.values), what);
}

Deno.test("transposed_cubic_distribution (rel 1e-15)", () => {
  for (const c of V.transposed_cubic_distribution) {
    c.values.forEach((v, i) =>
      assertClose(transposedCubic(i, c.num_uids), v, 1e-15, 0, `${c.num_uids}/${i}`)
    );
  }
});

Deno.test("get_raw_weights (rel 1e-12)", async (t) => {
  for (const c of V.get_raw_weights) {
    await t.step(c.id, () => {
      const raw = rawWeights(Float32Array.from(c.scores), c.burn_uid, c.burn_rate, seededRandom(1));
      if (c.raw_weights === null) return assert.equal(raw, null);
      assert.ok(raw);
      c.raw_weights.forEach((v, i) => assertClose(raw[i], v, 1e-12, 1e-15, `raw[${i}]`));
    });
  }
});

Deno.test("normalize_max_weight: bit-exact float32", async (t) => {
  for (const c of V.normalize_max_weight) {
    await t.step(
      c.id,
      () => exactArr(normalizeMaxWeight(Float32Array.from(c.x), c.limit), c.output, c.id),
    );
  }
});

Deno.test("process_weights: bit-exact (numpy 2.4 quantile, as the vectors)", async (t) => {
  for (const c of V.process_weights) {
    await t.step(c.id, () => {
      for (const mode of ["2.4", "2.0"] as const) {
        const out = processWeightsForNetuid({
          uids: c.weights.map((_, i) => i),
          weights: c.weights_dtype === "float32"
            ? Float32Array.from(c.weights)
            : Float64Array.from(c.weights),
          n: c.num_neurons,
          minAllowedWeights: c.min_allowed_weights,
          maxWeightLimit: c.max_weight_limit,
          excludeQuantile: c.exclude_quantile,
          numpyQuantile: mode,
        });
        assert.deepEqual(out.uids, c.output_uids, `${mode} uids`);
        exactArr(out.weights, c.output_weights, `${c.id} ${mode}`);
      }
    });
  }
});

Deno.test("convert_weights_and_uids_for_emit: exact, ValueError cases typed", async (t) => {
  for (const c of V.convert_weights_and_uids_for_emit) {
    await t.step(c.id, () => {
      if (c.raises) {
        assert.throws(() => convertWeightsAndUidsForEmit(c.uids, c.weights), WeightConversionError);
        return;
      }
      const out = convertWeightsAndUidsForEmit(c.uids, c.weights);
      assert.deepEqual(out.uids, c.output_uids);
      assert.deepEqual(out.weights, c.output_weights);
    });
  }
  assert.deepEqual([0.5, 1.5, 2.5, 3.5, 4.5, 2.4999999999999996, -0.5].map(roundHalfEven), [
    0,
    2,
    2,
    4,
    4,
    2,
    0,
  ]);
  assert.throws(() => convertWeightsAndUidsForEmit([], []), WeightConversionError);
  assert.throws(() => convertWeightsAndUidsForEmit([0, 1], [NaN, 1]), WeightConversionError);
});

/** Values of `xs` at the uids of a tie group, sorted: ties are compared as multisets. */
function groupValues(uids: number[], values: number[], group: number[]): number[] {
  const m = new Map(uids.map((u, i) => [u, values[i]]));
  return group.map((u) => m.get(u) ?? 0).sort((a, b) => a - b);
}

Deno.test("weights.json pipeline: raw, processed and emitted (ties as multisets)", async (t) => {
  for (const c of V.pipeline) {
    await t.step(c.id, () => {
      for (const seed of [1, 2, 3]) {
        const r = computeWeights({
          scores: Float32Array.from(nums(c.scores)),
          burnUid: c.burn_uid,
          burnRate: c.burn_rate,
          hyperparameters: {
            minAllowedWeights: c.hyperparameters.min_allowed_weights,
            maxWeightLimit: c.hyperparameters.max_weight_limit,
          },
          n: c.n,
          random: seededRandom(seed),
        });
        const e = c.expected;
        assert.equal(r.ok, e.set_weights_called);
        if (!r.ok) continue;
        const tied = new Set(c.tie_groups.flat());
        const all = Array.from({ length: c.n }, (_, i) => i);
        const procW = Array.from(r.processed.weights);
        const expProcW = nums(e.processed_weights!.values);
        assert.equal(dtypeOf(r.processed.weights), e.processed_weights!.dtype);
        assert.deepEqual(r.processed.uids, e.processed_uids);
        for (let u = 0; u < c.n; u++) {
          if (tied.has(u)) continue;
          assertClose(r.raw[u], e.raw_weights![u], 1e-12, 1e-15, `raw[${u}]`);
        }
        r.processed.uids.forEach((u, i) => {
          if (!tied.has(u)) assert.equal(procW[i], expProcW[i], `processed[${u}]`);
        });
        const emitMap = new Map(r.emit.uids.map((u, i) => [u, r.emit.weights[i]]));
        const expEmit = new Map(e.emit_uids!.map((u, i) => [u, e.emit_weights![i]]));
        for (const u of all) {
          if (!tied.has(u)) assert.equal(emitMap.get(u), expEmit.get(u), `emit[${u}]`);
        }
        for (const g of c.tie_groups) {
          assert.deepEqual(
            groupValues(all, Array.from(r.raw), g),
            groupValues(all, e.raw_weights!, g),
          );
          assert.deepEqual(
            groupValues(r.processed.uids, procW, g),
            groupValues(e.processed_uids!, expProcW, g),
          );
          assert.deepEqual(
            groupValues(r.emit.uids, r.emit.weights, g),
            groupValues(e.emit_uids!, e.emit_weights!, g),
          );
        }
        if (!c.depends_on_random) {
          assert.deepEqual(r.emit.uids, e.emit_uids);
          assert.deepEqual(r.emit.weights, e.emit_weights);
        }
      }
    });
  }
});

Deno.test("ties are broken by the injected random source", () => {
  const scores = [0, 0.2, 0.2, 0.2, 0.2];
  const orders = new Set<string>();
  for (let s = 1; s < 20; s++) {
    const raw = rawWeights(scores, 0, 0.9, seededRandom(s))!;
    orders.add(Array.from(raw.slice(1)).join(","));
  }
  assert.ok(orders.size > 1);
});
