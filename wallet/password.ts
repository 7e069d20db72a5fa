/**
 * @module
 * Where a keyfile password comes from: btcli's `BT_PW_<PATH>` environment variable (same name and
 * same obfuscation as btwallet's `save_password_to_env`), or an interactive prompt that does not
 * echo on a terminal. Passwords are never logged or put into an error message.
 */
import { WalletError } from "./errors.ts";

/** Reads one environment variable; injectable so tests and callers need no global state. */
export type EnvGetter = (name: string) => string | undefined;

/** `Deno.env.get`, or nothing where env access is not permitted. */
export const processEnv: EnvGetter = (name) => {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
};

/** Asks a person for a password; resolves to `null` when nobody can answer (no input). */
export type PasswordPrompt = (message: string) => Promise<string | null>;

/**
 * btwallet's variable name for a keyfile's password: `BT_PW_` + the path with `/` and `.`
 * replaced by `_`, uppercased. The path is used as written (after `~` expansion).
 *
 * @example
 * ```ts
 * import { passwordEnvVarName } from "./password.ts";
 * console.assert(
 *   passwordEnvVarName("/home/alice/.bittensor/wallets/default/coldkey") ===
 *     "BT_PW__HOME_ALICE__BITTENSOR_WALLETS_DEFAULT_COLDKEY",
 * );
 * ```
 */
export function passwordEnvVarName(keyfilePath: string): string {
  return `BT_PW_${keyfilePath.replace(/[/.]/g, "_").toUpperCase()}`;
}

function xorWithName(data: Uint8Array, name: string): Uint8Array {
  const key = new TextEncoder().encode(name);
  return data.map((b, i) => b ^ key[i % key.length]);
}

/** The value btwallet stores in the variable: base64(password XOR name, name cycled). */
export function encodeEnvPassword(varName: string, password: string): string {
  const bytes = xorWithName(new TextEncoder().encode(password), varName);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Inverse of {@link encodeEnvPassword}; a malformed value is an `invalid` error. */
export function decodeEnvPassword(varName: string, value: string): string {
  try {
    const bin = atob(value.trim());
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(xorWithName(bytes, varName));
  } catch {
    throw new WalletError(
      "invalid",
      `environment variable ${varName} is not a btcli-encoded password (base64 of password XOR name)`,
    );
  }
}

/** The password btcli would take from the environment for this keyfile, if set. */
export function passwordFromEnv(
  keyfilePath: string,
  env: EnvGetter = processEnv,
): string | undefined {
  const name = passwordEnvVarName(keyfilePath);
  const value = env(name);
  return value === undefined || value === "" ? undefined : decodeEnvPassword(name, value);
}

/** Minimum length btwallet's `validate_password` asks of a new password. */
export const MIN_PASSWORD_LENGTH = 6;

/** Throws `invalid` if a new password is too short to accept. */
export function checkNewPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new WalletError(
      "invalid",
      `password too short: use at least ${MIN_PASSWORD_LENGTH} characters`,
    );
  }
}

const enc = new TextEncoder();

async function readHidden(message: string): Promise<string | null> {
  await Deno.stderr.write(enc.encode(message));
  Deno.stdin.setRaw(true);
  const bytes: number[] = [];
  try {
    const buf = new Uint8Array(256);
    for (;;) {
      const n = await Deno.stdin.read(buf);
      if (n === null) return null;
      for (const b of buf.subarray(0, n)) {
        if (b === 3) throw new WalletError("invalid", "password prompt interrupted");
        if (b === 4 && bytes.length === 0) return null;
        if (b === 13 || b === 10) return new TextDecoder().decode(new Uint8Array(bytes));
        if (b === 127 || b === 8) {
          // Remove one whole UTF-8 character.
          while (bytes.length) if (((bytes.pop() as number) & 0xc0) !== 0x80) break;
          continue;
        }
        bytes.push(b);
      }
    }
  } finally {
    bytes.fill(0);
    Deno.stdin.setRaw(false);
    await Deno.stderr.write(enc.encode("\n"));
  }
}

/**
 * Prompts on the terminal without echo; where stdin is not a terminal, reads one line the way
 * `prompt()` does (so a password can be piped in). `null` when there is no input.
 */
export const promptPassword: PasswordPrompt = async (message) => {
  if (Deno.stdin.isTerminal()) return await readHidden(message);
  return prompt(message);
};
