/**
 * @module
 * Web Worker of the bench's load generator: pre-signs valid `CgSynapse` requests (each with its
 * own dendrite uuid, so they stay valid in any arrival order) before the timed window.
 */
import { Keypair } from "../../wallet/keypair.ts";
import { type AxonTarget, CgSynapse, Dendrite } from "../../protocol/mod.ts";
import { WasmSigner } from "../../protocol/wasm_signer.ts";

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
  const { mnemonic, target, count, timeout } = e.data as {
    mnemonic: string;
    target: AxonTarget;
    count: number;
    timeout: number;
  };
  const keypair = await WasmSigner.fromSeed((await Keypair.fromMnemonic(mnemonic)).miniSecret!);
  const out: Prepared[] = [];
  for (let i = 0; i < count; i++) {
    const p = new Dendrite({ keypair }).prepare(
      target,
      CgSynapse,
      { cgp_input: [{ guid: i, lines: [[0, "hello"], [1, "world"]] }] },
      timeout,
    );
    out.push({ url: p.url, headers: p.headers, body: p.body });
  }
  scope.postMessage(out);
};
