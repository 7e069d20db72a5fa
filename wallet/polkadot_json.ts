/**
 * @module
 * polkadot-js exported account JSON (what `btcli wallet regen-coldkey --json` reads): version 3,
 * scrypt + xsalsa20-poly1305 over a PKCS8 body holding the 64-byte sr25519 secret in the
 * polkadot-js ("ed25519") form and the public key.
 */
import { z } from "zod";
import { jsonDecrypt } from "@polkadot/util-crypto";
import { u8aEq } from "@polkadot/util";
import { Keypair, ss58Decode } from "./keypair.ts";
import { WalletError } from "./errors.ts";

/** The exported account JSON (fields we need; others ignored). */
export const PolkadotJsonSchema = z.looseObject({
  encoded: z.string().min(1),
  encoding: z.looseObject({
    content: z.array(z.string()),
    type: z.union([z.string(), z.array(z.string())]),
    version: z.string(),
  }),
  address: z.string().optional(),
});

/** A parsed polkadot-js account JSON. */
export type PolkadotJson = z.infer<typeof PolkadotJsonSchema>;

const PKCS8_HEADER = Uint8Array.from([
  0x30,
  0x53,
  0x02,
  0x01,
  0x01,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x04,
  0x22,
  0x04,
  0x20,
]);
const PKCS8_DIVIDER = Uint8Array.from([0xa1, 0x23, 0x03, 0x21, 0x00]);

const bad = (why: string) => new WalletError("corrupt", `polkadot-js JSON: ${why}`);

/** Splits the decrypted PKCS8 body into the ed25519-form secret and the public key. */
export function decodePkcs8(body: Uint8Array): { secret: Uint8Array; publicKey: Uint8Array } {
  const h = PKCS8_HEADER.length;
  const d = PKCS8_DIVIDER.length;
  if (body.length < h + 64 + d + 32) throw bad("decrypted body too short");
  if (!u8aEq(body.subarray(0, h), PKCS8_HEADER)) throw bad("decrypted body has no PKCS8 header");
  if (!u8aEq(body.subarray(h + 64, h + 64 + d), PKCS8_DIVIDER)) throw bad("PKCS8 divider missing");
  return {
    secret: body.slice(h, h + 64),
    publicKey: body.slice(h + 64 + d, h + 64 + d + 32),
  };
}

/**
 * Decrypts a polkadot-js exported sr25519 account with its password into a keypair, checking
 * that the secret matches the stored public key (and address, if present).
 */
export async function keypairFromPolkadotJson(
  json: string | unknown,
  password: string,
): Promise<Keypair> {
  let raw: unknown = json;
  if (typeof json === "string") {
    try {
      raw = JSON.parse(json);
    } catch {
      throw bad("not valid JSON");
    }
  }
  const parsed = PolkadotJsonSchema.safeParse(raw);
  if (!parsed.success) throw bad("missing or malformed encoded/encoding fields");
  const { encoding } = parsed.data;
  const types = Array.isArray(encoding.type) ? encoding.type : [encoding.type];
  if (encoding.version !== "3") {
    throw bad(`unsupported encoding version ${JSON.stringify(encoding.version)}`);
  }
  if (!types.includes("scrypt") || !types.includes("xsalsa20-poly1305")) {
    throw bad("only scrypt + xsalsa20-poly1305 encrypted exports are supported");
  }
  if (!encoding.content.includes("sr25519")) {
    throw new WalletError("unsupported", "polkadot-js JSON: only sr25519 accounts are supported");
  }
  let body: Uint8Array;
  try {
    body = jsonDecrypt(
      { encoded: parsed.data.encoded, encoding: { ...encoding, type: types } } as never,
      password,
    );
  } catch (e) {
    const msg = (e as Error).message ?? "";
    if (/passphrase|decode/i.test(msg) && !/scrypt params/i.test(msg)) {
      throw new WalletError("wrong_password", "wrong password or corrupt polkadot-js JSON");
    }
    throw bad("cannot decrypt (unsupported scrypt parameters or damaged data)");
  }
  const { secret, publicKey } = decodePkcs8(body);
  body.fill(0);
  const keypair = await Keypair.fromEd25519FormSecret(secret);
  secret.fill(0);
  if (!u8aEq(keypair.publicKey, publicKey)) {
    throw bad("secret does not match the stored public key");
  }
  if (parsed.data.address !== undefined && parsed.data.address !== keypair.ss58Address) {
    // Other SS58 prefixes are fine; only a different key is an error.
    if (!u8aEq(ss58Decode(parsed.data.address), keypair.publicKey)) {
      throw bad(`address ${parsed.data.address} does not match the decrypted key`);
    }
  }
  return keypair;
}
