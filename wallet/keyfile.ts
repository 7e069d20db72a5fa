/**
 * @module
 * One keyfile on disk: read it (plaintext JSON, or `$NACL` with a password from the caller, the
 * `BT_PW_` variable or a prompt) and write it (mode 0600, never over an existing file unless
 * asked). Errors name the file and the remedy, never the content.
 */
import {
  type KeyfileJson,
  type KeyfileKey,
  keyFromKeyfileJson,
  parseKeyfileJson,
  serializeKeyfileJson,
} from "./keyfile_json.ts";
import {
  decryptKeyfileData,
  encryptKeyfileData,
  keyfileEncoding,
  legacyFormatError,
} from "./nacl_keyfile.ts";
import {
  type EnvGetter,
  passwordEnvVarName,
  passwordFromEnv,
  type PasswordPrompt,
  processEnv,
} from "./password.ts";
import { WalletError } from "./errors.ts";

/** How to read one keyfile. */
export interface ReadKeyfileOptions {
  /** What the file is, for messages ("coldkey", "hotkey", ...). Default "keyfile". */
  label?: string;
  /** How to create the file, appended to a not-found message. */
  createHint?: string;
  /** Password for an encrypted file; if absent: `BT_PW_` variable, then `prompt`. */
  password?: string;
  /** Environment lookup (default: the process environment). */
  env?: EnvGetter;
  /** Asks for a password when none is given; `false` or absent: never prompt. */
  prompt?: PasswordPrompt | false;
}

/** Reads a file's bytes, turning "missing" and "unreadable" into named wallet errors. */
export async function readKeyfileBytes(
  path: string,
  options: ReadKeyfileOptions = {},
): Promise<Uint8Array> {
  const label = options.label ?? "keyfile";
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      const hint = options.createHint ? `; ${options.createHint}` : "";
      throw new WalletError("not_found", `${label} file not found at ${path}${hint}`, path);
    }
    throw new WalletError("io", `cannot read ${label} file at ${path}: ${(e as Error).name}`, path);
  }
}

async function obtainPassword(
  path: string,
  options: ReadKeyfileOptions,
): Promise<{ password: string; source: string }> {
  if (options.password !== undefined) return { password: options.password, source: "given" };
  const fromEnv = passwordFromEnv(path, options.env ?? processEnv);
  if (fromEnv !== undefined) return { password: fromEnv, source: passwordEnvVarName(path) };
  if (options.prompt) {
    const label = options.label ?? "keyfile";
    const answer = await options.prompt(`Enter password to unlock ${label} (${path}): `);
    if (answer !== null) return { password: answer, source: "prompt" };
  }
  throw new WalletError(
    "password_required",
    `${options.label ?? "keyfile"} at ${path} is encrypted and no password was given ` +
      `(pass one, set ${passwordEnvVarName(path)} as btcli does, or run interactively)`,
    path,
  );
}

/** Decodes keyfile bytes to its JSON, decrypting `$NACL` and refusing legacy formats. */
export async function decodeKeyfileBytes(
  data: Uint8Array,
  path: string,
  options: ReadKeyfileOptions = {},
): Promise<KeyfileJson> {
  const encoding = keyfileEncoding(data);
  if (encoding === "ansible_vault" || encoding === "fernet") {
    throw legacyFormatError(encoding, path);
  }
  if (encoding === "plaintext") return parseKeyfileJson(data, path);
  const { password, source } = await obtainPassword(path, options);
  try {
    return parseKeyfileJson(await decryptKeyfileData(data, password, path), path);
  } catch (e) {
    if (e instanceof WalletError && e.code === "wrong_password" && source.startsWith("BT_PW_")) {
      throw new WalletError("wrong_password", `${e.message} (password taken from ${source})`, path);
    }
    throw e;
  }
}

/** Reads, decrypts if needed, and parses a keyfile into the key it holds. */
export async function loadKeyfile(
  path: string,
  options: ReadKeyfileOptions = {},
): Promise<KeyfileKey> {
  const data = await readKeyfileBytes(path, options);
  return await keyFromKeyfileJson(await decodeKeyfileBytes(data, path, options), path);
}

/** True if a keyfile is encrypted (reads only the file, needs no password). */
export async function isKeyfileEncrypted(path: string): Promise<boolean> {
  return keyfileEncoding(await readKeyfileBytes(path)) !== "plaintext";
}

/** True if something exists at the path. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw new WalletError("io", `cannot inspect ${path}: ${(e as Error).name}`, path);
  }
}

/** How to write one keyfile. */
export interface WriteKeyfileOptions {
  /** Encrypt with NaCl under this password; `null`/absent writes plaintext JSON. */
  password?: string | null;
  /** Replace an existing file (default: refuse with an `exists` error). */
  overwrite?: boolean;
  /** What the file is, for messages. */
  label?: string;
}

/** Writes bytes to a new file with mode 0600 (or replaces one atomically when overwriting). */
export async function writeSecretFile(
  path: string,
  data: Uint8Array,
  overwrite = false,
  label = "keyfile",
): Promise<void> {
  try {
    if (overwrite) {
      const tmp = `${path}.tmp-${crypto.randomUUID()}`;
      await Deno.writeFile(tmp, data, { mode: 0o600, createNew: true });
      await Deno.chmod(tmp, 0o600);
      await Deno.rename(tmp, path);
    } else {
      await Deno.writeFile(path, data, { mode: 0o600, createNew: true });
      await Deno.chmod(path, 0o600);
    }
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) {
      throw new WalletError(
        "exists",
        `${label} file already exists at ${path}; not overwriting it`,
        path,
      );
    }
    throw new WalletError(
      "io",
      `cannot write ${label} file at ${path}: ${(e as Error).name}`,
      path,
    );
  }
}

/** Serialises (and optionally encrypts) keyfile JSON and writes it with mode 0600. */
export async function writeKeyfile(
  path: string,
  json: KeyfileJson,
  options: WriteKeyfileOptions = {},
): Promise<void> {
  const plain = serializeKeyfileJson(json);
  const data = options.password == null ? plain : await encryptKeyfileData(plain, options.password);
  try {
    await writeSecretFile(path, data, options.overwrite ?? false, options.label);
  } finally {
    plain.fill(0);
  }
}
