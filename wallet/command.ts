/**
 * @module
 * `cgp-node wallet`: create a btcli-compatible wallet, add or restore keys, show addresses.
 * Flags follow btcli (`--wallet.name`, `--wallet.hotkey`, `--wallet.path`). Passwords come from
 * `--password-env VAR` (the variable holds the plain password), btcli's `BT_PW_<PATH>` variable,
 * or a no-echo prompt. Secrets are printed only as the mnemonic backup, and only on a terminal or
 * with `--show-mnemonic`.
 */
import type { Command } from "../main.ts";
import { KeyError, Keypair } from "./keypair.ts";
import { createColdkey, createHotkey, createWallet } from "./create_wallet.ts";
import { keypairFromPolkadotJson } from "./polkadot_json.ts";
import { openWallet, Wallet } from "./wallet.ts";
import {
  checkNewPassword,
  passwordEnvVarName,
  passwordFromEnv,
  processEnv,
  promptPassword,
} from "./password.ts";
import { resolveWalletLocation, walletPaths } from "./wallet_paths.ts";
import { WalletError } from "./errors.ts";

const HELP = `cgp-node wallet <command> [flags]

  create         new coldkey (encrypted) + hotkey, btcli layout
  new-hotkey     add a hotkey to an existing wallet
  regen-coldkey  restore a coldkey from a mnemonic or a polkadot-js JSON export
  regen-hotkey   restore a hotkey from a mnemonic
  show           print the coldkey and hotkey addresses (no secrets)

flags:
  --wallet.name NAME         wallet name (env BT_WALLET_NAME, default "default")
  --wallet.hotkey NAME       hotkey name (env BT_WALLET_HOTKEY, default "default")
  --wallet.path DIR          wallets directory (env BT_WALLET_PATH, default ~/.bittensor/wallets)
  --password-env VAR         take the new coldkey password from environment variable VAR
  --no-password              store the coldkey unencrypted (not recommended)
  --mnemonic-env VAR         regen-*: the mnemonic is in environment variable VAR (else prompted)
  --json-file FILE           regen-coldkey: polkadot-js JSON export to import
  --json-password-env VAR    regen-coldkey: password of that export (else prompted)
  --overwrite                replace existing key files
  --show-mnemonic            print new mnemonics even when stdout is not a terminal
  --json                     machine-readable output (show)

Without --password-env, the coldkey password comes from btcli's BT_PW_<PATH> variable if set,
else a prompt. Secrets are never taken from the command line.`;

const VALUE_FLAGS = new Set([
  "wallet.name",
  "wallet.hotkey",
  "wallet.path",
  "password-env",
  "mnemonic-env",
  "json-file",
  "json-password-env",
]);
const BOOL_FLAGS = new Set(["no-password", "overwrite", "show-mnemonic", "json", "help"]);

class UsageError extends Error {}

interface Parsed {
  sub?: string;
  values: Map<string, string>;
  flags: Set<string>;
}

/** Parses `sub --k v --k=v --bool` argument lists; unknown flags are usage errors. */
export function parseWalletArgs(args: string[]): Parsed {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  let sub: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-h") {
      flags.add("help");
      continue;
    }
    if (!a.startsWith("--")) {
      if (sub !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(a)}`);
      sub = a;
      continue;
    }
    const eq = a.indexOf("=");
    const key = a.slice(2, eq < 0 ? undefined : eq).replaceAll("_", "-").replace(
      /^wallet-/,
      "wallet.",
    );
    if (VALUE_FLAGS.has(key)) {
      const value = eq < 0 ? args[++i] : a.slice(eq + 1);
      if (value === undefined || (eq < 0 && value.startsWith("--"))) {
        throw new UsageError(`--${key} needs a value`);
      }
      values.set(key, value);
    } else if (BOOL_FLAGS.has(key) && eq < 0) {
      flags.add(key);
    } else {
      throw new UsageError(`unknown flag ${a}`);
    }
  }
  return { sub, values, flags };
}

function walletOptions(p: Parsed) {
  return {
    name: p.values.get("wallet.name"),
    hotkey: p.values.get("wallet.hotkey"),
    path: p.values.get("wallet.path"),
  };
}

async function newColdkeyPassword(p: Parsed, coldkeyPath: string): Promise<string | null> {
  if (p.flags.has("no-password")) return null;
  const envName = p.values.get("password-env");
  if (envName !== undefined) {
    const value = processEnv(envName);
    if (!value) {
      throw new WalletError(
        "invalid",
        `environment variable ${envName} (--password-env) is not set`,
      );
    }
    checkNewPassword(value);
    return value;
  }
  const fromBtPw = passwordFromEnv(coldkeyPath);
  if (fromBtPw !== undefined) {
    checkNewPassword(fromBtPw);
    return fromBtPw;
  }
  const first = await promptPassword("Choose a password to encrypt the coldkey: ");
  if (first === null) {
    throw new WalletError(
      "password_required",
      `no password given: use --password-env VAR, set ${passwordEnvVarName(coldkeyPath)}, ` +
        "run on a terminal, or pass --no-password",
    );
  }
  checkNewPassword(first);
  const again = await promptPassword("Retype the password: ");
  if (again !== first) throw new WalletError("invalid", "passwords do not match");
  return first;
}

function mnemonicNotice(p: Parsed, keys: [string, Keypair][]): string[] {
  if (!(p.flags.has("show-mnemonic") || Deno.stdout.isTerminal())) {
    return [
      "mnemonics not shown (stdout is not a terminal; use --show-mnemonic to print them).",
      "They are stored in the keyfiles' secretPhrase; back them up before funding these keys.",
    ];
  }
  const lines = [
    "",
    "IMPORTANT: write these mnemonics down and keep them secret; they are the keys.",
  ];
  for (const [label, kp] of keys) if (kp.mnemonic) lines.push(`  ${label}: ${kp.mnemonic}`);
  return lines;
}

async function runCreate(p: Parsed): Promise<number> {
  const options = walletOptions(p);
  const paths = walletPaths(resolveWalletLocation(options));
  const password = await newColdkeyPassword(p, paths.coldkey);
  const { wallet, coldkey, hotkey } = await createWallet({
    ...options,
    coldkeyPassword: password,
    overwrite: p.flags.has("overwrite"),
    prompt: false,
  });
  console.log(
    [
      `created wallet ${JSON.stringify(wallet.name)} in ${wallet.paths.dir}` +
      (password === null ? " (coldkey NOT encrypted)" : ""),
      `  coldkey ${coldkey.ss58Address}`,
      `  hotkey ${JSON.stringify(wallet.hotkeyName)} ${hotkey.ss58Address}`,
      ...mnemonicNotice(p, [["coldkey", coldkey], ["hotkey", hotkey]]),
    ].join("\n"),
  );
  return 0;
}

async function runNewHotkey(p: Parsed): Promise<number> {
  const { wallet, hotkey } = await createHotkey({
    ...walletOptions(p),
    overwrite: p.flags.has("overwrite"),
    prompt: false,
  });
  console.log(
    [
      `created hotkey ${JSON.stringify(wallet.hotkeyName)} in ${wallet.paths.hotkeysDir}`,
      `  hotkey ${hotkey.ss58Address}`,
      ...mnemonicNotice(p, [["hotkey", hotkey]]),
    ].join("\n"),
  );
  return 0;
}

async function secretInput(p: Parsed, envFlag: string, what: string): Promise<string> {
  const envName = p.values.get(envFlag);
  if (envName !== undefined) {
    const value = processEnv(envName);
    if (!value) {
      throw new WalletError("invalid", `environment variable ${envName} (--${envFlag}) is not set`);
    }
    return value;
  }
  const answer = await promptPassword(`Enter the ${what}: `);
  if (answer === null || answer === "") {
    throw new WalletError("invalid", `no ${what} given: use --${envFlag} VAR or run on a terminal`);
  }
  return answer;
}

async function runRegenColdkey(p: Parsed): Promise<number> {
  const options = walletOptions(p);
  const paths = walletPaths(resolveWalletLocation(options));
  const jsonFile = p.values.get("json-file");
  let keypair: Keypair;
  if (jsonFile !== undefined) {
    let text: string;
    try {
      text = await Deno.readTextFile(jsonFile);
    } catch (e) {
      throw new WalletError(
        "not_found",
        `cannot read --json-file ${jsonFile}: ${(e as Error).name}`,
      );
    }
    keypair = await keypairFromPolkadotJson(
      text,
      await secretInput(p, "json-password-env", "JSON export password"),
    );
  } else {
    keypair = await Keypair.fromMnemonic(await secretInput(p, "mnemonic-env", "coldkey mnemonic"));
  }
  const password = await newColdkeyPassword(p, paths.coldkey);
  const { wallet, coldkey } = await createColdkey({
    ...options,
    keypair,
    password,
    overwrite: p.flags.has("overwrite"),
    prompt: false,
  });
  console.log(
    `restored coldkey of wallet ${JSON.stringify(wallet.name)} in ${wallet.paths.dir}` +
      (password === null ? " (NOT encrypted)" : "") + `\n  coldkey ${coldkey.ss58Address}`,
  );
  return 0;
}

async function runRegenHotkey(p: Parsed): Promise<number> {
  const keypair = await Keypair.fromMnemonic(
    await secretInput(p, "mnemonic-env", "hotkey mnemonic"),
  );
  const { wallet, hotkey } = await createHotkey({
    ...walletOptions(p),
    keypair,
    overwrite: p.flags.has("overwrite"),
    prompt: false,
  });
  console.log(
    `restored hotkey ${
      JSON.stringify(wallet.hotkeyName)
    } in ${wallet.paths.hotkeysDir}\n  hotkey ${hotkey.ss58Address}`,
  );
  return 0;
}

async function addressOr(
  read: () => Promise<{ ss58Address: string }>,
): Promise<string | { error: string }> {
  try {
    return (await read()).ss58Address;
  } catch (e) {
    if (e instanceof WalletError) return { error: e.message };
    throw e;
  }
}

async function runShow(p: Parsed): Promise<number> {
  const options = walletOptions(p);
  const wallet = openWallet({ ...options, prompt: false });
  const names = await wallet.listHotkeys();
  const coldkey = await addressOr(() => wallet.coldkeyPub());
  const hotkeys: Record<string, string | { error: string }> = {};
  for (const name of names) {
    const w = new Wallet({ ...wallet.location, hotkey: name }, { prompt: false });
    hotkeys[name] = await addressOr(() => w.hotkeyPub());
  }
  if (p.flags.has("json")) {
    console.log(JSON.stringify({ name: wallet.name, path: wallet.paths.dir, coldkey, hotkeys }));
  } else {
    const fmt = (v: string | { error: string }) => typeof v === "string" ? v : `(${v.error})`;
    console.log(`wallet ${JSON.stringify(wallet.name)} in ${wallet.paths.dir}`);
    console.log(`  coldkey ${fmt(coldkey)}`);
    if (names.length === 0) console.log("  no hotkeys");
    for (const name of names) console.log(`  hotkey ${JSON.stringify(name)} ${fmt(hotkeys[name])}`);
  }
  return typeof coldkey === "string" || names.length > 0 ? 0 : 1;
}

/** The `wallet` command of `cgp-node`. */
export const walletCommand: Command = {
  summary: "create wallets, add hotkeys, show addresses (btcli-compatible files)",
  async run(args: string[]): Promise<number> {
    let parsed: Parsed;
    try {
      parsed = parseWalletArgs(args);
    } catch (e) {
      console.error(`${(e as Error).message}\n\n${HELP}`);
      return 2;
    }
    if (parsed.flags.has("help") || parsed.sub === undefined) {
      console.log(HELP);
      return parsed.sub === undefined && !parsed.flags.has("help") ? 2 : 0;
    }
    try {
      switch (parsed.sub) {
        case "create":
          return await runCreate(parsed);
        case "new-hotkey":
          return await runNewHotkey(parsed);
        case "regen-coldkey":
          return await runRegenColdkey(parsed);
        case "regen-hotkey":
          return await runRegenHotkey(parsed);
        case "show":
          return await runShow(parsed);
        default:
          console.error(`unknown wallet command ${JSON.stringify(parsed.sub)}\n\n${HELP}`);
          return 2;
      }
    } catch (e) {
      if (e instanceof WalletError || e instanceof KeyError) {
        console.error(`error: ${e.message}`);
        return 1;
      }
      throw e;
    }
  },
};
