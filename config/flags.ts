/**
 * @module
 * Command-line flags the way the Python neurons take them (`--netuid 33`,
 * `--wallet.name=default`, `--logging.debug`), declared once per command as a typed spec.
 * Every bad or unknown flag is reported by name; nothing is silently ignored.
 */

/** How one flag is read. */
export type FlagKind = "string" | "int" | "float" | "boolean";

/** One flag: its kind, default and help line. */
export interface FlagSpec<K extends FlagKind = FlagKind> {
  kind: K;
  default?: FlagValue<K>;
  help: string;
  /** Extra check on the parsed value; return an error message or undefined. */
  check?: (value: FlagValue<K>) => string | undefined;
  /** Environment variable that supplies the value when the flag is absent. */
  env?: string;
}

/** The TypeScript type of a flag kind. */
export type FlagValue<K extends FlagKind> = K extends "string" ? string
  : K extends "boolean" ? boolean
  : number;

/** A flag spec of any kind. */
export type AnyFlagSpec = { [K in FlagKind]: FlagSpec<K> }[FlagKind];

/** A set of flags by name (without the leading `--`). */
export type FlagSpecs = Record<string, AnyFlagSpec>;

/** Parsed values: a flag with a default (or a boolean) is always present. */
export type Flags<S extends FlagSpecs> = {
  [N in keyof S]: S[N] extends FlagSpec<infer K> ? FlagValue<K> | undefined : never;
};

/** Every problem found in argv, each naming the flag. */
export class FlagError extends Error {
  override name = "FlagError";
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

function parseValue(name: string, spec: AnyFlagSpec, raw: string): FlagValue<FlagKind> | string {
  switch (spec.kind) {
    case "string":
      return raw;
    case "boolean": {
      const v = raw.toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      return `--${name}: expected true or false, got ${JSON.stringify(raw)}`;
    }
    case "int": {
      if (!/^[+-]?\d+$/.test(raw.trim())) {
        return `--${name}: expected an integer, got ${JSON.stringify(raw)}`;
      }
      return Number(raw);
    }
    case "float": {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n)) {
        return `--${name}: expected a number, got ${JSON.stringify(raw)}`;
      }
      return n;
    }
  }
}

/**
 * Parses `argv` against `specs`. `--flag value`, `--flag=value`; a boolean flag alone means true
 * (`--flag false` or `--flag=false` turns it off). Positional arguments are returned in `rest`.
 * Throws {@link FlagError} listing every problem.
 *
 * @example
 * ```ts
 * const { flags } = parseFlags(["--netuid", "33"], { netuid: { kind: "int", default: 1, help: "" } });
 * flags.netuid; // 33
 * ```
 */
export function parseFlags<S extends FlagSpecs>(
  argv: readonly string[],
  specs: S,
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): { flags: Flags<S>; rest: string[]; given: Set<string> } {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  const given = new Set<string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = specs[name];
    if (!spec) {
      problems.push(`--${name}: unknown flag${suggest(name, Object.keys(specs))}`);
      continue;
    }
    let raw: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (spec.kind === "boolean") {
        if (next !== undefined && (TRUE.has(next.toLowerCase()) || FALSE.has(next.toLowerCase()))) {
          raw = next;
          i++;
        } else raw = "true";
      } else if (next === undefined || next.startsWith("--")) {
        problems.push(`--${name}: missing value`);
        continue;
      } else {
        raw = next;
        i++;
      }
    }
    const v = parseValue(name, spec, raw);
    if (typeof v === "string" && spec.kind !== "string") problems.push(v);
    else {
      out[name] = v;
      given.add(name);
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (!(name in out) && spec.env) {
      const raw = env(spec.env);
      if (raw !== undefined && raw !== "") {
        const v = parseValue(name, spec, raw);
        if (typeof v === "string" && spec.kind !== "string") {
          problems.push(`${v} (from ${spec.env})`);
        } else out[name] = v;
      }
    }
    if (!(name in out)) {
      if (spec.default !== undefined) out[name] = spec.default;
      else if (spec.kind === "boolean") out[name] = false;
    }
    if (name in out && spec.check) {
      const msg = (spec.check as (v: unknown) => string | undefined)(out[name]);
      if (msg) problems.push(`--${name}: ${msg}`);
    }
  }
  if (problems.length) throw new FlagError(problems);
  return { flags: out as Flags<S>, rest, given };
}

function suggest(name: string, known: string[]): string {
  const close = known.filter((k) => k.endsWith(name) || name.endsWith(k) || distance(k, name) <= 2);
  return close.length ? ` (did you mean --${close[0]}?)` : "";
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
        d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
  }
  return d[a.length][b.length];
}

/** A `--help` text for a spec, one flag a line. */
export function helpText(command: string, summary: string, specs: FlagSpecs): string {
  const lines = Object.entries(specs).map(([name, s]) => {
    const def = s.default !== undefined ? ` (default: ${String(s.default)})` : "";
    const env = s.env ? ` [env ${s.env}]` : "";
    return `  --${name}${s.kind === "boolean" ? "" : ` <${s.kind}>`}\n      ${s.help}${def}${env}`;
  });
  return [`usage: cgp-node ${command} [flags]`, "", summary, "", "flags:", ...lines].join("\n");
}

/** Checks shared by many flags. */
export const checks = {
  port: (v: number) => (v > 0 && v < 65536 ? undefined : `port must be 1..65535, got ${v}`),
  positive: (v: number) => (v > 0 ? undefined : `must be > 0, got ${v}`),
  nonNegative: (v: number) => (v >= 0 ? undefined : `must be >= 0, got ${v}`),
  fraction: (v: number) => (v >= 0 && v <= 1 ? undefined : `must be between 0 and 1, got ${v}`),
  netuid: (v: number) => (v >= 0 && v < 65536 ? undefined : `netuid must be 0..65535, got ${v}`),
};

/**
 * A command's flag handling in one call: parses `args`, prints `--help` (when the spec has a
 * `help` flag and it is given) or every problem, and says whether to go on.
 *
 * @example
 * ```ts ignore
 * const r = commandFlags("demo", "Run a local subnet.", args, specs);
 * if ("exit" in r) return r.exit;
 * r.flags.steps;
 * ```
 */
export function commandFlags<S extends FlagSpecs>(
  command: string,
  summary: string,
  args: readonly string[],
  specs: S,
): { flags: Flags<S>; given: Set<string> } | { exit: number } {
  try {
    const { flags, given } = parseFlags(args, specs);
    if ((flags as Record<string, unknown>).help === true) {
      console.log(helpText(command, summary, specs));
      return { exit: 0 };
    }
    return { flags, given };
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    console.error(`${command}: bad flags:\n${e.message}\n\nRun with --help for the flags.`);
    return { exit: 2 };
  }
}
