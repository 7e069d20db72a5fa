/**
 * What the validator command needs beside a local subnet: a btcli wallet in `dir/wallets`
 * (`validator`/`default`), a store whose API key is bound to that wallet's hotkey (a validator
 * record must carry it), and the `readyai_api_data.json` holding the key.
 */
import { startStore, type StoreServer, writeApiKeyFile } from "../../store/mod.ts";
import { createWallet } from "../../wallet/mod.ts";

/** Creates the wallet, the store and the key file under `dir`. */
export async function validatorWalletAndStore(dir: string, label: string) {
  const made = await createWallet({
    name: "validator",
    hotkey: "default",
    path: `${dir}/wallets`,
    coldkeyPassword: null,
  });
  const apiKey = `${label.replace(/\s+/g, "-")}-${crypto.randomUUID()}`;
  const store: StoreServer = await startStore({
    db: `sqlite:${dir}/store.sqlite`,
    port: 0,
    // short leases: the small demo dataset is reserved again and again over many steps
    leaseSeconds: 2,
    apiKeys: [{ key: apiKey, hotkey: made.hotkey.ss58Address, label }],
  });
  const keyFile = `${dir}/readyai_api_data.json`;
  await writeApiKeyFile({ api_key: apiKey }, keyFile);
  return { made, store, apiKey, keyFile };
}
