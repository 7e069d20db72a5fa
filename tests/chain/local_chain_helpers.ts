/**
 * @module
 * Shared set-up for the local-chain tests: start a manual-mode chain on the real metadata blob,
 * connect a plain `@polkadot/api` client, and submit an extrinsic deterministically (wait until it
 * is in the pool, produce one block, resolve with its in-block result).
 */
import { ApiPromise, Keyring, WsProvider } from "@polkadot/api";
import type { SubmittableExtrinsic } from "@polkadot/api/types";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { ISubmittableResult } from "@polkadot/types/types";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { type LocalChain, startLocalChain } from "../../chain/local/mod.ts";

/** The team's real subtensor metadata blob, read in place. */
export const METADATA_PATH =
  new URL("../../../shared/chain/subtensor-metadata-v16.scale", import.meta.url).pathname;

/** A manual-mode chain plus a connected client. */
export interface Setup {
  chain: LocalChain;
  api: ApiPromise;
  keys: Record<string, KeyringPair>;
  close(): Promise<void>;
}

/** Starts a chain (manual blocks) and connects `@polkadot/api` to it. */
export async function setup(): Promise<Setup> {
  await cryptoWaitReady();
  const chain = await startLocalChain({ metadataPath: METADATA_PATH, blockTimeMs: 0 });
  const api = await ApiPromise.create({
    provider: new WsProvider(chain.url),
    noInitWarn: true,
    throwOnConnect: true,
  });
  const kr = new Keyring({ type: "sr25519", ss58Format: 42 });
  const keys: Record<string, KeyringPair> = {};
  for (const n of ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"]) {
    keys[n.toLowerCase()] = kr.addFromUri(`//${n}`);
  }
  return {
    chain,
    api,
    keys,
    async close() {
      await api.disconnect();
      await chain.close();
    },
  };
}

/** Outcome of `submit`: the in-block result, plus the dispatch error name if it failed. */
export interface Submitted {
  result: ISubmittableResult;
  events: string[];
  error?: string;
}

/**
 * Signs and submits `tx`, produces one block once it is in the pool, and resolves at inBlock.
 * Pool rejections reject with the RPC error (`1010: Invalid Transaction: Custom error: N`).
 */
export async function submit(
  s: Setup,
  tx: SubmittableExtrinsic<"promise">,
  signer: KeyringPair,
): Promise<Submitted> {
  const before = s.chain.pendingExtrinsics();
  let settled = false;
  const done = new Promise<ISubmittableResult>((resolve, reject) => {
    tx.signAndSend(signer, (r: ISubmittableResult) => {
      // @polkadot/api may skip inBlock when finalized follows quickly; both carry the events.
      if (r.status.isInBlock || r.status.isFinalized) {
        settled = true;
        resolve(r);
      }
    }).catch((e: Error) => {
      settled = true;
      reject(e);
    });
  });
  done.catch(() => {}); // observed below; avoids an unhandled rejection while polling
  while (!settled && s.chain.pendingExtrinsics() <= before) {
    await new Promise((r) => setTimeout(r, 2));
  }
  if (!settled) await s.chain.advanceBlocks(1);
  const result = await done;
  const events = result.events.map((e) => `${e.event.section}.${e.event.method}`);
  let error: string | undefined;
  if (result.dispatchError?.isModule) {
    const meta = s.api.registry.findMetaError(result.dispatchError.asModule);
    error = `${meta.section}.${meta.name}`;
  }
  // Let the delayed finalized notification arrive so no message is in flight at close.
  await new Promise((r) => setTimeout(r, 60));
  return { result, events, error };
}
