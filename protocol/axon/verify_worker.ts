/**
 * @module
 * Web Worker body of {@link ./verifier.ts createVerifyPool}: verifies sr25519 signatures.
 */
import { sr25519WasmReady, sr25519WasmVerify } from "../sr25519_wasm.ts";
import type { VerifyJob } from "./verifier.ts";

const ready = sr25519WasmReady();
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<VerifyJob>) => void) | null;
  postMessage(m: unknown): void;
};
scope.onmessage = async (e) => {
  await ready;
  let ok = false;
  try {
    ok = sr25519WasmVerify(e.data.message, e.data.signature, e.data.publicKey);
  } catch {
    ok = false;
  }
  scope.postMessage({ id: e.data.id, ok });
};
