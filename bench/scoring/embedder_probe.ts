/**
 * @module
 * Run in a fresh process by bench/scoring/main.ts: loads the offline GloVe embedder and prints
 * `{"load_s", "rss_mb", "dimensions"}` as one JSON line (RSS measured right after the load and
 * one embedding call).
 */
/** The part of `llm/offline/glove.ts` this probe relies on. */
interface GloveModule {
  loadGloveEmbedder(): Promise<{ dimensions: number; embed(texts: string[]): Float32Array[] }>;
}

const t0 = performance.now();
// A computed specifier: the bench type-checks even before the LLM helper's module exists.
const glove: GloveModule = await import(
  new URL("../../llm/offline/glove.ts", import.meta.url).href
);
const embedder = await glove.loadGloveEmbedder();
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
