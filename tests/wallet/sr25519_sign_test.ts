/**
 * The project's wasm signer (`wallet/sr25519_sign.wasm`) against two verifiers it shares no code
 * with: `@scure/sr25519` (pure JS) and `@polkadot/wasm-crypto`. Python's bittensor_wallet
 * verifies its signatures in tests/interop (request signatures and wallet signatures).
 */
import assert from "node:assert/strict";
import { sr25519Verify as polkadotVerify, waitReady } from "@polkadot/wasm-crypto";
import { verify as scureVerify } from "@scure/sr25519";
import { sr25519PairFromSeed } from "@polkadot/util-crypto";
import { sr25519SignFast, sr25519SignReady } from "../../wallet/sr25519_sign.ts";
import * as signModule from "../../wallet/sr25519_sign.wasm";
import { cryptoReady, Keypair, verifySignatureSync } from "../../wallet/keypair.ts";

const seed = (b: number) => new Uint8Array(32).fill(b);

/** Both independent verifiers' verdict; they must agree. */
function verifies(msg: Uint8Array, sig: Uint8Array, pub: Uint8Array): boolean {
  const a = scureVerify(msg, sig, pub);
  const b = polkadotVerify(sig, msg, pub);
  assert.equal(a, b, "the two reference verifiers disagree");
  return a;
}

Deno.test("sr25519 wasm signer", async (t) => {
  await waitReady();
  await cryptoReady();
  await sr25519SignReady();
  const alice = sr25519PairFromSeed(seed(1));
  const bob = sr25519PairFromSeed(seed(2));
  const capacity = signModule.message_capacity();

  await t.step("signatures verify, for the signer's key and message only", () => {
    for (const len of [0, 1, 31, 200, 1000, capacity]) {
      const msg = crypto.getRandomValues(new Uint8Array(Math.min(len, 65536)));
      const sig = sr25519SignFast(alice.publicKey, alice.secretKey, msg)!;
      assert.equal(sig.length, 64);
      assert.ok(verifies(msg, sig, alice.publicKey), `length ${len}`);
      assert.ok(!verifies(msg, sig, bob.publicKey), `length ${len}: another key`);
      if (len > 0) {
        const tampered = msg.slice();
        tampered[len - 1] ^= 1;
        assert.ok(!verifies(tampered, sig, alice.publicKey), `length ${len}: tampered`);
      }
    }
  });

  await t.step("randomised: two signatures of one message differ, both verify", () => {
    const msg = new TextEncoder().encode("nonce.dendrite.axon.uuid.hash");
    const a = sr25519SignFast(bob.publicKey, bob.secretKey, msg)!;
    const b = sr25519SignFast(bob.publicKey, bob.secretKey, msg)!;
    assert.notDeepEqual(a, b);
    assert.ok(verifies(msg, a, bob.publicKey) && verifies(msg, b, bob.publicKey));
  });

  await t.step("secret and randomness are wiped from the module's memory", () => {
    sr25519SignFast(alice.publicKey, alice.secretKey, new Uint8Array([1, 2, 3]));
    const io = signModule.io();
    const area = new Uint8Array(signModule.memory.buffer, io, 128);
    assert.ok(area.subarray(0, 64).every((b) => b === 0), "secret left in memory");
    assert.ok(area.subarray(96, 128).every((b) => b === 0), "randomness left in memory");
  });

  await t.step(
    "a message over the capacity is declined, and Keypair signs it another way",
    async () => {
      const long = new Uint8Array(capacity + 1).fill(7);
      assert.equal(sr25519SignFast(alice.publicKey, alice.secretKey, long), null);
      const kp = await Keypair.fromSeed(seed(1));
      assert.ok(verifies(long, kp.sign(long), kp.publicKey));
      assert.ok(verifySignatureSync(long, kp.sign(long), kp.publicKey));
    },
  );

  await t.step("bad key material is named, and the next signature is still right", () => {
    // A scalar whose value divided by the cofactor is not below the group order.
    const bad = new Uint8Array(64).fill(0xff);
    assert.throws(
      () => sr25519SignFast(alice.publicKey, bad, new Uint8Array(3)),
      /not a valid key/,
    );
    assert.throws(() => sr25519SignFast(alice.publicKey, bad.subarray(1), new Uint8Array(3)), /64/);
    const msg = new Uint8Array([9, 9]);
    assert.ok(
      verifies(msg, sr25519SignFast(alice.publicKey, alice.secretKey, msg)!, alice.publicKey),
    );
  });

  await t.step("Keypair.sign goes through it and keeps its keys' addresses", async () => {
    const kp = await Keypair.fromSeed(seed(2));
    assert.deepEqual(kp.publicKey, bob.publicKey);
    const msg = new TextEncoder().encode("hello");
    assert.ok(verifies(msg, kp.sign(msg), bob.publicKey));
  });
});
