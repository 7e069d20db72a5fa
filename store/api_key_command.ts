/**
 * @module
 * `cgp-node api-key`: a validator obtains its CGP API key the way upstream's
 * `get_validator_api_key.py` does. It loads the hotkey from the btcli wallet (or, for tests and
 * scripts, from a mnemonic in an environment variable), asks the API for a one-time message,
 * signs it with the hotkey (sr25519) and trades the signature for a key, which it writes to
 * `readyai_api_data.json` (mode 0600). The registration, permit and stake checks are the
 * server's (ours does them against the metagraph).
 */
import { u8aToHex } from "@polkadot/util";
import type { Command } from "../main.ts";
import { FlagError, helpText, parseFlags } from "../config/flags.ts";
import { Keypair, type Signer } from "../wallet/keypair.ts";
import { openWallet } from "../wallet/wallet.ts";
import { API_KEY_FILE, writeApiKeyFile } from "./api_key_file.ts";
import { type Failure, HOSTED_READ_URL, StoreClient } from "./client.ts";

const FLAGS = {
  "api-url": {
    kind: "string",
    default: HOSTED_READ_URL,
    env: "CGP_API_READ_HOST",
    help: "CGP API base URL (upstream's hosted API, or our `cgp-node api`)",
  },
  "wallet.name": { kind: "string", env: "BT_WALLET_NAME", help: "wallet name" },
  "wallet.hotkey": { kind: "string", env: "BT_WALLET_HOTKEY", help: "hotkey name" },
  "wallet.path": { kind: "string", env: "BT_WALLET_PATH", help: "wallets directory" },
  "mnemonic-env": {
    kind: "string",
    help: "take the hotkey from this environment variable's mnemonic instead of the wallet",
  },
  netuid: { kind: "int", default: 33, help: "subnet (33 mainnet, 138 testnet)" },
  "subtensor.network": { kind: "string", default: "finney", help: "finney | test | local" },
  out: { kind: "string", default: API_KEY_FILE, help: "file to write the key to" },
  timeout: { kind: "float", default: 60, help: "HTTP timeout in seconds" },
  help: { kind: "boolean", help: "show this help" },
} as const;

/** Obtains a key for `signer` from the API behind `client`; does not write anything. */
export async function obtainApiKey(
  client: StoreClient,
  signer: Signer,
  info: { netuid?: number; network?: string } = {},
): Promise<{ ok: true; data: { api_key: string } & Record<string, unknown> } | Failure> {
  const m = await client.generateMessage({
    hotkey: signer.ss58Address,
    netuid: info.netuid,
    network: info.network,
  });
  if (!m.ok) return m;
  const signature = u8aToHex(signer.sign(m.message));
  const k = await client.generateApiKey(signer.ss58Address, m.message, signature);
  if (!k.ok) return k;
  return { ok: true, data: { ...k.data, api_key: k.apiKey, hotkey: signer.ss58Address } };
}

/** `cgp-node api-key`. */
export const apiKeyCommand: Command = {
  summary: "obtain a validator API key for the CGP API and write readyai_api_data.json",
  async run(args: string[]): Promise<number> {
    let flags;
    try {
      flags = parseFlags(args, FLAGS).flags;
    } catch (e) {
      if (e instanceof FlagError) {
        console.error(`${e.message}\n\n${helpText("api-key", this.summary, FLAGS)}`);
        return 2;
      }
      throw e;
    }
    if (flags.help) {
      console.log(helpText("api-key", this.summary, FLAGS));
      return 0;
    }
    let signer: Signer;
    try {
      if (flags["mnemonic-env"]) {
        const phrase = Deno.env.get(flags["mnemonic-env"]);
        if (!phrase) throw new Error(`--mnemonic-env: ${flags["mnemonic-env"]} is not set`);
        signer = await Keypair.fromMnemonic(phrase);
      } else {
        signer = await openWallet({
          name: flags["wallet.name"],
          hotkey: flags["wallet.hotkey"],
          path: flags["wallet.path"],
        }).hotkey();
      }
    } catch (e) {
      console.error(`api-key: could not load the hotkey: ${(e as Error).message}`);
      return 1;
    }
    const client = new StoreClient({
      readUrl: flags["api-url"],
      apiKey: null,
      timeoutMs: (flags.timeout ?? 60) * 1000,
      retries: 2,
    });
    const r = await obtainApiKey(client, signer, {
      netuid: flags.netuid,
      network: flags["subtensor.network"],
    });
    if (!r.ok) {
      console.error(`api-key: ${r.reason}`);
      return 1;
    }
    const out = flags.out ?? API_KEY_FILE;
    await writeApiKeyFile(r.data, out);
    console.error(`api-key: wrote ${out} for hotkey ${signer.ss58Address}`);
    return 0;
  },
};
