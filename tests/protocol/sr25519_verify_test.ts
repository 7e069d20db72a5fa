/**
 * The axon's verifier (schnorrkel-wasm behind input checks) against `@polkadot/wasm-crypto` on
 * valid, tampered and malformed signatures and keys: same verdict every time, and malformed
 * input never reaches the wasm (which would trap).
 */
import assert from "node:assert/strict";
import { sr25519Verify } from "@polkadot/wasm-crypto";
import { sr25519WasmReady } from "../../protocol/sr25519_wasm.ts";
import {
  GROUP_ORDER_LE,
  publicKeyWellFormed,
  signatureWellFormed,
  sr25519VerifierReady,
  sr25519VerifyMessage,
} from "../../protocol/sr25519_verify.ts";
import { Keypair } from "../../wallet/keypair.ts";

const MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const enc = new TextEncoder();

/** wasm-crypto's verdict with the same `<Bytes>` fallback. */
function reference(msg: Uint8Array, sig: Uint8Array, pk: Uint8Array): boolean {
  return sr25519Verify(sig, msg, pk) ||
    sr25519Verify(sig, enc.encode(`<Bytes>${new TextDecoder().decode(msg)}</Bytes>`), pk);
}

Deno.test("sr25519 verifier: same verdicts as wasm-crypto, malformed input answered false", async () => {
  await sr25519WasmReady();
  await sr25519VerifierReady();
  const kp = await Keypair.fromMnemonic(MNEMONIC);
  const other = await Keypair.fromMnemonic(
    "old leopard transfer rib spatial phone calm indicate online fire caution review",
  );
  const msg = enc.encode("1767225600000000000.a.b.5ecbd69c.a7ffc6f8");
  const sig = kp.sign(msg);
  const wrapped = kp.sign(enc.encode(`<Bytes>${new TextDecoder().decode(msg)}</Bytes>`));
  const with_ = (i: number, v: number, s = sig) => {
    const c = s.slice();
    c[i] = v;
    return c;
  };
  const sWith = (s: Uint8Array) => Uint8Array.from([...sig.subarray(0, 32), ...s]);
  const L = [...GROUP_ORDER_LE];
  const marked = (s: number[]) => sWith(Uint8Array.from(s.map((b, i) => i === 31 ? b | 0x80 : b)));
  const cases: Array<[string, Uint8Array, Uint8Array, Uint8Array, boolean]> = [
    ["valid", msg, sig, kp.publicKey, true],
    ["<Bytes> form", msg, wrapped, kp.publicKey, true],
    [
      "tampered message",
      enc.encode("1767225600000000001.a.b.5ecbd69c.a7ffc6f8"),
      sig,
      kp.publicKey,
      false,
    ],
    ["other key", msg, sig, other.publicKey, false],
    ["no marker bit", msg, with_(63, sig[63] & 0x7f), kp.publicKey, false],
    ["zero signature", msg, new Uint8Array(64), kp.publicKey, false],
    ["scalar = ℓ", msg, marked(L), kp.publicKey, false],
    ["scalar = ℓ − 1", msg, marked(L.map((b, i) => i === 0 ? b - 1 : b)), kp.publicKey, false],
    ["scalar all ones", msg, with_(63, 0xff, with_(62, 0xff)), kp.publicKey, false],
    ["key 0xff…", msg, sig, new Uint8Array(32).fill(0xff), false],
    ["key zero (identity)", msg, sig, new Uint8Array(32), false],
    ["short key", msg, sig, kp.publicKey.subarray(0, 31), false],
    ["short signature", msg, sig.subarray(0, 63), kp.publicKey, false],
  ];
  for (let i = 0; i < 20; i++) {
    cases.push([`random key ${i}`, msg, sig, crypto.getRandomValues(new Uint8Array(32)), false]);
  }
  const errors: unknown[] = [];
  const origError = console.error;
  console.error = (...a: unknown[]) => errors.push(a);
  try {
    for (const [name, m, s, pk, want] of cases) {
      const ref = s.length === 64 && pk.length === 32 ? reference(m, s, pk) : false;
      assert.equal(ref, want, `${name}: wasm-crypto`);
      assert.equal(sr25519VerifyMessage(m, s, pk), want, `${name}: ours`);
    }
  } finally {
    console.error = origError;
  }
  assert.deepEqual(errors, [], "the wasm trapped (it prints a panic) on some input");
  assert.equal(signatureWellFormed(sig), true);
  assert.equal(publicKeyWellFormed(kp.publicKey), true);
  assert.equal(publicKeyWellFormed(new Uint8Array(32).fill(0xff)), false);
});
