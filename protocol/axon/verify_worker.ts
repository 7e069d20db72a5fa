/**
 * @module
 * Web Worker body of {@link ./verifier.ts createVerifyPool}: takes jobs from the shared queue
 * (blocking while there are none), verifies them, writes the verdicts back.
 */
import { sr25519VerifierReady, sr25519VerifyMessage } from "../sr25519_verify.ts";
import type { VerifyWorkerInit } from "./verifier.ts";
import { VerifyQueue } from "./verify_queue.ts";

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<VerifyWorkerInit>) => void) | null;
  close(): void;
};
scope.onmessage = async (e) => {
  scope.onmessage = null;
  await sr25519VerifierReady();
  const queue = new VerifyQueue(e.data.slots, e.data.buffer);
  for (let slot = queue.take(); slot >= 0; slot = queue.take()) {
    let ok = false;
    try {
      const j = queue.job(slot);
      ok = sr25519VerifyMessage(j.message, j.signature, j.publicKey);
    } catch {
      ok = false;
    }
    queue.finish(slot, ok);
  }
  scope.close();
};
