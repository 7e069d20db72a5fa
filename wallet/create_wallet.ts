/**
 * @module
 * Making wallets the Python `bittensor-wallet` loads unchanged: an encrypted (or, if asked,
 * plaintext) `coldkey`, `coldkeypub.txt`, a plaintext hotkey and `hotkeys/<hotkey>pub.txt`.
 * Files are 0600, new directories 0700, and nothing existing is overwritten unless asked; all
 * targets are checked before the first file is written, so a refusal leaves no half wallet.
 */
import { Keypair } from "./keypair.ts";
import { keyfileJsonFor, publicKeyfileJson } from "./keyfile_json.ts";
import { pathExists, writeKeyfile } from "./keyfile.ts";
import { checkNewPassword } from "./password.ts";
import { openWallet, type OpenWalletOptions, type Wallet } from "./wallet.ts";
import { WalletError } from "./errors.ts";

/** Creates a directory (and missing parents) with mode 0700; existing ones are left as they are. */
export async function ensurePrivateDir(path: string): Promise<void> {
  const missing: string[] = [];
  let p = path;
  while (p && p !== "/" && p !== "." && !(await pathExists(p))) {
    missing.unshift(p);
    const cut = p.lastIndexOf("/");
    p = cut <= 0 ? (cut === 0 ? "/" : "") : p.slice(0, cut);
  }
  for (const dir of missing) {
    try {
      await Deno.mkdir(dir, { mode: 0o700 });
      await Deno.chmod(dir, 0o700);
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) continue;
      throw new WalletError("io", `cannot create directory ${dir}: ${(e as Error).name}`, dir);
    }
  }
}

async function refuseExisting(paths: string[], overwrite: boolean): Promise<void> {
  if (overwrite) return;
  for (const path of paths) {
    if (await pathExists(path)) {
      throw new WalletError(
        "exists",
        `${path} already exists; refusing to overwrite a key (pass --overwrite, or overwrite: true, to replace it)`,
        path,
      );
    }
  }
}

/** Options of {@link createWallet}. */
export interface CreateWalletOptions extends OpenWalletOptions {
  /** Password to encrypt the coldkey with; `null` writes it in plaintext (not recommended). */
  coldkeyPassword: string | null;
  /** Replace existing key files (default false: refuse). */
  overwrite?: boolean;
  /** Coldkey to store (e.g. regenerated from a mnemonic); default: a new 12-word key. */
  coldkeyPair?: Keypair;
  /** Hotkey to store; default: a new 12-word key. */
  hotkeyPair?: Keypair;
}

/** What {@link createWallet} made; the keypairs carry the mnemonics to show for backup. */
export interface CreatedWallet {
  wallet: Wallet;
  coldkey: Keypair;
  hotkey: Keypair;
}

/**
 * Creates a full wallet: coldkey (+ `coldkeypub.txt`) and hotkey (+ `<hotkey>pub.txt`).
 *
 * @example
 * ```ts ignore
 * import { createWallet } from "./mod.ts";
 * const { coldkey, hotkey } = await createWallet({
 *   name: "miner", hotkey: "default", path: "/tmp/wallets", coldkeyPassword: "correct horse",
 * });
 * ```
 */
export async function createWallet(options: CreateWalletOptions): Promise<CreatedWallet> {
  if (options.coldkeyPassword !== null) checkNewPassword(options.coldkeyPassword);
  const wallet = openWallet(options);
  const p = wallet.paths;
  const overwrite = options.overwrite ?? false;
  await refuseExisting([p.coldkey, p.coldkeypub, p.hotkey, p.hotkeypub], overwrite);
  const coldkey = options.coldkeyPair ?? await Keypair.generate();
  const hotkey = options.hotkeyPair ?? await Keypair.generate();
  await ensurePrivateDir(p.hotkeysDir);
  await writeColdkeyFiles(wallet, coldkey, options.coldkeyPassword, overwrite);
  await writeHotkeyFiles(wallet, hotkey, null, overwrite);
  return { wallet, coldkey, hotkey };
}

async function writeColdkeyFiles(
  wallet: Wallet,
  coldkey: Keypair,
  password: string | null,
  overwrite: boolean,
): Promise<void> {
  const p = wallet.paths;
  await writeKeyfile(p.coldkey, keyfileJsonFor(coldkey), { password, overwrite, label: "coldkey" });
  await writeKeyfile(p.coldkeypub, publicKeyfileJson(coldkey), { overwrite, label: "coldkeypub" });
}

/** Options of {@link createColdkey}. */
export interface CreateColdkeyOptions extends OpenWalletOptions {
  /** Password to encrypt the coldkey with; `null` writes it in plaintext (not recommended). */
  password: string | null;
  /** Replace an existing coldkey (default false: refuse). */
  overwrite?: boolean;
  /** Coldkey to store (regenerated from a mnemonic or polkadot-js JSON); default: a new key. */
  keypair?: Keypair;
}

/** Writes a wallet's coldkey and `coldkeypub.txt` (regen-coldkey); hotkeys are not touched. */
export async function createColdkey(
  options: CreateColdkeyOptions,
): Promise<{ wallet: Wallet; coldkey: Keypair }> {
  if (options.password !== null) checkNewPassword(options.password);
  const wallet = openWallet(options);
  const overwrite = options.overwrite ?? false;
  await refuseExisting([wallet.paths.coldkey, wallet.paths.coldkeypub], overwrite);
  const coldkey = options.keypair ?? await Keypair.generate();
  await ensurePrivateDir(wallet.paths.dir);
  await writeColdkeyFiles(wallet, coldkey, options.password, overwrite);
  return { wallet, coldkey };
}

/** Options of {@link createHotkey}. */
export interface CreateHotkeyOptions extends OpenWalletOptions {
  /** Replace an existing hotkey (default false: refuse). */
  overwrite?: boolean;
  /** Hotkey to store; default: a new 12-word key. */
  keypair?: Keypair;
  /** Encrypt the hotkey (unusual; btcli's default is plaintext). */
  password?: string | null;
}

async function writeHotkeyFiles(
  wallet: Wallet,
  hotkey: Keypair,
  password: string | null,
  overwrite: boolean,
): Promise<void> {
  const p = wallet.paths;
  await writeKeyfile(p.hotkey, keyfileJsonFor(hotkey), { password, overwrite, label: "hotkey" });
  await writeKeyfile(p.hotkeypub, publicKeyfileJson(hotkey), { overwrite, label: "hotkeypub" });
}

/** Adds a hotkey (`hotkeys/<hotkey>` + `<hotkey>pub.txt`) to a wallet; the coldkey is not touched. */
export async function createHotkey(
  options: CreateHotkeyOptions,
): Promise<{ wallet: Wallet; hotkey: Keypair }> {
  const password = options.password ?? null;
  if (password !== null) checkNewPassword(password);
  const wallet = openWallet(options);
  const overwrite = options.overwrite ?? false;
  await refuseExisting([wallet.paths.hotkey, wallet.paths.hotkeypub], overwrite);
  const hotkey = options.keypair ?? await Keypair.generate();
  await ensurePrivateDir(wallet.paths.hotkeysDir);
  await writeHotkeyFiles(wallet, hotkey, password, overwrite);
  return { wallet, hotkey };
}
