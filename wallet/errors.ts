/**
 * @module
 * The one error type of the wallet package. Every failure names the file it concerns and what
 * to do about it; no message ever carries key material or a password.
 */

/** Why a wallet operation failed; callers branch on this, people read the message. */
export type WalletErrorCode =
  /** The keyfile does not exist. */
  | "not_found"
  /** The file could not be read or written (permissions, not a file). */
  | "io"
  /** Decryption failed: the password is wrong or the ciphertext was damaged. */
  | "wrong_password"
  /** The file is not a keyfile we can parse (bad JSON, bad field, bad key). */
  | "corrupt"
  /** Ansible Vault or Fernet: formats btwallet no longer writes. */
  | "legacy_format"
  /** A valid file of a kind we do not handle (e.g. ed25519 keys). */
  | "unsupported"
  /** The file is encrypted and no password could be obtained. */
  | "password_required"
  /** Creating a key would overwrite an existing file. */
  | "exists"
  /** A wallet name, hotkey name, path or password that is not acceptable. */
  | "invalid";

/**
 * A wallet failure with a machine-readable {@link WalletErrorCode} and the file concerned.
 *
 * @example
 * ```ts
 * import { WalletError } from "./errors.ts";
 * const e = new WalletError("not_found", "hotkey file not found at /w/h", "/w/h");
 * console.assert(e.code === "not_found" && e.path === "/w/h");
 * ```
 */
export class WalletError extends Error {
  override name = "WalletError";
  /** What went wrong. */
  readonly code: WalletErrorCode;
  /** The file (or directory) concerned, when there is one. */
  readonly path?: string;

  constructor(code: WalletErrorCode, message: string, path?: string) {
    super(message);
    this.code = code;
    this.path = path;
  }
}
