/**
 * Live parity of scoring/weight_utils.ts with the installed Bittensor SDKs: 300 seeded random
 * cases go through `normalize_max_weight`, `process_weights_for_netuid` and
 * `convert_weights_and_uids_for_emit` of bittensor 9.0.0 (.venv/bt9, what CGP pins), and through
 * their bittensor 11 replacements `clip_to_max_weight` / `normalize` (.venv/btnew).
 */
import assert from "node:assert/strict";
import {
  convertWeightsAndUidsForEmit,
  normalizeMaxWeight,
  processWeightsForNetuid,
  WeightConversionError,
} from "../../scoring/weight_utils.ts";
import { rawWeights } from "../../scoring/rank_weights.ts";
import { close, seededRandom } from "../scoring/vectors.ts";

const ROOT = new URL("../../", import.meta.url);
const SCRIPT = new URL("tests/interop/py/weight_utils_sdk.py", ROOT).pathname;
const python = (venv: string) => new URL(`.venv/${venv}/bin/python`, ROOT).pathname;

interface Case {
  weights: number[];
  limit: number;
  min_allowed: number;
  n: number;
  exclude_quantile: number;
  emit_uids: number[];
  emit_weights: number[];
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)];
}

/** Seeded random cases covering every branch: caps, zeros, the 1e-5 floor, quantiles, errors. */
function makeCases(count: number, seed: number): Case[] {
  const rnd = seededRandom(seed);
  const cases: Case[] = [];
  for (let c = 0; c < count; c++) {
    const k = 1 + Math.floor(rnd() * (rnd() < 0.3 ? 12 : 300));
    const zeroFrac = pick(rnd, [0, 0, 0.3, 0.7, 0.95, 1]);
    const shape = pick(rnd, ["uniform", "cubed", "burn", "tiny", "ranked"]);
    let weights: number[];
    if (shape === "ranked") {
      const scores = Array.from({ length: k }, () => (rnd() < zeroFrac ? 0 : rnd()));
      weights = Array.from(
        rawWeights(scores, rnd() < 0.8 ? 0 : null, 0.9, rnd) ?? new Float64Array(k),
      );
    } else {
      weights = Array.from({ length: k }, () => {
        if (rnd() < zeroFrac) return 0;
        const u = rnd();
        return shape === "uniform"
          ? u
          : shape === "cubed"
          ? u ** 3
          : shape === "tiny"
          ? u * 1e-6
          : u * 0.01;
      });
      if (shape === "burn") weights[0] = 0.9;
    }
    const limit = pick(rnd, [1, 1, 0.5, 6553 / 65535, 32767 / 65535, 0.05, 0.2, 0.01 + rnd()]);
    const minAllowed = pick(rnd, [0, 1, 1, 8, 16, 64, 1024]);
    const excludeQuantile = rnd() < 0.6
      ? 0
      : pick(rnd, [6553, 32767, 65535, Math.floor(rnd() * 65536)]);
    // Inputs for the emit conversion alone, including the cases the SDK rejects.
    const m = 1 + Math.floor(rnd() * 20);
    let emitWeights = Array.from(
      { length: m },
      () => (rnd() < 0.2 ? 0 : rnd() < 0.2 ? rnd() * 2e-5 : rnd()),
    );
    let emitUids = Array.from({ length: m }, (_, i) => i * 3);
    const fault = rnd();
    if (fault < 0.05) emitWeights[0] = -0.1;
    else if (fault < 0.1) emitUids[m - 1] = -1;
    else if (fault < 0.15) emitUids = emitUids.concat([999]);
    else if (fault < 0.2) emitWeights = emitWeights.map(() => 0);
    cases.push({
      weights,
      limit,
      min_allowed: minAllowed,
      n: k,
      exclude_quantile: excludeQuantile,
      emit_uids: emitUids,
      emit_weights: emitWeights,
    });
  }
  return cases;
}

// deno-lint-ignore no-explicit-any
async function runPython(venv: string, cases: Case[]): Promise<any> {
  const exe = python(venv);
  try {
    await Deno.stat(exe);
  } catch {
    throw new Error(`${exe} missing: run scripts/python_env.sh to create the Python peers`);
  }
  const child = new Deno.Command(exe, {
    args: [SCRIPT],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(cases)));
  await w.close();
  const out = await child.output();
  if (!out.success) throw new Error(`${venv}: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

function ours<T>(f: () => T): T | { error: string } {
  try {
    return f();
  } catch (e) {
    if (e instanceof WeightConversionError) return { error: "ValueError" };
    throw e;
  }
}

const CASES = makeCases(300, 20261125);

Deno.test("bittensor 9.0.0 weight_utils: bit-exact on 300 seeded cases", async () => {
  const py = await runPython("bt9", CASES);
  assert.equal(py.flavour, "weight_utils");
  assert.equal(py.version, "9.0.0");
  let capped = 0, floored = 0, quantiled = 0;
  CASES.forEach((c, i) => {
    const r = py.results[i];
    const tag =
      `case ${i} (n=${c.n}, limit=${c.limit}, min=${c.min_allowed}, q=${c.exclude_quantile})`;
    assert.deepEqual(
      Array.from(normalizeMaxWeight(Float32Array.from(c.weights), c.limit)),
      r.normalize,
      tag,
    );
    const p = processWeightsForNetuid({
      uids: c.weights.map((_, j) => j),
      weights: Float64Array.from(c.weights),
      n: c.n,
      minAllowedWeights: c.min_allowed,
      maxWeightLimit: c.limit,
      excludeQuantile: c.exclude_quantile,
      numpyQuantile: "2.0",
    });
    assert.deepEqual(p.uids, r.process.uids, `${tag} uids`);
    assert.equal(
      p.weights instanceof Float32Array ? "float32" : "float64",
      r.process.dtype,
      `${tag} dtype`,
    );
    assert.deepEqual(Array.from(p.weights), r.process.weights, `${tag} weights`);
    assert.deepEqual(
      ours(() => convertWeightsAndUidsForEmit(p.uids, p.weights)),
      r.emit,
      `${tag} emit`,
    );
    assert.deepEqual(
      ours(() => convertWeightsAndUidsForEmit(c.emit_uids, c.emit_weights)),
      r.convert,
      `${tag} convert`,
    );
    if (
      p.weights.some((x) => x > 0) &&
      Math.max(...p.weights) < Math.max(...c.weights) / c.weights.reduce((a, b) => a + b, 0) - 1e-6
    ) capped++;
    // The 1e-5 floor path: float64 output that is not the uniform fallback.
    if (r.process.dtype === "float64" && new Set(r.process.weights).size > 1) floored++;
    if (
      c.exclude_quantile > 0 && p.uids.length < c.weights.filter((x) => Math.fround(x) > 0).length
    ) quantiled++;
  });
  console.log(`branches reached: capped ${capped}, 1e-5 floor ${floored}, quantile ${quantiled}`);
  // The generator must reach the interesting branches, or this test proves little.
  assert.ok(capped > 20, `capped ${capped}`);
  assert.ok(floored > 10, `floored ${floored}`);
  assert.ok(quantiled > 10, `quantiled ${quantiled}`);
});

Deno.test("bittensor 11 intents.weights: emit exact, clip within 1e-6 (float64 re-implementation)", async () => {
  const py = await runPython("btnew", CASES);
  assert.equal(py.flavour, "intents");
  CASES.forEach((c, i) => {
    const r = py.results[i];
    const tag = `case ${i}`;
    const mine = ours(() => convertWeightsAndUidsForEmit(c.emit_uids, c.emit_weights));
    if ("error" in r.convert) assert.ok("error" in mine, `${tag}: SDK rejected, we did not`);
    else assert.deepEqual(mine, r.convert, tag);
    // bittensor 11 refuses all-zero input where v9 returns uniform weights: compare the rest.
    if ("error" in r.clip) {
      assert.ok(c.weights.every((x) => x <= 0), `${tag}: unexpected SDK error`);
      return;
    }
    const got = normalizeMaxWeight(Float64Array.from(c.weights), c.limit);
    r.clip.forEach((v: number, j: number) =>
      assert.ok(close(got[j], v, 1e-6, 1e-12), `${tag}[${j}]: ${got[j]} vs ${v}`)
    );
  });
});
