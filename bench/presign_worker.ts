/**
 * @module
 * Web Worker of the benches' load generators: pre-signs `CgSynapse` requests carrying the given
 * `cgp_input`s (each with its own dendrite uuid, so any arrival order is valid) before the timed
 * window, so signing costs the load generator nothing while it measures. See `presign.ts`.
 */
import { Keypair } from "../wallet/keypair.ts";
import { type AxonTarget, CgSynapse, Dendrite } from "../protocol/mod.ts";
import { WasmSigner } from "../protocol/wasm_signer.ts";

/** One pre-signed request. */
export interface Prepared {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(m: unknown): void;
};
scope.onmessage = async (e: MessageEvent) => {
  const { mnemonic, target, inputs, timeout } = e.data as {
    mnemonic: string;
    target: AxonTarget;
    inputs: Record<string, unknown>[][];
    timeout: number;
  };
  const keypair = await WasmSigner.fromSeed((await Keypair.fromMnemonic(mnemonic)).miniSecret!);
  const out: Prepared[] = inputs.map((cgp_input) => {
    const p = new Dendrite({ keypair }).prepare(target, CgSynapse, { cgp_input }, timeout);
    return { url: p.url, headers: p.headers, body: p.body };
  });
  scope.postMessage(out);
};
