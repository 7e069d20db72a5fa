/**
 * @module
 * LLM configuration from the environment: one zod schema over the variables (upstream's
 * `LLM_TYPE`, `LLM_TYPE_OVERRIDE`, `OPENAI_*`, `GROQ_*`, `ANTHROPIC_*`, `OPENROUTER_*`,
 * `CHUTES_*`, plus our `LLM_*`), resolved against {@link PRESETS} into one {@link LlmConfig}.
 * Any bad value is reported as an `LlmError` with code `config` naming the variable.
 */
import { z } from "zod";
import { LlmError } from "./errors.ts";
import { PRESET_NAMES, type PresetName, PRESETS } from "./presets.ts";
import { DEFAULT_PRICES, type ModelPrice } from "./prices.ts";

const optStr = z.string().trim().optional().transform((v) => (v === "" ? undefined : v));
const intIn = (min: number, max: number) => {
  const error = `expected an integer between ${min} and ${max}`;
  return optStr.pipe(
    z.string().regex(/^\d+$/, error).transform(Number)
      .pipe(z.number().int().min(min, { error }).max(max, { error })).optional(),
  );
};
const bool = optStr.pipe(
  z.enum(["1", "0", "true", "false", "yes", "no", "on", "off"], {
    error: "expected true/false (or 1/0)",
  }).transform((v) => ["1", "true", "yes", "on"].includes(v)).optional(),
);
const url = optStr.pipe(z.url({ error: "expected an http(s) URL" }).optional());
const preset = optStr.pipe(
  z.string().toLowerCase().pipe(
    z.enum(PRESET_NAMES, { error: `expected one of ${PRESET_NAMES.join(", ")}` }),
  ).optional(),
);

/** The environment variables read by the LLM layer (all optional strings before parsing). */
export const LlmEnvSchema = z.object({
  LLM_TYPE: preset,
  LLM_TYPE_OVERRIDE: preset,
  OPENAI_API_KEY: optStr,
  OPENAI_MODEL: optStr,
  OPENAI_EMBEDDINGS_MODEL: optStr,
  OPENAI_EMBEDDINGS_MODEL_OVERRIDE: optStr,
  OPENAI_BASE_URL: url,
  GROQ_API_KEY: optStr,
  GROQ_MODEL: optStr,
  ANTHROPIC_API_KEY: optStr,
  ANTHROPIC_MODEL: optStr,
  OPENROUTER_API_KEY: optStr,
  OPENROUTER_MODEL: optStr,
  OPENROUTER_PROVIDER_PREFERENCE: optStr,
  OPENROUTER_EMBEDDING_MODEL: optStr,
  CHUTES_API_KEY: optStr,
  CHUTES_MODEL: optStr,
  CHUTES_EMBEDDING_URL: url,
  CHUTES_EMBEDDING_MODEL: optStr,
  /** Our own: override the chat base URL of any preset (required for `local`). */
  LLM_BASE_URL: url,
  LLM_API_KEY: optStr,
  LLM_MODEL: optStr,
  LLM_QUALITY_MODEL: optStr,
  LLM_EMBEDDINGS_MODEL: optStr,
  LLM_EMBEDDINGS_BASE_URL: url,
  LLM_EMBEDDINGS_API_KEY: optStr,
  LLM_EMBEDDING_DIMENSIONS: intIn(1, 65536),
  LLM_TIMEOUT_MS: intIn(1, 3_600_000),
  HTTP_TIMEOUT: intIn(1, 3600),
  LLM_MAX_RETRIES: intIn(0, 20),
  LLM_RETRY_BASE_MS: intIn(0, 600_000),
  LLM_RETRY_MAX_MS: intIn(0, 3_600_000),
  LLM_CONCURRENCY: intIn(1, 1024),
  LLM_EMBEDDING_BATCH: intIn(1, 4096),
  LLM_EMBEDDING_CACHE: optStr,
  LLM_OFFLINE_CACHE_DIR: optStr,
  LLM_FAIL_OPEN_VALIDATION: bool,
  LLM_PRICES_JSON: optStr,
});

/** Parsed environment. */
export type LlmEnv = z.infer<typeof LlmEnvSchema>;

/** Endpoint + model used for embeddings. */
export interface EmbeddingEndpoint {
  /** Base URL for the SDK (`undefined` = api.openai.com). */
  baseURL?: string;
  apiKey: string;
  model: string;
  /** Sent as `dimensions` when set; every reply is checked against it. */
  dimensions?: number;
}

/** Everything needed to build a provider. */
export interface LlmConfig {
  /** The selected preset. */
  preset: PresetName;
  /** What upstream reports as `llm_type` (LLM_TYPE_OVERRIDE, else LLM_TYPE, else openai). */
  llmType: string;
  /** Chat endpoint (unused by the offline preset). */
  baseURL?: string;
  apiKey: string;
  chatModel: string;
  /** Model for the conversation-quality check. */
  qualityModel: string;
  /** Send `response_format: json_object` for JSON calls. */
  jsonMode: boolean;
  embeddings: EmbeddingEndpoint;
  /** Merged into every chat request body (OpenRouter's `provider.order`). */
  extraBody?: Record<string, unknown>;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  concurrency: number;
  embeddingBatchSize: number;
  /** Path of the embedding cache database; `null` disables the cache. */
  embeddingCachePath: string | null;
  /** Directory of the offline provider's converted GloVe cache (`undefined` = default). */
  offlineCacheDir?: string;
  /** Return cleaned tags when tag validation's LLM call fails. */
  failOpenValidation: boolean;
  prices: Record<string, ModelPrice>;
}

/** The user cache directory of this node (`$XDG_CACHE_HOME/cgp-node`, else `~/.cache/cgp-node`). */
export function defaultCacheDir(env: Record<string, string | undefined> = readEnv()): string {
  const proc = readEnv();
  const home = env.HOME ?? env.USERPROFILE ?? proc.HOME ?? proc.USERPROFILE;
  const base = env.XDG_CACHE_HOME || (home ? `${home}/.cache` : ".cache");
  return `${base}/cgp-node`;
}

function readEnv(): Record<string, string | undefined> {
  try {
    return Deno.env.toObject();
  } catch {
    return {}; // no --allow-env: behave as an empty environment
  }
}

function configError(variable: string, message: string): LlmError {
  return new LlmError("config", `${variable}: ${message}`, { variable });
}

/**
 * Parses and resolves the LLM configuration.
 *
 * @param env the environment (default: the process environment)
 * @throws LlmError with code `config` and `variable` set, e.g.
 *   "OPENAI_API_KEY: required when LLM_TYPE is openai"
 *
 * @example
 * ```ts
 * import { loadLlmConfig } from "./config.ts";
 * const cfg = loadLlmConfig({ LLM_TYPE: "offline" });
 * console.log(cfg.preset, cfg.embeddings.dimensions); // offline 100
 * ```
 */
export function loadLlmConfig(env: Record<string, string | undefined> = readEnv()): LlmConfig {
  const parsed = LlmEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? "LLM config");
    const got = env[variable];
    throw configError(variable, `${issue.message}${got !== undefined ? ` (got "${got}")` : ""}`);
  }
  const e = parsed.data;
  const presetName: PresetName = e.LLM_TYPE_OVERRIDE ?? e.LLM_TYPE ?? "openai";
  const p = PRESETS[presetName];
  const selector = e.LLM_TYPE_OVERRIDE ? "LLM_TYPE_OVERRIDE" : "LLM_TYPE";
  const envOf = (name?: string): string | undefined => {
    const v = name ? (e as Record<string, unknown>)[name] : undefined;
    return typeof v === "string" ? v : undefined;
  };

  let prices: Record<string, ModelPrice> = { ...DEFAULT_PRICES };
  if (e.LLM_PRICES_JSON) {
    try {
      const extra = z.record(
        z.string(),
        z.object({ input: z.number().min(0), output: z.number().min(0) }),
      ).parse(JSON.parse(e.LLM_PRICES_JSON));
      prices = { ...prices, ...extra };
    } catch (err) {
      throw configError(
        "LLM_PRICES_JSON",
        `expected {"model": {"input": usd_per_mtok, "output": usd_per_mtok}}: ${
          (err as Error).message.slice(0, 200)
        }`,
      );
    }
  }

  const baseURL = e.LLM_BASE_URL ?? (presetName === "openai" ? e.OPENAI_BASE_URL : undefined) ??
    p.baseURL;
  if (presetName === "local" && !baseURL) {
    throw configError("LLM_BASE_URL", `required when ${selector} is local`);
  }
  let apiKey = e.LLM_API_KEY ?? envOf(p.apiKeyVar);
  if (!apiKey) {
    if (p.apiKeyVar && presetName !== "offline") {
      throw configError(p.apiKeyVar, `required when ${selector} is ${presetName}`);
    }
    apiKey = "none"; // local servers ignore the key, but the SDK wants one
  }
  const chatModel = e.LLM_MODEL ?? envOf(p.modelVar) ?? p.defaultModel;
  if (!chatModel) {
    throw configError(p.modelVar ?? "LLM_MODEL", `required when ${selector} is ${presetName}`);
  }
  const qualityModel = e.LLM_QUALITY_MODEL ??
    (envOf(p.modelVar) || e.LLM_MODEL ? chatModel : p.defaultQualityModel ?? chatModel);

  // Embeddings: own endpoint, OpenAI fallback (Groq/Anthropic), or a full-URL override (Chutes).
  let embeddings: EmbeddingEndpoint;
  const embModel = e.LLM_EMBEDDINGS_MODEL ??
    (p.embeddingsVia === "openai" || presetName === "openai"
      ? e.OPENAI_EMBEDDINGS_MODEL_OVERRIDE ?? e.OPENAI_EMBEDDINGS_MODEL
      : envOf(p.embeddingModelVar)) ??
    p.defaultEmbeddingModel;
  if (!embModel) {
    throw configError(
      p.embeddingModelVar ?? "LLM_EMBEDDINGS_MODEL",
      `required when ${selector} is ${presetName}`,
    );
  }
  const dimensions = e.LLM_EMBEDDING_DIMENSIONS ??
    (embModel === p.defaultEmbeddingModel || /^text-embedding-3-/.test(embModel)
      ? p.defaultEmbeddingDimensions
      : undefined);
  if (e.LLM_EMBEDDINGS_BASE_URL) {
    embeddings = {
      baseURL: e.LLM_EMBEDDINGS_BASE_URL,
      apiKey: e.LLM_EMBEDDINGS_API_KEY ?? apiKey,
      model: embModel,
      dimensions,
    };
  } else if (p.embeddingsVia === "openai") {
    const key = e.LLM_EMBEDDINGS_API_KEY ?? e.OPENAI_API_KEY;
    if (!key) {
      throw configError(
        "OPENAI_API_KEY",
        `required for embeddings when ${selector} is ${presetName} (embeddings go to OpenAI)`,
      );
    }
    embeddings = { baseURL: e.OPENAI_BASE_URL, apiKey: key, model: embModel, dimensions };
  } else if (p.embeddingUrlVar) {
    const full = envOf(p.embeddingUrlVar) ?? p.defaultEmbeddingUrl!;
    const m = /^(.*)\/embeddings\/?$/.exec(full);
    if (!m) {
      throw configError(p.embeddingUrlVar, `expected a URL ending in /embeddings (got "${full}")`);
    }
    embeddings = {
      baseURL: m[1],
      apiKey: e.LLM_EMBEDDINGS_API_KEY ?? apiKey,
      model: embModel,
      dimensions,
    };
  } else {
    embeddings = {
      baseURL,
      apiKey: e.LLM_EMBEDDINGS_API_KEY ?? apiKey,
      model: embModel,
      dimensions,
    };
  }

  const retryBaseMs = e.LLM_RETRY_BASE_MS ?? 500;
  const retryMaxMs = e.LLM_RETRY_MAX_MS ?? 10_000;
  if (retryMaxMs < retryBaseMs) {
    throw configError("LLM_RETRY_MAX_MS", `must be >= LLM_RETRY_BASE_MS (${retryBaseMs})`);
  }
  const cache = e.LLM_EMBEDDING_CACHE;
  const embeddingCachePath = cache && ["off", "none", "0", "false"].includes(cache.toLowerCase())
    ? null
    : cache ?? `${defaultCacheDir(env)}/embeddings.sqlite`;

  return {
    preset: presetName,
    llmType: presetName,
    baseURL,
    apiKey,
    chatModel,
    qualityModel,
    jsonMode: p.jsonMode,
    embeddings,
    extraBody: presetName === "openrouter"
      ? { provider: { order: [e.OPENROUTER_PROVIDER_PREFERENCE ?? "chutes"] } }
      : undefined,
    timeoutMs: e.LLM_TIMEOUT_MS ?? (e.HTTP_TIMEOUT ?? 60) * 1000,
    maxRetries: e.LLM_MAX_RETRIES ?? 3,
    retryBaseMs,
    retryMaxMs,
    concurrency: e.LLM_CONCURRENCY ?? 8,
    embeddingBatchSize: e.LLM_EMBEDDING_BATCH ?? 256,
    embeddingCachePath,
    offlineCacheDir: e.LLM_OFFLINE_CACHE_DIR,
    failOpenValidation: e.LLM_FAIL_OPEN_VALIDATION ?? true,
    prices,
  };
}
