/**
 * @module
 * A btcli wallet opened for use by the miner and validator: the hotkey (plaintext, loaded once
 * and kept), the coldkey's public half from `coldkeypub.txt`, and the encrypted coldkey on
 * demand. Opening does no I/O; each accessor reads its file when first asked.
 */
import type { Keypair } from "./keypair.ts";
import type { KeyfileKey, PublicKeyInfo } from "./keyfile_json.ts";
import { loadKeyfile, type ReadKeyfileOptions } from "./keyfile.ts";
import { type EnvGetter, type PasswordPrompt, processEnv, promptPassword } from "./password.ts";
import {
  resolveWalletLocation,
  type WalletLocation,
  type WalletOptions,
  type WalletPaths,
  walletPaths,
} from "./wallet_paths.ts";
import { WalletError } from "./errors.ts";

/** Options of {@link openWallet}: which wallet, plus injectable environment and prompt. */
export interface OpenWalletOptions extends WalletOptions {
  /** Environment lookup for `BT_WALLET_*`, `BT_PW_*`, `HOME` (default: the process env). */
  env?: EnvGetter;
  /** Home directory for `~` (default: `HOME` from `env`). */
  home?: string;
  /**
   * How to ask for a coldkey password when neither the caller nor `BT_PW_` gives one.
   * Default: the terminal prompt; `false` never prompts (services, tests).
   */
  prompt?: PasswordPrompt | false;
}

const CREATE_HINT = "create it with `cgp-node wallet create` or btcli";

/**
 * One wallet (coldkey + selected hotkey) in the btcli layout.
 *
 * @example
 * ```ts ignore
 * import { openWallet } from "./mod.ts";
 * const wallet = openWallet({ name: "miner", hotkey: "default" });
 * const hotkey = await wallet.hotkey(); // Signer for the axon/dendrite
 * const cold = await wallet.coldkeyPub(); // { ss58Address, publicKey }
 * ```
 */
export class Wallet {
  /** Names and directory. */
  readonly location: WalletLocation;
  /** Every file of this wallet and hotkey. */
  readonly paths: WalletPaths;
  readonly #env: EnvGetter;
  readonly #prompt: PasswordPrompt | false;
  #hotkey?: Promise<Keypair>;

  constructor(
    location: WalletLocation,
    options: { env?: EnvGetter; prompt?: PasswordPrompt | false } = {},
  ) {
    this.location = location;
    this.paths = walletPaths(location);
    this.#env = options.env ?? processEnv;
    this.#prompt = options.prompt === undefined ? promptPassword : options.prompt;
  }

  /** Wallet (coldkey) name. */
  get name(): string {
    return this.location.name;
  }

  /** Selected hotkey name. */
  get hotkeyName(): string {
    return this.location.hotkey;
  }

  /** The wallets directory (expanded). */
  get path(): string {
    return this.location.path;
  }

  #read(path: string, label: string, password?: string): Promise<KeyfileKey> {
    const options: ReadKeyfileOptions = {
      label,
      createHint: CREATE_HINT,
      password,
      env: this.#env,
      prompt: this.#prompt,
    };
    return loadKeyfile(path, options);
  }

  async #secret(path: string, label: string, password?: string): Promise<Keypair> {
    const key = await this.#read(path, label, password);
    if (key.kind !== "keypair") {
      throw new WalletError(
        "corrupt",
        `${label} file at ${path} holds only a public key (${key.key.ss58Address}), no secret`,
        path,
      );
    }
    return key.keypair;
  }

  /**
   * The hotkey keypair (the node's signer), read once and kept. An encrypted hotkey takes
   * `password`, else its `BT_PW_` variable, else the prompt.
   */
  hotkey(password?: string): Promise<Keypair> {
    if (!this.#hotkey) {
      const loading = this.#secret(this.paths.hotkey, "hotkey", password);
      this.#hotkey = loading;
      loading.catch(() => {
        if (this.#hotkey === loading) this.#hotkey = undefined;
      });
    }
    return this.#hotkey;
  }

  /**
   * The hotkey's public key, from `hotkeys/<hotkey>pub.txt`; wallets made before that file
   * existed fall back to the hotkey file itself.
   */
  async hotkeyPub(): Promise<PublicKeyInfo> {
    try {
      return publicOf(await this.#read(this.paths.hotkeypub, "hotkeypub"));
    } catch (e) {
      if (!(e instanceof WalletError && e.code === "not_found")) throw e;
    }
    const kp = await this.hotkey();
    return { ss58Address: kp.ss58Address, publicKey: kp.publicKey };
  }

  /** The coldkey's public key from `coldkeypub.txt` (no password needed). */
  async coldkeyPub(): Promise<PublicKeyInfo> {
    return publicOf(await this.#read(this.paths.coldkeypub, "coldkeypub"));
  }

  /**
   * The full coldkey, decrypted with `password`, else the `BT_PW_` variable btcli would use,
   * else the prompt. Not kept: every call reads (and decrypts) again.
   */
  coldkey(password?: string): Promise<Keypair> {
    return this.#secret(this.paths.coldkey, "coldkey", password);
  }

  /** Names of the hotkeys present in this wallet's `hotkeys/` directory (sorted). */
  async listHotkeys(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.paths.hotkeysDir)) {
        if (entry.isFile && !entry.name.endsWith("pub.txt") && !entry.name.includes(".tmp-")) {
          names.push(entry.name);
        }
      }
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return [];
      throw new WalletError("io", `cannot list ${this.paths.hotkeysDir}: ${(e as Error).name}`);
    }
    return names.sort();
  }

  /** Never prints secrets: names and paths only. */
  toJSON(): WalletLocation {
    return { ...this.location };
  }
}

function publicOf(key: KeyfileKey): PublicKeyInfo {
  if (key.kind === "public") return key.key;
  return { ss58Address: key.keypair.ss58Address, publicKey: key.keypair.publicKey };
}

/**
 * Opens a wallet by name, hotkey and path (each falling back to `BT_WALLET_NAME`,
 * `BT_WALLET_HOTKEY`, `BT_WALLET_PATH`, then btcli's defaults). Does no I/O.
 *
 * @example
 * ```ts
 * import { openWallet } from "./wallet.ts";
 * const w = openWallet({ name: "a", hotkey: "h", path: "/tmp/wallets", env: () => undefined });
 * console.assert(w.paths.hotkey === "/tmp/wallets/a/hotkeys/h");
 * ```
 */
export function openWallet(options: OpenWalletOptions = {}): Wallet {
  const env = options.env ?? processEnv;
  const location = resolveWalletLocation(options, env, options.home ?? env("HOME"));
  return new Wallet(location, { env, prompt: options.prompt });
}
