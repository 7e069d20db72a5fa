/**
 * @module
 * The btcli wallet layout: `<path>/<name>/coldkey`, `coldkeypub.txt`,
 * `hotkeys/<hotkey>` and `hotkeys/<hotkey>pub.txt`, with btcli's defaults
 * (`~/.bittensor/wallets`, `default`, `default`) and environment overrides
 * (`BT_WALLET_NAME`, `BT_WALLET_HOTKEY`, `BT_WALLET_PATH`). Pure string work.
 */
import { type EnvGetter, processEnv } from "./password.ts";
import { WalletError } from "./errors.ts";

/** btcli's default wallets directory. */
export const DEFAULT_WALLET_PATH = "~/.bittensor/wallets";
/** btcli's default wallet and hotkey name. */
export const DEFAULT_WALLET_NAME = "default";
/** btcli's default hotkey name. */
export const DEFAULT_HOTKEY_NAME = "default";

/** Which wallet to use; anything left out comes from the environment, then the defaults. */
export interface WalletOptions {
  /** Wallet (coldkey) name, `--wallet.name`. */
  name?: string;
  /** Hotkey name, `--wallet.hotkey`. */
  hotkey?: string;
  /** Wallets directory, `--wallet.path`; `~` is expanded. */
  path?: string;
}

/** A wallet fully located: names and the expanded wallets directory. */
export interface WalletLocation {
  name: string;
  hotkey: string;
  /** The wallets directory, `~` expanded, no trailing slash. */
  path: string;
}

/** Every file of one wallet + hotkey. */
export interface WalletPaths {
  /** `<path>/<name>` */
  dir: string;
  /** `<path>/<name>/coldkey` */
  coldkey: string;
  /** `<path>/<name>/coldkeypub.txt` */
  coldkeypub: string;
  /** `<path>/<name>/hotkeys` */
  hotkeysDir: string;
  /** `<path>/<name>/hotkeys/<hotkey>` */
  hotkey: string;
  /** `<path>/<name>/hotkeys/<hotkey>pub.txt` */
  hotkeypub: string;
}

/** Expands a leading `~` (alone or `~/...`) to the home directory, as Python's `expanduser`. */
export function expandHome(path: string, home: string | undefined): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  if (!home) {
    throw new WalletError("invalid", `cannot expand ~ in wallet path ${path}: HOME is not set`);
  }
  return home.replace(/\/+$/, "") + path.slice(1);
}

function checkName(kind: string, value: string): string {
  if (value === "" || value === "." || value === ".." || /[/\\\0]/.test(value)) {
    throw new WalletError(
      "invalid",
      `${kind} name ${
        JSON.stringify(value)
      } is not a plain file name (no /, not empty, not . or ..)`,
    );
  }
  return value;
}

/**
 * Resolves options against the environment and the defaults.
 *
 * @example
 * ```ts
 * import { resolveWalletLocation } from "./wallet_paths.ts";
 * const loc = resolveWalletLocation({ path: "~/w/" }, () => undefined, "/home/a");
 * console.assert(loc.path === "/home/a/w" && loc.name === "default");
 * ```
 */
export function resolveWalletLocation(
  options: WalletOptions = {},
  env: EnvGetter = processEnv,
  home: string | undefined = env("HOME"),
): WalletLocation {
  // An empty variable counts as unset.
  const fromEnv = (k: string) => env(k) || undefined;
  const name = options.name ?? fromEnv("BT_WALLET_NAME") ?? DEFAULT_WALLET_NAME;
  const hotkey = options.hotkey ?? fromEnv("BT_WALLET_HOTKEY") ?? DEFAULT_HOTKEY_NAME;
  const rawPath = options.path ?? fromEnv("BT_WALLET_PATH") ?? DEFAULT_WALLET_PATH;
  if (rawPath === "") throw new WalletError("invalid", "wallet path is empty");
  const expanded = expandHome(rawPath, home);
  const path = expanded.length > 1 ? expanded.replace(/\/+$/, "") || "/" : expanded;
  return { name: checkName("wallet", name), hotkey: checkName("hotkey", hotkey), path };
}

/** The files of a located wallet (joined with `/`, like btwallet's `PathBuf::join`). */
export function walletPaths(location: WalletLocation): WalletPaths {
  const root = location.path === "/" ? "" : location.path;
  const dir = `${root}/${location.name}`;
  const hotkeysDir = `${dir}/hotkeys`;
  return {
    dir,
    coldkey: `${dir}/coldkey`,
    coldkeypub: `${dir}/coldkeypub.txt`,
    hotkeysDir,
    hotkey: `${hotkeysDir}/${location.hotkey}`,
    hotkeypub: `${hotkeysDir}/${location.hotkey}pub.txt`,
  };
}
