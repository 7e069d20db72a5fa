/**
 * @module
 * The conversation store's HTTP API (upstream's "CGP API"): reserve a conversation under a lease,
 * record validator and miner results, issue API keys to validators, browse what is stored, and
 * expose Prometheus metrics. {@link createStoreApp} builds the handler over a repository;
 * {@link startStore} opens the database, imports data and serves it.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { describeZodError, Guid, type TaskType } from "../tasks/mod.ts";
import { logger } from "../config/logging.ts";
import {
  hashApiKey,
  KeyIssuer,
  MIN_STAKE_MAINNET,
  StaticValidatorDirectory,
  type ValidatorDirectory,
} from "./api_keys.ts";
import { buildLegacyConversation, buildTaskBundle } from "./bundle_builder.ts";
import { contentHash } from "./canonical_json.ts";
import { StoreHttpError } from "./errors.ts";
import { StoreMetrics } from "./metrics.ts";
import { openRepository } from "./open_repository.ts";
import type { StoreRepository } from "./repository.ts";
import {
  GenerateApiKeyRequestSchema,
  GenerateMessageRequestSchema,
  parseRecordBody,
  RESERVE_FORMATS,
  type ReserveFormat,
  ReserveRequestSchema,
} from "./schemas.ts";

const log = logger("store");

/** Defaults in one visible place. */
export const STORE_DEFAULTS = {
  /** Upstream `LOCAL_CGP_API_PORT`. */
  port: 8000,
  host: "127.0.0.1",
  requireApiKey: true,
  leaseSeconds: 600,
  minStakeTao: MIN_STAKE_MAINNET,
  /** Largest accepted request body (validator records carry embedding vectors). */
  maxBodyBytes: 8 * 1024 * 1024,
  mode: "local",
} as const;

/** A key the operator hands out directly (no chain check), e.g. for a local subnet. */
export interface StaticApiKey {
  key: string;
  hotkey: string;
  label?: string;
}

/** Behaviour of the HTTP API over a repository. */
export interface StoreAppOptions {
  repo: StoreRepository;
  /** Refuse reserve, record and browsing without a known key (default true). */
  requireApiKey?: boolean;
  /** Lease length (default 600 s). */
  leaseSeconds?: number;
  /** Chain lookups for key issuance (default: an empty table, so every request is refused). */
  directory?: ValidatorDirectory;
  /** Minimum stake for a key (default 20000, upstream mainnet; testnet uses 10). */
  minStakeTao?: number;
  /** Types handed out when a reserve names none (default: all stored types). */
  taskTypes?: readonly TaskType[];
  /** Largest request body in bytes (default 8 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /** Accept records for guids the store never handed out (default false: 404). */
  allowUnknownGuids?: boolean;
  /** Serve `/metrics` to any address, not only loopback (default false). */
  metricsFromAnyHost?: boolean;
  /** `mode` written into bundles. */
  mode?: string;
  /** Clock in milliseconds (tests move it to expire leases and messages). */
  now?: () => number;
  metrics?: StoreMetrics;
}

/** What the server passes to the handler besides the request. */
export interface StoreEnv {
  remoteAddr?: { hostname: string };
}

interface Caller {
  hotkey: string | null;
  keyKnown: boolean;
}

/** The HTTP handler of the store (a Hono app; call `.fetch(request, env)`). */
export function createStoreApp(options: StoreAppOptions): Hono<{ Bindings: StoreEnv }> {
  const o = {
    ...STORE_DEFAULTS,
    directory: new StaticValidatorDirectory(),
    taskTypes: [] as readonly TaskType[],
    allowUnknownGuids: false,
    metricsFromAnyHost: false,
    now: Date.now,
    metrics: new StoreMetrics(),
    ...stripUndefined(options),
  };
  const repo = o.repo;
  const metrics = o.metrics;
  const issuer = new KeyIssuer({
    repo,
    directory: o.directory,
    minStakeTao: o.minStakeTao,
    now: o.now,
  });
  const app = new Hono<{ Bindings: StoreEnv }>();

  app.use(async (c, next) => {
    await next();
    metrics.request(c.req.routePath || "unmatched", c.res.status);
  });

  app.onError((err, c) => {
    if (err instanceof StoreHttpError) {
      return c.json(
        { success: false, mode: "error", error: err.message },
        err.status as 400,
        err.headers,
      );
    }
    log.error("store request failed: {error}", { error: String(err) });
    return c.json({ success: false, mode: "error", error: "internal error" }, 500);
  });
  app.notFound((c) =>
    c.json({ success: false, mode: "error", error: `no route ${c.req.method} ${c.req.path}` }, 404)
  );

  const caller = async (c: Context, required: boolean): Promise<Caller> => {
    const auth = c.req.header("authorization");
    let key: string | undefined;
    if (auth) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      if (!m) throw new StoreHttpError(401, "Authorization: expected `Bearer <api key>`");
      key = m[1];
    } else key = c.req.query("api") || undefined;
    if (!key) {
      if (required) {
        throw new StoreHttpError(
          401,
          "missing API key: send `Authorization: Bearer <key>` (get one with `cgp-node api-key`)",
        );
      }
      return { hotkey: null, keyKnown: false };
    }
    const row = await repo.findApiKey(hashApiKey(key));
    if (!row) {
      if (required) throw new StoreHttpError(401, "unknown API key");
      return { hotkey: null, keyKnown: false };
    }
    return { hotkey: row.hotkey, keyKnown: true };
  };

  const readJson = async (c: Context, allowEmpty: boolean): Promise<unknown> => {
    const text = await readBodyLimited(c.req.raw, o.maxBodyBytes);
    if (!text.trim()) {
      if (allowEmpty) return {};
      throw new StoreHttpError(400, "(root): a JSON body is required");
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new StoreHttpError(400, `(root): the body is not JSON (${(e as Error).message})`);
    }
  };

  app.post("/api/v1/conversation/reserve", async (c) => {
    const who = await caller(c, o.requireApiKey);
    const raw = await readJson(c, true);
    const parsed = ReserveRequestSchema.safeParse(raw ?? {});
    if (!parsed.success) {
      metrics.reserve("error");
      throw new StoreHttpError(422, describeZodError(parsed.error));
    }
    const body = parsed.data;
    const qFormat = c.req.query("format");
    if (qFormat && !RESERVE_FORMATS.includes(qFormat as ReserveFormat)) {
      metrics.reserve("error");
      throw new StoreHttpError(422, `format: must be one of ${RESERVE_FORMATS.join(", ")}`);
    }
    const format: ReserveFormat = body.format ?? (qFormat as ReserveFormat | undefined) ??
      "bundle";
    const qType = c.req.query("task_type");
    let types: readonly TaskType[] = o.taskTypes;
    if (body.task_type) types = [body.task_type];
    else if (qType) {
      const t = ReserveRequestSchema.shape.task_type.safeParse(qType);
      if (!t.success) throw new StoreHttpError(422, `task_type: ${describeZodError(t.error)}`);
      if (t.data) types = [t.data];
    }
    if (format === "legacy") types = ["conversation_tagging"];
    const holder = who.hotkey ?? `anonymous:${c.env?.remoteAddr?.hostname ?? "unknown"}`;
    const now = o.now();
    const out = await repo.reserve({
      holder,
      leaseMs: o.leaseSeconds * 1000,
      now,
      types,
      guid: body.task_guid ?? undefined,
    });
    if (!out.ok) {
      metrics.reserve(out.reason);
      if (out.reason === "not_found") {
        throw new StoreHttpError(404, `task_guid: no item ${body.task_guid}`);
      }
      if (out.reason === "empty") {
        throw new StoreHttpError(
          404,
          `no conversation available: the store holds no ${
            types.length ? types.join("/") : ""
          } items`
            .replace("  ", " "),
        );
      }
      if (body.task_guid) {
        throw new StoreHttpError(
          409,
          `task_guid: ${body.task_guid} is leased to another validator`,
        );
      }
      throw new StoreHttpError(
        503,
        "no conversation available: every item is leased; retry later",
        { "retry-after": String(Math.min(60, o.leaseSeconds)) },
      );
    }
    metrics.reserve("ok");
    c.header("x-cgp-lease-expires", new Date(out.lease.expiresAt).toISOString());
    if (format === "legacy") return c.json(buildLegacyConversation(out.item));
    return c.json(buildTaskBundle(out.item, o.mode));
  });

  app.put("/api/v1/conversation/record/:guid", async (c) => {
    const who = await caller(c, o.requireApiKey);
    const guidParsed = Guid.safeParse(c.req.param("guid"));
    if (!guidParsed.success) {
      metrics.record("rejected");
      throw new StoreHttpError(400, "guid: must not be empty");
    }
    const guid = guidParsed.data;
    let raw: unknown;
    try {
      raw = await readJson(c, false);
    } catch (e) {
      metrics.record("rejected");
      throw e;
    }
    const parsed = parseRecordBody(raw);
    if (!parsed.ok) {
      metrics.record("rejected");
      const msg = typeof parsed.error === "string" ? parsed.error : describeZodError(parsed.error);
      throw new StoreHttpError(422, msg);
    }
    const rec = parsed.record;
    if (who.hotkey && rec.neuronType === "validator" && rec.hotkey !== who.hotkey) {
      metrics.record("rejected");
      throw new StoreHttpError(
        403,
        `hotkey: a validator record must carry the API key's hotkey ${who.hotkey}`,
      );
    }
    if (!o.allowUnknownGuids && !(await repo.getItem(guid))) {
      metrics.record("rejected");
      throw new StoreHttpError(404, `guid: the store never handed out ${guid}`);
    }
    const bodyHash = contentHash(raw);
    const idem = c.req.header("idempotency-key");
    const out = await repo.putResult({
      ...rec,
      bundleGuid: guid,
      dedupKey: idem ? `key:${idem}` : `hash:${bodyHash}`,
      bodyHash,
      submittedBy: who.hotkey,
      body: raw,
      now: o.now(),
    });
    metrics.record(out.status);
    if (out.status === "conflict") {
      throw new StoreHttpError(
        409,
        "Idempotency-Key: already used for a different body on this guid",
      );
    }
    return c.json({ success: true, id: out.id, duplicate: out.status === "duplicate" });
  });

  app.post("/api/v1/generate_message", async (c) => {
    const p = GenerateMessageRequestSchema.safeParse(await readJson(c, false));
    if (!p.success) throw new StoreHttpError(422, describeZodError(p.error));
    return c.json({ success: true, ...(await issuer.generateMessage(p.data.hotkey)) });
  });

  app.post("/api/v1/generate_api_key", async (c) => {
    const p = GenerateApiKeyRequestSchema.safeParse(await readJson(c, false));
    if (!p.success) throw new StoreHttpError(422, describeZodError(p.error));
    const out = await issuer.generateApiKey(p.data.hotkey, p.data.message, p.data.signature);
    return c.json({ success: true, ...out });
  });

  app.get("/api/v1/conversations", async (c) => {
    await caller(c, o.requireApiKey);
    const offset = intQuery(c, "offset", 0);
    const limit = intQuery(c, "limit", 50);
    const [items, total] = await Promise.all([repo.listItems(offset, limit), repo.countItems()]);
    return c.json({
      total,
      offset,
      limit,
      items: items.map((i) => ({
        guid: i.guid,
        type: i.type,
        total: i.lines.length,
        participants: i.participants.length,
        source: i.source ?? null,
        created_at: new Date(i.createdAt).toISOString(),
      })),
    });
  });

  app.get("/api/v1/conversations/:guid", async (c) => {
    await caller(c, o.requireApiKey);
    const item = await repo.getItem(c.req.param("guid"));
    if (!item) throw new StoreHttpError(404, `guid: no item ${c.req.param("guid")}`);
    const lease = await repo.getLease(item.guid);
    return c.json({
      guid: item.guid,
      type: item.type,
      lines: item.lines,
      participants: item.participants,
      total: item.lines.length,
      source: item.source ?? null,
      source_id: item.sourceId ?? null,
      metadata: item.metadata ?? null,
      created_at: new Date(item.createdAt).toISOString(),
      lease: lease && lease.expiresAt > o.now()
        ? { holder: lease.holder, expires_at: new Date(lease.expiresAt).toISOString() }
        : null,
      reserve_count: lease?.reserveCount ?? 0,
    });
  });

  app.get("/api/v1/results", async (c) => {
    await caller(c, o.requireApiKey);
    const guid = c.req.query("guid");
    const hotkey = c.req.query("hotkey");
    if (!guid && !hotkey) throw new StoreHttpError(400, "query: give guid=… or hotkey=…");
    const rows = await repo.listResults({
      guid: guid || undefined,
      hotkey: hotkey || undefined,
      offset: intQuery(c, "offset", 0),
      limit: intQuery(c, "limit", 50),
    });
    return c.json({
      results: rows.map((r) => ({
        id: r.id,
        guid: r.bundleGuid,
        neuron_type: r.neuronType,
        hotkey: r.hotkey,
        task_id: r.taskId || null,
        body_version: r.bodyVersion,
        batch_number: r.batchNumber,
        cgp_version: r.cgpVersion,
        llm_type: r.llmType,
        model: r.model,
        marker_id: r.markerId,
        submitted_by: r.submittedBy,
        created_at: new Date(r.createdAt).toISOString(),
        body: r.body,
      })),
    });
  });

  app.get("/api/v1/stats", async (c) => {
    const s = await repo.stats(o.now());
    return c.json({
      conversations: s.items,
      conversations_by_type: s.itemsByType,
      leases_active: s.leasesActive,
      results: s.results,
      results_by_neuron_type: s.resultsByNeuronType,
      api_keys: s.apiKeys,
      backend: repo.backend,
    });
  });

  app.get("/metrics", async (c) => {
    const host = c.env?.remoteAddr?.hostname;
    if (!o.metricsFromAnyHost && !isLoopback(host)) {
      throw new StoreHttpError(403, "/metrics is served to loopback only");
    }
    const text = metrics.render(await repo.stats(o.now()));
    return c.text(text, 200, { "content-type": "text/plain; version=0.0.4" });
  });

  app.get("/health", (c) => c.json({ ok: true, backend: repo.backend }));

  return app;
}

function intQuery(c: Context, name: string, dflt: number): number {
  const v = c.req.query(name);
  if (v === undefined || v === "") return dflt;
  if (!/^\d+$/.test(v)) throw new StoreHttpError(400, `${name}: must be a non-negative integer`);
  return Number(v);
}

function isLoopback(host: string | undefined): boolean {
  if (!host) return false;
  return host === "::1" || host.startsWith("127.") || host === "::ffff:127.0.0.1";
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Reads a request body as text, refusing (413) more than `max` bytes. */
export async function readBodyLimited(req: Request, max: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    throw new StoreHttpError(413, `body: ${declared} bytes is more than the ${max} accepted`);
  }
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new StoreHttpError(413, `body: more than the ${max} bytes accepted`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const ch of chunks) (all.set(ch, off), off += ch.length);
  return new TextDecoder().decode(all);
}

/** Options of {@link startStore}: the app's options plus where to serve and what to load. */
export interface StartStoreOptions extends Omit<StoreAppOptions, "repo"> {
  /** `sqlite:PATH`, `postgres://…`, or an open repository (left open on close). */
  db?: string | StoreRepository;
  /** Port (default 8000; 0 picks a free one). */
  port?: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Files to import before serving (format from the extension or content). */
  importFiles?: string[];
  /** Draw the import progress bar (default: when stderr is a terminal). */
  importProgress?: boolean;
  /** Load the project's demo dataset when the store is empty. */
  demoData?: boolean;
  /** Keys accepted without issuance (e.g. a local subnet's validators). */
  apiKeys?: StaticApiKey[];
  /** Stops the server when aborted. */
  signal?: AbortSignal;
}

/** A running store. */
export interface StoreServer {
  /** `http://host:port` */
  url: string;
  port: number;
  repo: StoreRepository;
  metrics: StoreMetrics;
  /** Stops serving and closes the repository (unless it was passed in open). */
  close(): Promise<void>;
}

/**
 * Opens the database (applying migrations), imports data, and serves the API.
 *
 * @example
 * ```ts ignore
 * const store = await startStore({ db: "sqlite::memory:", port: 0, demoData: true });
 * const r = await fetch(`${store.url}/api/v1/stats`);
 * await store.close();
 * ```
 */
export async function startStore(options: StartStoreOptions = {}): Promise<StoreServer> {
  const ownsRepo = typeof options.db !== "object";
  const repo = typeof options.db === "object" ? options.db : await openRepository(options.db);
  try {
    if (options.importFiles?.length) {
      const { importFile } = await import("./importers/import_file.ts");
      for (const f of options.importFiles) {
        const r = await importFile(repo, f, {
          now: options.now?.(),
          progress: options.importProgress,
        });
        for (const s of r.skipped) log.warn("{file}:{line}: skipped: {reason}", { file: f, ...s });
        log.info("imported {file}: {inserted} new, {duplicates} known, {skipped} skipped", {
          file: f,
          inserted: r.inserted,
          duplicates: r.duplicates,
          skipped: r.skipped.length,
        });
      }
    }
    if (options.demoData && (await repo.countItems()) === 0) {
      const { loadDemoData } = await import("./demo_data.ts");
      const r = await loadDemoData(repo);
      log.info("loaded the demo dataset: {inserted} items", { inserted: r.inserted });
    }
    const now = options.now ?? Date.now;
    for (const k of options.apiKeys ?? []) {
      await repo.putApiKey(hashApiKey(k.key), {
        hotkey: k.hotkey,
        label: k.label ?? "static",
        createdAt: now(),
      });
    }
  } catch (e) {
    if (ownsRepo) await repo.close();
    throw e;
  }
  const metrics = options.metrics ?? new StoreMetrics();
  const app = createStoreApp({ ...options, repo, metrics });
  const ac = new AbortController();
  options.signal?.addEventListener("abort", () => ac.abort(), { once: true });
  const { promise: listening, resolve } = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    port: options.port ?? STORE_DEFAULTS.port,
    hostname: options.host ?? STORE_DEFAULTS.host,
    signal: ac.signal,
    onListen: (addr) => resolve(addr as Deno.NetAddr),
  }, (req, info) => app.fetch(req, { remoteAddr: info.remoteAddr as Deno.NetAddr }));
  const addr = await listening;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  let closed = false;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    repo,
    metrics,
    close: async () => {
      if (closed) return;
      closed = true;
      ac.abort();
      await server.finished;
      if (ownsRepo) await repo.close();
    },
  };
}
