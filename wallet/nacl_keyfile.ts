/**
 * @module
 * btwallet's encrypted keyfile: `$NACL` ‖ 24-byte nonce ‖ NaCl secretbox (XSalsa20-Poly1305),
 * keyed by Argon2i v1.3 of the password (8 passes, 512 MiB, parallelism 1, fixed salt), exactly
 * libsodium's `crypto_pwhash` with the SENSITIVE limits that btwallet uses. Also tells the
 * legacy formats (Ansible Vault, Fernet) apart so they can be refused with a clear message.
 */
import { argon2i } from "hash-wasm";
import nacl from "tweetnacl";
import { hexToU8a } from "@polkadot/util";
import { WalletError } from "./errors.ts";

/** The 5-byte ASCII prefix of a NaCl keyfile. */
export const NACL_PREFIX = "$NACL";
/** btwallet's fixed Argon2i salt (`NACL_SALT`). */
export const NACL_SALT: Uint8Array = hexToU8a("0x137183dff15a09bc9c90b5518739e9b1");
/** libsodium `OPSLIMIT_SENSITIVE` / `MEMLIMIT_SENSITIVE` for argon2i13, in hash-wasm terms. */
export const NACL_ARGON2I = { parallelism: 1, iterations: 8, memorySize: 524288, hashLength: 32 };

const NONCE_LEN = nacl.secretbox.nonceLength; // 24
const enc = new TextEncoder();
const PREFIX = enc.encode(NACL_PREFIX);

/** How a keyfile's bytes are stored. */
export type KeyfileEncoding = "nacl" | "ansible_vault" | "fernet" | "plaintext";

function startsWith(data: Uint8Array, prefix: string): boolean {
  const p = enc.encode(prefix);
  if (data.length < p.length) return false;
  return p.every((b, i) => data[i] === b);
}

/** Detects the encoding by prefix, as btwallet does: anything unknown is plaintext. */
export function keyfileEncoding(data: Uint8Array): KeyfileEncoding {
  if (startsWith(data, NACL_PREFIX)) return "nacl";
  if (startsWith(data, "$ANSIBLE_VAULT")) return "ansible_vault";
  if (startsWith(data, "gAAAAA")) return "fernet";
  return "plaintext";
}

/** The 32-byte secretbox key for a password (Argon2i; takes a second or two and 512 MiB). */
export async function deriveNaclKey(password: string): Promise<Uint8Array> {
  return await argon2i({
    password: enc.encode(password),
    salt: NACL_SALT,
    ...NACL_ARGON2I,
    outputType: "binary",
  });
}

/** Seals plaintext under a derived key: `$NACL` ‖ nonce ‖ secretbox. */
export function naclSeal(
  plaintext: Uint8Array,
  key: Uint8Array,
  nonce: Uint8Array = nacl.randomBytes(NONCE_LEN),
): Uint8Array {
  if (nonce.length !== NONCE_LEN) throw new RangeError(`nonce must be ${NONCE_LEN} bytes`);
  const box = nacl.secretbox(plaintext, nonce, key);
  const out = new Uint8Array(PREFIX.length + NONCE_LEN + box.length);
  out.set(PREFIX, 0);
  out.set(nonce, PREFIX.length);
  out.set(box, PREFIX.length + NONCE_LEN);
  return out;
}

/** Opens a `$NACL` file with a derived key; `null` when the MAC does not verify. */
export function naclOpen(data: Uint8Array, key: Uint8Array): Uint8Array | null {
  if (keyfileEncoding(data) !== "nacl") return null;
  const minLen = PREFIX.length + NONCE_LEN + nacl.secretbox.overheadLength;
  if (data.length < minLen) return null;
  const nonce = data.subarray(PREFIX.length, PREFIX.length + NONCE_LEN);
  return nacl.secretbox.open(data.subarray(PREFIX.length + NONCE_LEN), nonce, key);
}

/** Encrypts keyfile plaintext with a password, as `btcli` does for coldkeys. */
export async function encryptKeyfileData(
  plaintext: Uint8Array,
  password: string,
  nonce?: Uint8Array,
): Promise<Uint8Array> {
  return naclSeal(plaintext, await deriveNaclKey(password), nonce);
}

/** The message for a legacy encrypted keyfile, naming the fix. */
export function legacyFormatError(
  encoding: "ansible_vault" | "fernet",
  path?: string,
): WalletError {
  const what = encoding === "ansible_vault" ? "Ansible Vault" : "legacy Fernet";
  return new WalletError(
    "legacy_format",
    `keyfile${path ? ` at ${path}` : ""} uses the ${what} encryption, which is not supported; ` +
      "re-encrypt it with btcli (an older btcli that still reads it, e.g. `btcli wallet update`) " +
      "or regenerate the key from its mnemonic (`btcli wallet regen-coldkey`)",
    path,
  );
}

/**
 * Decrypts a `$NACL` keyfile. A wrong password and a damaged file look the same to the MAC, so
 * both give one `wrong_password` error. Legacy formats give `legacy_format`.
 */
export async function decryptKeyfileData(
  data: Uint8Array,
  password: string,
  path?: string,
): Promise<Uint8Array> {
  const encoding = keyfileEncoding(data);
  if (encoding === "ansible_vault" || encoding === "fernet") {
    throw legacyFormatError(encoding, path);
  }
  if (encoding !== "nacl") {
    throw new WalletError("corrupt", `keyfile${path ? ` at ${path}` : ""} is not encrypted`, path);
  }
  if (data.length < PREFIX.length + NONCE_LEN + nacl.secretbox.overheadLength) {
    throw new WalletError(
      "corrupt",
      `corrupt keyfile${path ? ` at ${path}` : ""}: too short for a $NACL file`,
      path,
    );
  }
  const plain = naclOpen(data, await deriveNaclKey(password));
  if (!plain) {
    throw new WalletError(
      "wrong_password",
      `wrong password or corrupt keyfile${path ? ` at ${path}` : ""}`,
      path,
    );
  }
  return plain;
}
