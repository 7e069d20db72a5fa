/**
 * @module
 * The plaintext keyfile: the flat JSON object btwallet writes for a keypair (and, with only the
 * public fields, for `coldkeypub.txt` and `<hotkey>pub.txt`). Pure: bytes in, key out, and back.
 *
 * Reading follows btwallet: `secretPhrase`, then `secretSeed`, then `privateKey` (btwallet's
 * canonical form, scalar/8 ‖ nonce), then `ss58Address` (public only). Values may be `null`.
 * btwallet ≥ 4.1 adds a numeric `cryptoType` (1 = sr25519, 0 = ed25519); any other non-string
 * value in a key field is an error. We write the six string fields only, which every btwallet
 * version reads (4.1 takes a missing `cryptoType` as sr25519).
 */
import { z } from "zod";
import { hexToU8a, u8aToHex } from "@polkadot/util";
import { KeyError, Keypair, ss58Decode, ss58Encode } from "./keypair.ts";
import { WalletError } from "./errors.ts";

const keyField = z.string().nullable().optional();

/**
 * One keyfile's JSON. All key fields are optional strings or null; unknown extra fields are
 * kept (btwallet ≥ 4.1 ignores them too).
 */
export const KeyfileJsonSchema = z.looseObject({
  accountId: keyField,
  publicKey: keyField,
  privateKey: keyField,
  secretPhrase: keyField,
  secretSeed: keyField,
  ss58Address: keyField,
  cryptoType: z.union([z.number(), z.string()]).nullable().optional(),
});

/** The parsed keyfile JSON. */
export type KeyfileJson = z.infer<typeof KeyfileJsonSchema>;

/** A public key and its SS58 address: what `coldkeypub.txt` holds. */
export interface PublicKeyInfo {
  /** SS58 address, prefix 42. */
  ss58Address: string;
  /** 32-byte sr25519 public key. */
  publicKey: Uint8Array;
}

/** What a keyfile yields: a full keypair, or only a public key. */
export type KeyfileKey =
  | { kind: "keypair"; keypair: Keypair }
  | { kind: "public"; key: PublicKeyInfo };

const where = (path?: string) => path ? ` at ${path}` : "";

/**
 * Parses keyfile bytes (or text) as keyfile JSON. Errors name the file and the field, never the
 * content: a JSON parser's own message quotes the input, so it is not passed on.
 */
export function parseKeyfileJson(data: Uint8Array | string, path?: string): KeyfileJson {
  let text: string;
  try {
    text = typeof data === "string" ? data : new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    throw new WalletError(
      "corrupt",
      `keyfile${where(path)} is neither UTF-8 JSON nor encrypted`,
      path,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new WalletError(
      "corrupt",
      `keyfile${where(path)} is not valid JSON and not a known encrypted format (corrupt keyfile?)`,
      path,
    );
  }
  const parsed = KeyfileJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) =>
      i.path.length
        ? `field ${JSON.stringify(i.path.join("."))} must be a string or null`
        : "not a JSON object"
    );
    throw new WalletError(
      "corrupt",
      `keyfile${where(path)} is malformed: ${issues.join("; ")}`,
      path,
    );
  }
  return parsed.data;
}

function hexBytes(value: string, field: string, length: number, path?: string): Uint8Array {
  const body = value.startsWith("0x") || value.startsWith("0X") ? value.slice(2) : value;
  if (body.length === length * 2 && /^[0-9a-fA-F]*$/.test(body)) return hexToU8a(`0x${body}`);
  throw new WalletError(
    "corrupt",
    `keyfile${where(path)}: field ${JSON.stringify(field)} is not ${length}-byte hex`,
    path,
  );
}

function seedBytes(value: string, path?: string): Uint8Array {
  // btwallet quirk: a seed whose bytes are valid UTF-8 may have been written as "0x" + raw text.
  const body = value.startsWith("0x") ? value.slice(2) : value;
  if (!(body.length === 64 && /^[0-9a-fA-F]*$/.test(body)) && value.startsWith("0x")) {
    const raw = new TextEncoder().encode(body);
    if (raw.length === 32) return raw;
  }
  return hexBytes(value, "secretSeed", 32, path);
}

function checkCryptoType(data: KeyfileJson, path?: string): void {
  const t = data.cryptoType;
  if (t === undefined || t === null || t === 1 || t === "1") return;
  if (t === 0 || t === "0") {
    throw new WalletError(
      "unsupported",
      `keyfile${where(path)} holds an ed25519 key (cryptoType 0); only sr25519 keys are supported`,
      path,
    );
  }
  throw new WalletError("corrupt", `keyfile${where(path)} has an unknown cryptoType`, path);
}

async function fromSecretFields(data: KeyfileJson, path?: string): Promise<Keypair | undefined> {
  if (data.secretPhrase != null) return await Keypair.fromMnemonic(data.secretPhrase);
  if (data.secretSeed != null) return await Keypair.fromSeed(seedBytes(data.secretSeed, path));
  if (data.privateKey != null) {
    const priv = hexBytes(data.privateKey, "privateKey", 64, path);
    try {
      return await Keypair.fromCanonicalPrivateKey(priv);
    } catch (e) {
      if (e instanceof KeyError) throw e;
      // e.g. a scalar out of range: a polkadot-js-form key stored where the canonical belongs.
      throw new KeyError('field "privateKey" is not a canonical sr25519 secret key');
    } finally {
      priv.fill(0);
    }
  }
  return undefined;
}

/**
 * The key a keyfile holds, by btwallet's priority: phrase, seed, canonical private key, then the
 * public address (or public key) alone.
 *
 * @example
 * ```ts
 * import { keyFromKeyfileJson } from "./keyfile_json.ts";
 * const k = await keyFromKeyfileJson({ ss58Address: "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX" });
 * console.assert(k.kind === "public");
 * ```
 */
export async function keyFromKeyfileJson(data: KeyfileJson, path?: string): Promise<KeyfileKey> {
  checkCryptoType(data, path);
  try {
    const keypair = await fromSecretFields(data, path);
    if (keypair) return { kind: "keypair", keypair };
    if (data.ss58Address != null) {
      return {
        kind: "public",
        key: { ss58Address: data.ss58Address, publicKey: ss58Decode(data.ss58Address) },
      };
    }
    const pubHex = data.publicKey ?? data.accountId;
    if (pubHex != null) {
      const publicKey = hexBytes(pubHex, "publicKey", 32, path);
      return { kind: "public", key: { ss58Address: ss58Encode(publicKey), publicKey } };
    }
  } catch (e) {
    if (e instanceof KeyError) {
      throw new WalletError("corrupt", `keyfile${where(path)}: ${e.message}`, path);
    }
    throw e;
  }
  throw new WalletError(
    "corrupt",
    `keyfile${where(path)} holds no key (no secret, no address)`,
    path,
  );
}

/** The full keyfile JSON for a keypair, as btwallet writes it (canonical `privateKey`). */
export function keyfileJsonFor(keypair: Keypair): KeyfileJson {
  const pub = u8aToHex(keypair.publicKey);
  return {
    accountId: pub,
    publicKey: pub,
    privateKey: u8aToHex(keypair.canonicalPrivateKey()),
    secretPhrase: keypair.mnemonic ?? null,
    secretSeed: keypair.miniSecret ? u8aToHex(keypair.miniSecret) : null,
    ss58Address: keypair.ss58Address,
  };
}

/** The public-only keyfile JSON (`coldkeypub.txt`, `<hotkey>pub.txt`). */
export function publicKeyfileJson(key: { publicKey: Uint8Array }): KeyfileJson {
  const pub = u8aToHex(key.publicKey);
  return { accountId: pub, publicKey: pub, ss58Address: ss58Encode(key.publicKey) };
}

const FIELD_ORDER = [
  "accountId",
  "publicKey",
  "privateKey",
  "secretPhrase",
  "secretSeed",
  "ss58Address",
] as const;

/** Compact JSON bytes with the six key fields in a fixed order and no nulls. */
export function serializeKeyfileJson(data: KeyfileJson): Uint8Array {
  const out: Record<string, string> = {};
  for (const k of FIELD_ORDER) {
    const v = data[k];
    if (typeof v === "string") out[k] = v;
  }
  return new TextEncoder().encode(JSON.stringify(out));
}
