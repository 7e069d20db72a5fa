/**
 * @module
 * `cgp-node api`: runs the conversation store (`serve`, the default), imports files into it
 * (`import FILE`), or hands out an operator key without the chain check (`add-key`).
 */
import type { Command } from "../main.ts";
import { FlagError, type FlagSpecs, helpText, parseFlags } from "../config/flags.ts";
import { setupLogging } from "../config/logging.ts";
import { TASK_TYPES, type TaskType } from "../tasks/mod.ts";
import {
  hashApiKey,
  MIN_STAKE_MAINNET,
  MIN_STAKE_TESTNET,
  newApiKey,
  StaticValidatorDirectory,
  type ValidatorDirectory,
  type ValidatorInfo,
} from "./api_keys.ts";
import { IMPORT_FORMATS, importFile, type ImportFormat } from "./importers/import_file.ts";
import { defaultDbPath, openRepository } from "./open_repository.ts";
import { TASK_TYPE_ALIASES } from "./schemas.ts";
import { startStore, type StaticApiKey, STORE_DEFAULTS } from "./server.ts";

const dbFlag = {
  kind: "string",
  env: "CGP_STORE_DB",
  help:
    `database: sqlite:PATH or postgres://user:pass@host/db[?schema=NAME] (default sqlite:${defaultDbPath()})`,
} as const;

const SERVE_FLAGS = {
  port: {
    kind: "int",
    default: STORE_DEFAULTS.port,
    env: "LOCAL_CGP_API_PORT",
    help: "port to listen on",
  },
  host: { kind: "string", default: STORE_DEFAULTS.host, help: "address to bind" },
  db: dbFlag,
  import: { kind: "string", help: "file to import before serving (comma-separated for several)" },
  "demo-data": { kind: "boolean", help: "load the project's demo dataset if the store is empty" },
  "require-api-key": {
    kind: "boolean",
    default: true,
    help: "refuse reserve, record and browsing without a known API key",
  },
  "lease-seconds": {
    kind: "int",
    default: STORE_DEFAULTS.leaseSeconds,
    help: "how long a reserved conversation stays with its validator",
  },
  network: {
    kind: "string",
    default: "finney",
    help: "finney | test | local: sets the default minimum stake (20000 / 10 / 0 TAO)",
  },
  "min-stake": { kind: "float", help: "minimum validator stake (TAO) for an API key" },
  chain: {
    kind: "boolean",
    help:
      "check key requests against the subnet's metagraph on subtensor (registration, permit, stake)",
  },
  "subtensor.network": {
    kind: "string",
    help: "chain for --chain: finney, test, local or ws(s)://… (default: --network)",
  },
  "subtensor.chain_endpoint": { kind: "string", help: "ws(s) endpoint for --chain (wins)" },
  netuid: { kind: "int", help: "subnet for --chain (default 33; 138 with --network test)" },
  validators: {
    kind: "string",
    help:
      'JSON file {"<hotkey>": {"registered": true, "validatorPermit": true, "stakeTao": 1}} used to check key requests',
  },
  "api-keys": {
    kind: "string",
    env: "CGP_STORE_API_KEYS",
    help: "operator keys accepted without issuance: KEY:HOTKEY,KEY:HOTKEY",
  },
  "task-types": {
    kind: "string",
    help: `types handed out when a reserve names none (comma list of ${
      Object.keys(TASK_TYPE_ALIASES).join(", ")
    }; default all)`,
  },
  "max-body-bytes": {
    kind: "int",
    default: STORE_DEFAULTS.maxBodyBytes,
    help: "largest request body accepted",
  },
  "allow-unknown-guids": { kind: "boolean", help: "accept records for guids never handed out" },
  "metrics-any-host": { kind: "boolean", help: "serve /metrics to any address, not only loopback" },
  progress: { kind: "boolean", help: "draw the import progress bar even when not on a terminal" },
  help: { kind: "boolean", help: "show this help" },
} satisfies FlagSpecs;

const IMPORT_FLAGS = {
  db: dbFlag,
  format: { kind: "string", default: "auto", help: `one of ${IMPORT_FORMATS.join(", ")}` },
  progress: { kind: "boolean", help: "draw the progress bar even when not on a terminal" },
  help: { kind: "boolean", help: "show this help" },
} satisfies FlagSpecs;

const ADD_KEY_FLAGS = {
  db: dbFlag,
  hotkey: { kind: "string", help: "the validator hotkey the key belongs to (required)" },
  label: { kind: "string", default: "operator", help: "a note stored with the key" },
  help: { kind: "boolean", help: "show this help" },
} satisfies FlagSpecs;

const SUMMARY = "run the conversation store (CGP API): reserve/record, API keys, import";

function usage(): string {
  return [
    "usage: cgp-node api [serve] [flags] | api import FILE [flags] | api add-key --hotkey SS58",
    "",
    helpText("api serve", SUMMARY, SERVE_FLAGS),
    "",
    helpText(
      "api import FILE",
      "import conversations (JSON, PersonaChat JSON/CSV, JSONL)",
      IMPORT_FLAGS,
    ),
    "",
    helpText(
      "api add-key",
      "issue a key for a hotkey without the chain check; prints it",
      ADD_KEY_FLAGS,
    ),
  ].join("\n");
}

/** Parses `KEY:HOTKEY,KEY:HOTKEY`. */
export function parseStaticKeys(spec: string | undefined): StaticApiKey[] {
  if (!spec) return [];
  return spec.split(",").map((s) => s.trim()).filter(Boolean).map((pair) => {
    const at = pair.lastIndexOf(":");
    if (at <= 0 || at === pair.length - 1) {
      throw new FlagError([`--api-keys: expected KEY:HOTKEY, got ${JSON.stringify(pair)}`]);
    }
    return { key: pair.slice(0, at), hotkey: pair.slice(at + 1), label: "static" };
  });
}

/** Parses the `--task-types` list. */
export function parseTaskTypes(spec: string | undefined): TaskType[] {
  if (!spec) return [];
  return spec.split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
    const t = TASK_TYPE_ALIASES[s.toLowerCase()];
    if (!t) {
      throw new FlagError([
        `--task-types: unknown type ${JSON.stringify(s)} (known: ${TASK_TYPES.join(", ")})`,
      ]);
    }
    return t;
  });
}

async function loadDirectory(path: string): Promise<ValidatorDirectory> {
  const raw = JSON.parse(await Deno.readTextFile(path)) as Record<string, Partial<ValidatorInfo>>;
  const dir = new StaticValidatorDirectory();
  for (const [hotkey, v] of Object.entries(raw)) {
    dir.set(hotkey, {
      registered: v.registered ?? true,
      validatorPermit: v.validatorPermit ?? false,
      stakeTao: Number(v.stakeTao ?? 0),
    });
  }
  return dir;
}

async function serve(args: string[]): Promise<number> {
  const { flags } = parseFlags(args, SERVE_FLAGS);
  if (flags.help) return (console.log(usage()), 0);
  const net = flags.network ?? "finney";
  const minStake = flags["min-stake"] ??
    (net === "test" ? MIN_STAKE_TESTNET : net === "local" ? 0 : MIN_STAKE_MAINNET);
  if (flags.chain && flags.validators) {
    throw new FlagError(["--chain and --validators: choose one way to check key requests"]);
  }
  let directory: ValidatorDirectory | undefined;
  let closeChain = () => Promise.resolve();
  if (flags.validators) directory = await loadDirectory(flags.validators);
  else if (flags.chain) {
    const { connectChainDirectory } = await import("./chain_directory.ts");
    const c = await connectChainDirectory({
      network: flags["subtensor.network"] ?? net,
      chainEndpoint: flags["subtensor.chain_endpoint"],
      netuid: flags.netuid ?? (net === "test" ? 138 : 33),
    });
    directory = c.directory;
    closeChain = c.close;
  }
  const ac = new AbortController();
  const stop = () => ac.abort();
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
  const store = await startStore({
    db: flags.db,
    port: flags.port,
    host: flags.host,
    importFiles: flags.import ? flags.import.split(",").map((s) => s.trim()) : undefined,
    importProgress: flags.progress || undefined,
    demoData: flags["demo-data"],
    requireApiKey: flags["require-api-key"],
    leaseSeconds: flags["lease-seconds"],
    minStakeTao: minStake,
    directory,
    apiKeys: parseStaticKeys(flags["api-keys"]),
    taskTypes: parseTaskTypes(flags["task-types"]),
    maxBodyBytes: flags["max-body-bytes"],
    allowUnknownGuids: flags["allow-unknown-guids"],
    metricsFromAnyHost: flags["metrics-any-host"],
  }).catch(async (e) => {
    await closeChain();
    throw e;
  });
  const count = await store.repo.countItems();
  console.error(
    `cgp store: listening on ${store.url} (${store.repo.backend}, ${count} items, API key ${
      flags["require-api-key"] ? "required" : "optional"
    })`,
  );
  await new Promise<void>((resolve) => ac.signal.addEventListener("abort", () => resolve()));
  await store.close();
  await closeChain();
  return 0;
}

async function importCommand(args: string[]): Promise<number> {
  const { flags, rest } = parseFlags(args, IMPORT_FLAGS);
  if (flags.help || !rest.length) {
    console.log(usage());
    return flags.help ? 0 : 2;
  }
  const format = flags.format as ImportFormat;
  if (!IMPORT_FORMATS.includes(format)) {
    throw new FlagError([`--format: expected one of ${IMPORT_FORMATS.join(", ")}`]);
  }
  const repo = await openRepository(flags.db);
  let bad = 0;
  try {
    for (const file of rest) {
      const r = await importFile(repo, file, { format, progress: flags.progress || undefined });
      for (const s of r.skipped) console.error(`${file}:${s.line}: skipped: ${s.reason}`);
      console.log(JSON.stringify({
        file,
        format: r.format,
        read: r.read,
        inserted: r.inserted,
        duplicates: r.duplicates,
        skipped: r.skipped.length,
      }));
      bad += r.skipped.length;
    }
  } finally {
    await repo.close();
  }
  return bad ? 1 : 0;
}

async function addKey(args: string[]): Promise<number> {
  const { flags } = parseFlags(args, ADD_KEY_FLAGS);
  if (flags.help) return (console.log(usage()), 0);
  if (!flags.hotkey) throw new FlagError(["--hotkey: required"]);
  const repo = await openRepository(flags.db);
  try {
    const key = newApiKey();
    await repo.putApiKey(hashApiKey(key), {
      hotkey: flags.hotkey,
      label: flags.label ?? null,
      createdAt: Date.now(),
    });
    console.log(JSON.stringify({ api_key: key, hotkey: flags.hotkey }));
  } finally {
    await repo.close();
  }
  return 0;
}

/** `cgp-node api`. */
export const apiCommand: Command = {
  summary: SUMMARY,
  async run(args: string[]): Promise<number> {
    await setupLogging((Deno.env.get("CGP_LOG_LEVEL") as "info" | undefined) ?? "info");
    const [sub, ...rest] = args;
    try {
      if (sub === "import") return await importCommand(rest);
      if (sub === "add-key") return await addKey(rest);
      if (sub === "serve") return await serve(rest);
      if (sub === "--help" || sub === "-h" || sub === "help") return (console.log(usage()), 0);
      if (sub && !sub.startsWith("--")) {
        console.error(`api: unknown sub-command ${JSON.stringify(sub)}\n\n${usage()}`);
        return 2;
      }
      return await serve(args);
    } catch (e) {
      if (e instanceof FlagError) {
        console.error(`${e.message}\n\nRun \`cgp-node api --help\` for the flags.`);
        return 2;
      }
      console.error(`api: ${(e as Error).message}`);
      return 1;
    }
  },
};
