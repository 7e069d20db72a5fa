import assert from "node:assert/strict";
import { Keypair } from "../../wallet/keypair.ts";
import {
  decodeSignatureHex,
  signatureMessage,
  signToHex,
  verifyHexSignature,
} from "../../protocol/signature.ts";
import { EMPTY_BODY_HASH } from "../../protocol/body_hash.ts";

const MNEMONIC = "old leopard transfer rib spatial phone calm indicate online fire caution review";
const ALICE = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

Deno.test("vector 6: the upstream request signature verifies", async () => {
  const kp = await Keypair.fromMnemonic(MNEMONIC);
  assert.equal(kp.ss58Address, "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX");
  const message = signatureMessage({
    nonce: 1767225600000000000n,
    dendriteHotkey: kp.ss58Address,
    axonHotkey: ALICE,
    uuid: "5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a",
    bodyHash: EMPTY_BODY_HASH,
  });
  assert.equal(
    message,
    "1767225600000000000.5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX." +
      "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a." +
      EMPTY_BODY_HASH,
  );
  const sig = "0x90277078e5953bf81c41ebb3d99d55929ef6937b6f2c3f3fe5c204483013b14fb61d3c2215afad" +
    "659c6d6578861eb21525c055c4efc9633b56d48b7c3cc9f189";
  assert.equal(verifyHexSignature(message, sig, kp.ss58Address), true);
  assert.equal(verifyHexSignature(message + "x", sig, kp.ss58Address), false);
  assert.equal(verifyHexSignature(message, sig, ALICE), false);
});

Deno.test("our signatures: 0x + 128 lowercase hex, verify, <Bytes> form accepted", async () => {
  const kp = await Keypair.fromMnemonic(MNEMONIC);
  const sig = signToHex(kp, "1.a.b.c.d");
  assert.match(sig, /^0x[0-9a-f]{128}$/);
  assert.equal(verifyHexSignature("1.a.b.c.d", sig, kp.ss58Address), true);
  const wrapped = signToHex(kp, "<Bytes>1.a.b.c.d</Bytes>");
  assert.equal(verifyHexSignature("1.a.b.c.d", wrapped, kp.ss58Address), true);
  assert.throws(
    () => decodeSignatureHex("abcd"),
    /Invalid signature format\. Expected hex string\./,
  );
  assert.throws(() => decodeSignatureHex("0xzz"), /Expected hex string/);
  assert.equal(
    signatureMessage({
      nonce: 5n,
      dendriteHotkey: "d",
      axonHotkey: "a",
      uuid: null,
      bodyHash: null,
    }),
    "5.d.a.None.None",
  );
});

Deno.test("wasm sr25519: vector 6 verifies; WasmSigner derives the Keypair key and interoperates", async () => {
  const { sr25519WasmReady, sr25519WasmVerify } = await import("../../protocol/sr25519_wasm.ts");
  const { WasmSigner } = await import("../../protocol/wasm_signer.ts");
  await sr25519WasmReady();
  const kp = await Keypair.fromMnemonic(MNEMONIC);
  const enc = new TextEncoder();
  const message = enc.encode(
    "1767225600000000000.5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX." +
      "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a." +
      EMPTY_BODY_HASH,
  );
  const sig = decodeSignatureHex(
    "0x90277078e5953bf81c41ebb3d99d55929ef6937b6f2c3f3fe5c204483013b14fb61d3c2215afad" +
      "659c6d6578861eb21525c055c4efc9633b56d48b7c3cc9f189",
  );
  assert.equal(sr25519WasmVerify(message, sig, kp.publicKey), true);
  assert.equal(sr25519WasmVerify(enc.encode("other"), sig, kp.publicKey), false);
  const ws = await WasmSigner.fromSeed(kp.miniSecret!);
  assert.equal(ws.ss58Address, kp.ss58Address);
  const wsig = ws.sign("1.a.b.c.d");
  assert.equal(verifyHexSignature("1.a.b.c.d", signToHex(ws, "1.a.b.c.d"), kp.ss58Address), true);
  assert.equal(sr25519WasmVerify(enc.encode("1.a.b.c.d"), wsig, kp.publicKey), true);
  const wrapped = kp.sign("<Bytes>1.a.b.c.d</Bytes>");
  assert.equal(sr25519WasmVerify(enc.encode("1.a.b.c.d"), wrapped, kp.publicKey), true);
  assert.equal(
    sr25519WasmVerify(enc.encode("1.a.b.c.d"), kp.sign("1.a.b.c.d"), kp.publicKey),
    true,
  );
});

Deno.test("axon verifiers: inline and worker pool (one slot: jobs wait their turn) agree", async () => {
  const { createVerifyPool, inlineVerifier } = await import("../../protocol/mod.ts");
  const kp = await Keypair.fromMnemonic(MNEMONIC);
  const enc = new TextEncoder();
  const jobs = Array.from({ length: 12 }, (_, i) => {
    const m = enc.encode(`${i}.msg`);
    const sig = kp.sign(m);
    return { m: i % 3 === 0 ? enc.encode(`${i}.tampered`) : m, sig, want: i % 3 !== 0 };
  });
  // a message longer than a shared-memory slot is verified in the calling thread
  const long = enc.encode(`${"x".repeat(2000)}.msg`);
  jobs.push({ m: long, sig: kp.sign(long), want: true });
  jobs.push({ m: enc.encode("y".repeat(2000)), sig: kp.sign(long), want: false });
  for (
    const v of [inlineVerifier(), createVerifyPool(2, { slots: 1 }), createVerifyPool(3)]
  ) {
    try {
      const got = await Promise.all(jobs.map((j) => v.verify(j.m, j.sig, kp.publicKey)));
      assert.deepEqual(got, jobs.map((j) => j.want));
    } finally {
      v.close();
    }
  }
});
