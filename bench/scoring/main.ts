/**
 * @module
 * `deno task bench scoring`: per-op cost of the validator's scoring work, side by side with
 * Python doing the same work the way upstream does (numpy for the window scoring, bittensor
 * 9.0.0's own weight_utils for the weights), in one run:
 * - scoring one window: 6 miner responses × 20 tags, 1536-dim embeddings, against a 20-tag
 *   ground truth (neighbourhood, cosines, statistics, penalties);
 * - one full weight computation for 256 uids: EMA update, rank weights with the owner burn,
 *   process_weights_for_netuid, convert_weights_and_uids_for_emit;
 * - the offline GloVe embedder's load time and RSS, in a fresh process.
 * Both sides get identical inputs and their results are compared before timings are reported.
 */
import { scoreResponses } from "../../scoring/ground_truth_score.ts";
import { updateScores } from "../../scoring/ema.ts";
import { computeWeights } from "../../scoring/weights_pipeline.ts";

const ROOT = new URL("../../", import.meta.url);
const PYTHON = new URL(".venv/bt9/bin/python", ROOT).pathname;
const PY_SCRIPT = new URL("py/bench_scoring.py", import.meta.url).pathname;
const PROBE = new URL("embedder_probe.ts", import.meta.url).pathname;
const SECONDS = 2;
const DIMS = 1536;
const N_UIDS = 256;

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = seeded(33);
const vec = () => Array.from({ length: DIMS }, () => rnd() * 2 - 1);

// One window: 20 ground-truth tags; each miner sends 20 tags, half of them ground-truth tags.
const gtTags = Array.from({ length: 20 }, (_, i) => `ground truth tag ${i}`);
const gtVectors: Record<string, number[]> = Object.fromEntries(gtTags.map((t) => [t, vec()]));
const responses = Array.from({ length: 6 }, (_, m) => {
  const tags = [
    ...gtTags.slice(m, m + 10),
    ...Array.from({ length: 10 }, (_, i) => `miner ${m} tag ${i}`),
  ];
  const vectors: Record<string, number[]> = {};
  for (const t of tags) vectors[t] = gtVectors[t] ?? vec();
  return { tags, vectors };
});
const embeddings = (tag: string, i: number) => responses[i].vectors[tag];
const scoreWindow = () =>
  scoreResponses({
    groundTruth: { tags: gtTags, vectors: gtVectors },
    responses: responses.map((r) => ({ tags: r.tags })),
    embeddings,
  });

// One weight computation: 256 uids, ~40% never scored, 6 queried this round, owner uid 0.
const ema = Float32Array.from({ length: N_UIDS }, () => (rnd() < 0.4 ? 0 : rnd() * 0.01));
const queried = Array.from({ length: 6 }, (_, i) => 10 + i * 37);
const rewards = Array.from(scoreWindow().rankScores);
const computeAll = () => {
  const u = updateScores({ ema, uids: queried, rewards });
  return computeWeights({
    scores: u.scores,
    burnUid: 0,
    hyperparameters: { minAllowedWeights: 1, maxWeightLimit: 1 },
    random: Math.random,
  });
};

function time(fn: () => unknown): { median_us: number; runs: number } {
  for (let i = 0; i < 200; i++) fn(); // JIT warm-up
  const times: number[] = [];
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000 || times.length < 5) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median_us: times[times.length >> 1] * 1000, runs: times.length };
}

async function runPython(): Promise<{
  numpy: string;
  scoring: { median_us: number };
  weights: { median_us: number };
  rank_scores: number[];
  emit: [number[], number[]];
}> {
  const input = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(
      input,
      JSON.stringify({
        window: { gt_tags: gtTags, gt_vectors: gtVectors, responses },
        weights: { ema: Array.from(ema), uids: queried, rewards, burn_uid: 0 },
      }),
    );
    const out = await new Deno.Command(PYTHON, {
      args: [PY_SCRIPT, input, String(SECONDS)],
      stderr: "null",
    })
      .output();
    if (!out.success) throw new Error(`python bench failed (exit ${out.code})`);
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } finally {
    await Deno.remove(input);
  }
}

async function probeEmbedder(): Promise<{ load_s: number; rss_mb: number } | null> {
  try {
    await Deno.stat(new URL("llm/offline/glove.ts", ROOT));
  } catch {
    return null;
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", PROBE],
    stderr: "piped",
  }).output();
  if (!out.success) {
    console.error(`embedder probe failed: ${new TextDecoder().decode(out.stderr).slice(-500)}`);
    return null;
  }
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

const py = await runPython();
// Both sides must have computed the same thing before their timings mean anything.
const ours = scoreWindow().rankScores;
const scoresMatch = py.rank_scores.every((x, i) =>
  Math.abs(x - ours[i]) <= 1e-9 * Math.max(1, Math.abs(x))
);
const w = computeAll();
const weightsMatch = w.ok &&
  JSON.stringify([w.emit.uids, w.emit.weights]) === JSON.stringify(py.emit);
if (!scoresMatch || !weightsMatch) {
  console.error(`results differ: scores ${scoresMatch}, weights ${weightsMatch}`);
}

const tsScore = time(scoreWindow);
const tsWeights = time(computeAll);
// First probe may build the embedder's cache file; the second is a normal (warm-cache) start.
const firstProbe = await probeEmbedder();
const probe = firstProbe ? await probeEmbedder() : null;

const scoringSpeedup = py.scoring.median_us / tsScore.median_us;
const weightsSpeedup = py.weights.median_us / tsWeights.median_us;
const figures = {
  scoring_window_ts_us: round(tsScore.median_us),
  scoring_window_python_us: round(py.scoring.median_us),
  weights_256_ts_us: round(tsWeights.median_us),
  weights_256_python_us: round(py.weights.median_us),
  scoring_speedup_vs_python: round(scoringSpeedup),
  weights_speedup_vs_python: round(weightsSpeedup),
  results_match_python: scoresMatch && weightsMatch,
  python_numpy: py.numpy,
  embedder_first_load_s: firstProbe ? round(firstProbe.load_s, 3) : null,
  embedder_load_s: probe ? round(probe.load_s, 3) : null,
  embedder_rss_mb: probe ? round(probe.rss_mb, 1) : null,
};
const target = (value: number | null, goal: number, better: "min" | "max") => ({
  value,
  target: goal,
  met: value !== null && (better === "max" ? value >= goal : value < goal) &&
    scoresMatch && weightsMatch,
});
console.log(JSON.stringify({
  bench: "scoring",
  figures,
  targets: {
    scoring_speedup_vs_python: target(round(scoringSpeedup), 5, "max"),
    weights_speedup_vs_python: target(round(weightsSpeedup), 5, "max"),
    embedder_load_s: target(figures.embedder_load_s, 1, "min"),
    embedder_rss_mb: target(figures.embedder_rss_mb, 200, "min"),
  },
}));
