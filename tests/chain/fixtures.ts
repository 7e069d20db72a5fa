/** Loads the read-only drand vectors and the metadata blob from ../shared in place. */

const SHARED = new URL("../../../shared/", import.meta.url);

/** Reads and parses a JSON file under ../shared. */
export function sharedJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(Deno.readTextFileSync(new URL(path, SHARED))) as T;
}

/** Reads bytes of a file under ../shared. */
export function sharedBytes(path: string): Uint8Array {
  return Deno.readFileSync(new URL(path, SHARED));
}

/** A quicknet pulse of quicknet.json. */
export interface Pulse {
  round: number;
  signature: string;
  identity: string;
  randomness: string;
}

/** quicknet.json. */
export interface Quicknet {
  beacon: { public_key: string; genesis_time: number; period_seconds: number };
  pulses: Pulse[];
  not_pulses: { round: number; signature: string }[];
}

/** timelock.json (the parts the tests read). */
export interface Timelock {
  quicknet_public_key: string;
  payloads: {
    id: string;
    hotkey: string;
    uids: number[];
    values: number[];
    version_key: string;
    scale_hex: string;
    scale_len: number;
  }[];
  wasm_ciphertexts: {
    cases: {
      id: string;
      round: number;
      signature: string;
      plaintext_hex: string;
      plaintext_len: number;
      ephemeral_secret_key_hex: string;
      ciphertext_hex: string;
      ciphertext_len: number;
      parsed: Record<string, string>;
      wrong_signature: string;
    }[];
  };
  reference_vectors: {
    cases: {
      id: string;
      round: number;
      signature: string;
      plaintext_hex: string;
      ciphertext_hex: string;
    }[];
  };
  onchain_rust_ciphertexts: {
    id: string;
    commit_hex: string;
    args: { netuid: number; mecid: number; commit_len: number; reveal_round: number };
    parsed: Record<string, string>;
  }[];
  incompatible: {
    id: string;
    ciphertext_hex: string;
    ciphertext_len: number;
    plaintext_hex: string;
  }[];
}

export const quicknet = (): Quicknet => sharedJson<Quicknet>("vectors/drand/quicknet.json");
export const timelock = (): Timelock => sharedJson<Timelock>("vectors/drand/timelock.json");
