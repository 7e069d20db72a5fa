/**
 * @module
 * Worker entry of {@link runChainJob} (`chain_job.ts`): connects to the chain, does one job,
 * closes the connection and answers; its owner then ends the worker, and with it the isolate
 * that held `@polkadot/api`.
 */
import type { Signer } from "../wallet/keypair.ts";
import type { ChainJob, ChainJobReply, ChainJobStage } from "./chain_job.ts";
import type { HotkeySource } from "./hotkey_source_schema.ts";

/**
 * `hotkey_source.ts`'s loader, imported by a computed URL: a worker's module graph is
 * type-checked with the worker library, where the wallet's terminal `prompt()` does not exist
 * (the actor isolates load it the same way, by URL).
 */
async function hotkeyLoader(): Promise<(source: HotkeySource) => Promise<Signer>> {
  const url = new URL("./hotkey_source.ts", import.meta.url).href;
  return ((await import(url)) as { loadHotkey: (s: HotkeySource) => Promise<Signer> }).loadHotkey;
}

/** The worker's global scope (the default lib types `self` as a window). */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ChainJob>) => void) | null;
  postMessage(m: ChainJobReply): void;
};

scope.onmessage = async (e: MessageEvent<ChainJob>) => {
  const job = e.data;
  let reply: ChainJobReply;
  let stage: ChainJobStage = "wallet";
  try {
    // The hotkey first (registration, set_weights): a wallet problem is reported as such.
    const hotkey = job.op === "metagraph" ? null : await (await hotkeyLoader())(job.hotkey);
    stage = "connect";
    const { SubtensorClient } = await import("../chain/client.ts");
    const client = await SubtensorClient.connect(job.chain);
    stage = "job";
    try {
      if (job.op === "metagraph") {
        const { toMetagraphView } = await import("./chain_target.ts");
        reply = { ok: true, value: toMetagraphView(await client.metagraph(job.netuid)) };
      } else if (job.op === "registration") {
        const ss58 = hotkey!.ss58Address;
        reply = { ok: true, value: { ss58, uid: await client.uidOf(job.netuid, ss58) } };
      } else {
        const value = await client.setWeights(hotkey!, {
          netuid: job.netuid,
          uids: job.uids,
          weights: job.weights,
          versionKey: job.versionKey,
        });
        reply = { ok: true, value };
      }
    } finally {
      await client.close();
    }
  } catch (err) {
    reply = { ok: false, stage, error: (err as Error).message ?? String(err) };
  }
  scope.postMessage(reply);
};
