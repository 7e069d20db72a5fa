/**
 * @module
 * Run in a fresh process by bench/scoring/main.ts: loads the offline GloVe embedder and prints
 * `{"load_s", "rss_mb", "dimensions"}` as one JSON line (RSS measured right after the load and
 * one embedding call).
 */
const t0 = performance.now();
const { loadGloveEmbedder } = await import("../../llm/offline/glove.ts");
const embedder = await loadGloveEmbedder();
const loadS = (performance.now() - t0) / 1000;
const v = embedder.embed(["machine learning", "travel"]);
const rssMb = Deno.memoryUsage().rss / (1024 * 1024);
console.log(
  JSON.stringify({
    load_s: loadS,
    rss_mb: rssMb,
    dimensions: embedder.dimensions,
    sample_len: v[0].length,
  }),
);
