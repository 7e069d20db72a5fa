/**
 * @module
 * `deno task bench store`: reserve + record pairs per second through HTTP against the real store
 * (`cgp-node api` in its own process) on SQLite and on PostgreSQL, with N concurrent validator
 * clients for a fixed duration each. The store holds 3000 synthetic conversations with
 * 1-second leases so reserves never run dry. PostgreSQL is measured when
 * `CGP_TEST_POSTGRES_URL` (or `CGP_BENCH_POSTGRES_URL`) is set; otherwise its figures are null.
 * Upstream's local API (FastAPI) is not part of the Python peer environments, so there is no
 * side-by-side Python figure; the issue sets no numeric target for this bench.
 * Prints one JSON line on stdout; progress goes to stderr.
 */
import { StoreClient } from "../../store/client.ts";
import { openRepository } from "../../store/open_repository.ts";
import { PostgresRepository } from "../../store/postgres_repository.ts";
import type { StoredItem } from "../../store/schemas.ts";

const CLIENTS = Number(Deno.env.get("BENCH_STORE_CLIENTS") ?? 8);
const DURATION_S = Number(Deno.env.get("BENCH_STORE_SECONDS") ?? 10);
const ITEMS = 3000;
const KEY = "bench-key";
const HOTKEY = "5BenchValidatorHotkey";
const MAIN = new URL("../../main.ts", import.meta.url).pathname;

interface Figures {
  pairs_per_s: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  pairs: number;
}

function items(): StoredItem[] {
  const words = ["garden", "river", "guitar", "budget", "recipe", "trail", "planet", "match"];
  return Array.from({ length: ITEMS }, (_, i) => ({
    guid: `bench-${i}`,
    type: "conversation_tagging",
    participants: ["a", "b"],
    lines: Array.from(
      { length: 24 },
      (_, k) =>
        [k % 2, `line ${k} about the ${words[(i + k) % words.length]} and other things`] as [
          number,
          string,
        ],
    ),
  }));
}

function freePort(): number {
  const l = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const p = (l.addr as Deno.NetAddr).port;
  l.close();
  return p;
}

async function waitHealthy(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`${url}/health`);
      await r.body?.cancel();
      if (r.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`store at ${url} did not come up`);
}

function recordBody(i: number) {
  const tags = ["hiking", "weather", "coffee", "friendship", "planning", "music", "garden", "food"];
  return {
    mode: "bench",
    model: "gpt-4o",
    embeddings_model: "text-embedding-3-small",
    marker_id: "bench",
    llm_type: "openai",
    scoring_version: 0.1,
    cgp_version: "2.30.65",
    netuid: 33,
    hotkey: HOTKEY,
    neuron_type: "validator" as const,
    task_id: `task-${i}`,
    batch_number: i,
    data: {
      tags,
      vectors: Object.fromEntries(
        tags.map((t, k) => [t, { vectors: Array.from({ length: 32 }, (_, j) => (j * k) / 97) }]),
      ),
    },
  };
}

async function measure(db: string, label: string): Promise<Figures> {
  const repo = await openRepository(db);
  await repo.insertItems(items(), Date.now());
  await repo.close();
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "api",
      "--db",
      db,
      "--port",
      String(port),
      "--lease-seconds",
      "1",
      "--api-keys",
      `${KEY}:${HOTKEY}`,
    ],
    stdout: "null",
    stderr: "null",
    env: { CGP_LOG_LEVEL: "error" },
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url);
    const client = new StoreClient({ readUrl: url, apiKey: KEY, retries: 0, timeoutMs: 10_000 });
    const lat: number[] = [];
    let errors = 0;
    let seq = 0;
    const run = async (until: number, keep: boolean) => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const r = await client.reserve({ taskType: "conversation" });
        if (!r.ok) {
          if (keep) errors++;
          continue;
        }
        const w = await client.record(r.bundle.guid, recordBody(seq++));
        if (!w.ok) {
          if (keep) errors++;
          continue;
        }
        if (keep) lat.push(performance.now() - t0);
      }
    };
    // Warm-up: one second, not counted.
    const warm = performance.now() + 1000;
    await Promise.all(Array.from({ length: CLIENTS }, () => run(warm, false)));
    const start = performance.now();
    const end = start + DURATION_S * 1000;
    await Promise.all(Array.from({ length: CLIENTS }, () => run(end, true)));
    const elapsed = (performance.now() - start) / 1000;
    lat.sort((a, b) => a - b);
    const q = (p: number) =>
      lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : NaN;
    const f = {
      pairs_per_s: round(lat.length / elapsed, 1),
      p50_ms: round(q(0.5), 2),
      p99_ms: round(q(0.99), 2),
      errors,
      pairs: lat.length,
    };
    console.error(`bench store ${label}: ${JSON.stringify(f)}`);
    return f;
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
}

function round(x: number, d: number): number {
  const m = 10 ** d;
  return Math.round(x * m) / m;
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir({ prefix: "cgp_bench_store_" });
  let sqlite: Figures;
  try {
    sqlite = await measure(`sqlite:${dir}/bench.sqlite`, "sqlite");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const pgUrl = Deno.env.get("CGP_BENCH_POSTGRES_URL") ?? Deno.env.get("CGP_TEST_POSTGRES_URL");
  let pg: Figures | null = null;
  if (pgUrl) {
    const schema = `cgp_bench_${Deno.pid}`;
    const u = new URL(pgUrl);
    u.searchParams.set("schema", schema);
    try {
      pg = await measure(u.toString(), "postgres");
    } finally {
      const repo = new PostgresRepository({ url: pgUrl, schema });
      await repo.dropSchema().catch(() => {});
      await repo.close();
    }
  } else {
    console.error("bench store: CGP_TEST_POSTGRES_URL not set, PostgreSQL not measured");
  }
  console.log(JSON.stringify({
    bench: "store",
    figures: {
      clients: CLIENTS,
      duration_s: DURATION_S,
      conversations: ITEMS,
      reserve_record_per_s_sqlite: sqlite.pairs_per_s,
      p50_ms_sqlite: sqlite.p50_ms,
      p99_ms_sqlite: sqlite.p99_ms,
      errors_sqlite: sqlite.errors,
      reserve_record_per_s_postgres: pg?.pairs_per_s ?? null,
      p50_ms_postgres: pg?.p50_ms ?? null,
      p99_ms_postgres: pg?.p99_ms ?? null,
      errors_postgres: pg?.errors ?? null,
      python_reference: null,
    },
    targets: {},
  }));
}
