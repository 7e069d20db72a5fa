/**
 * @module
 * How actors in worker isolates get the validator's hotkey without it ever crossing a message:
 * they are told where the wallet is (or, for local demos and tests, a file holding a mini-secret)
 * and load it themselves, once per isolate.
 */
import type { HotkeySource } from "./hotkey_source_schema.ts";
import { hexToU8a } from "@polkadot/util";
import { Keypair } from "../wallet/keypair.ts";
import { openWallet } from "../wallet/mod.ts";

export { type HotkeySource, HotkeySourceSchema } from "./hotkey_source_schema.ts";

const cache = new Map<string, Promise<Keypair>>();

/** Loads (once per isolate) the hotkey a source points at. */
export function loadHotkey(source: HotkeySource): Promise<Keypair> {
  const key = JSON.stringify(source);
  let p = cache.get(key);
  if (!p) {
    p = source.kind === "wallet"
      ? openWallet({ name: source.name, hotkey: source.hotkey, path: source.path }).hotkey()
      : Deno.readTextFile(source.path).then((t) => Keypair.fromSeed(hexToU8a(t.trim())));
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}
