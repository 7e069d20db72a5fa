/**
 * @module
 * API-key issuance as upstream's hosted API does it (`scripts/get_validator_api_key.py`): a
 * validator asks for a one-time message (valid 10 minutes), signs it with its hotkey (sr25519)
 * and trades message + signature for a key, provided the chain says the hotkey is registered,
 * holds a validator permit and has enough stake. The chain is reached through
 * {@link ValidatorDirectory}; keys are stored only as SHA-256 hashes.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { ss58Decode, verifySignature } from "../wallet/keypair.ts";
import { StoreHttpError } from "./errors.ts";
import type { StoreRepository } from "./repository.ts";

/** What the chain says about a hotkey on the subnet. */
export interface ValidatorInfo {
  registered: boolean;
  validatorPermit: boolean;
  stakeTao: number;
}

/** Looks hotkeys up on the subnet's metagraph; `null` when the hotkey is unknown there. */
export interface ValidatorDirectory {
  lookup(hotkeySs58: string): Promise<ValidatorInfo | null>;
}

/** Upstream's minimum stake on mainnet (TAO). */
export const MIN_STAKE_MAINNET = 20000;
/** Upstream's minimum stake on testnet (TAO). */
export const MIN_STAKE_TESTNET = 10;
/** A key-request message is valid this long (upstream: 10 minutes). */
export const KEY_MESSAGE_TTL_MS = 10 * 60 * 1000;

/**
 * A fixed table of hotkeys, for tests, local subnets and operators who list their validators.
 *
 * @example
 * ```ts ignore
 * const dir = new StaticValidatorDirectory({
 *   "5F...": { registered: true, validatorPermit: true, stakeTao: 25000 },
 * });
 * ```
 */
export class StaticValidatorDirectory implements ValidatorDirectory {
  readonly #entries: Map<string, ValidatorInfo>;
  constructor(entries: Record<string, ValidatorInfo> = {}) {
    this.#entries = new Map(Object.entries(entries));
  }
  /** Adds or replaces one hotkey. */
  set(hotkey: string, info: ValidatorInfo): void {
    this.#entries.set(hotkey, info);
  }
  lookup(hotkeySs58: string): Promise<ValidatorInfo | null> {
    return Promise.resolve(this.#entries.get(hotkeySs58) ?? null);
  }
}

/** SHA-256 hex of an API key (what the store keeps). */
export function hashApiKey(key: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(key)));
}

/** A fresh random API key (`cgp_` + 32 random bytes as hex). */
export function newApiKey(): string {
  return "cgp_" + bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** Throws 400 unless `hotkey` is an SS58 address. */
export function requireSs58(hotkey: string): void {
  try {
    ss58Decode(hotkey);
  } catch {
    throw new StoreHttpError(400, `hotkey: ${JSON.stringify(hotkey)} is not an SS58 address`);
  }
}

/** Throws 403 with the reason unless the directory accepts the hotkey as a validator. */
export async function checkValidator(
  directory: ValidatorDirectory,
  hotkey: string,
  minStakeTao: number,
): Promise<ValidatorInfo> {
  let info: ValidatorInfo | null;
  try {
    info = await directory.lookup(hotkey);
  } catch (e) {
    throw new StoreHttpError(503, `could not read the metagraph: ${(e as Error).message}`);
  }
  if (!info || !info.registered) {
    throw new StoreHttpError(403, `hotkey ${hotkey} is not registered on the subnet`);
  }
  if (!info.validatorPermit) {
    throw new StoreHttpError(403, `hotkey ${hotkey} has no validator permit`);
  }
  if (!(info.stakeTao >= minStakeTao)) {
    throw new StoreHttpError(
      403,
      `hotkey ${hotkey} has ${info.stakeTao} TAO staked; at least ${minStakeTao} is required`,
    );
  }
  return info;
}

/** Settings of key issuance. */
export interface KeyIssuerOptions {
  repo: StoreRepository;
  directory: ValidatorDirectory;
  minStakeTao: number;
  /** Message lifetime (default 10 minutes). */
  messageTtlMs?: number;
  /** Clock (tests move it to expire messages). */
  now?: () => number;
}

/** Issues one-time messages and API keys. */
export class KeyIssuer {
  readonly #o: Required<KeyIssuerOptions>;
  constructor(options: KeyIssuerOptions) {
    this.#o = { messageTtlMs: KEY_MESSAGE_TTL_MS, now: Date.now, ...options };
  }

  /** Step 1: a one-time message for `hotkey` (checked against the chain first). */
  async generateMessage(hotkey: string): Promise<{ message: string; expires_at: string }> {
    requireSs58(hotkey);
    await checkValidator(this.#o.directory, hotkey, this.#o.minStakeTao);
    const now = this.#o.now();
    const expiresAt = now + this.#o.messageTtlMs;
    const nonce = bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
    const message = `CGP API key request: hotkey ${hotkey}, nonce ${nonce}, issued ${
      new Date(now).toISOString()
    }, expires ${new Date(expiresAt).toISOString()}`;
    await this.#o.repo.putKeyMessage({ message, hotkey, expiresAt, usedAt: null });
    return { message, expires_at: new Date(expiresAt).toISOString() };
  }

  /** Step 2: message + sr25519 signature by the hotkey → a new API key (shown once). */
  async generateApiKey(
    hotkey: string,
    message: string,
    signatureHex: string,
  ): Promise<{ api_key: string; hotkey: string; created_at: string }> {
    requireSs58(hotkey);
    const m = await this.#o.repo.getKeyMessage(message);
    if (!m || m.hotkey !== hotkey) {
      throw new StoreHttpError(
        400,
        "message: unknown message for this hotkey; call generate_message first",
      );
    }
    const now = this.#o.now();
    if (m.usedAt !== null) {
      throw new StoreHttpError(400, "message: already used; request a new one");
    }
    if (now >= m.expiresAt) throw new StoreHttpError(400, "message: expired; request a new one");
    const sig = hexToBytes(signatureHex);
    if (!(await verifySignature(message, sig, hotkey))) {
      throw new StoreHttpError(
        401,
        "signature: not a valid sr25519 signature of the message by this hotkey",
      );
    }
    await checkValidator(this.#o.directory, hotkey, this.#o.minStakeTao);
    if (!(await this.#o.repo.useKeyMessage(message, now))) {
      throw new StoreHttpError(400, "message: already used; request a new one");
    }
    const key = newApiKey();
    await this.#o.repo.putApiKey(hashApiKey(key), { hotkey, label: null, createdAt: now });
    return { api_key: key, hotkey, created_at: new Date(now).toISOString() };
  }
}

function hexToBytes(hex: string): Uint8Array {
  const h = hex.startsWith("0x") ? hex.slice(2) : hex;
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}
