/**
 * @module
 * Web Worker body of {@link ./verifier.ts createVerifyPool}: verifies sr25519 signatures.
 */
import { cryptoReady, verifySignatureSync } from "../../wallet/keypair.ts";
import type { VerifyJob } from "./verifier.ts";

const ready = cryptoReady();
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<VerifyJob>) => void) | null;
  postMessage(m: unknown): void;
};
scope.onmessage = async (e) => {
  await ready;
  let ok = false;
  try {
    ok = verifySignatureSync(e.data.message, e.data.signature, e.data.publicKey);
  } catch {
    ok = false;
  }
  scope.postMessage({ id: e.data.id, ok });
};
