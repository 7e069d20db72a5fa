import assert from "node:assert/strict";
import {
  decryptWithEphemeralKey,
  parseCiphertext,
  roundIdentity,
  timelockDecrypt,
  timelockEncrypt,
  TimelockError,
  verifyPulse,
} from "../../../chain/drand/timelock.ts";
import { bytesToHex, hexToBytes, QUICKNET_PUBLIC_KEY_HEX } from "../../../chain/drand/quicknet.ts";
import { quicknet, timelock } from "../fixtures.ts";

const Q = quicknet();
const T = timelock();

Deno.test("quicknet constant equals the fixture's public key", () => {
  assert.equal(QUICKNET_PUBLIC_KEY_HEX, Q.beacon.public_key);
  assert.equal(QUICKNET_PUBLIC_KEY_HEX, T.quicknet_public_key);
});

Deno.test("identity of every pulse is sha256(round as u64 BE)", async () => {
  for (const p of Q.pulses) {
    assert.equal(bytesToHex(await roundIdentity(p.round)), p.identity, `round ${p.round}`);
  }
  await assert.rejects(() => roundIdentity(-1), TimelockError);
});

Deno.test("every pulse passes the BLS check; the non-pulses and a swapped round do not", async () => {
  for (const p of Q.pulses) {
    assert.ok(await verifyPulse(p.round, hexToBytes(p.signature)), `${p.round}`);
  }
  for (const p of Q.not_pulses) {
    assert.equal(await verifyPulse(p.round, hexToBytes(p.signature)), false);
  }
  const [a, b] = Q.pulses;
  assert.equal(await verifyPulse(a.round, hexToBytes(b.signature)), false);
});

Deno.test("wasm cases: decrypt with their signature, fail with the wrong one, AES layer with esk", async (t) => {
  for (const c of T.wasm_ciphertexts.cases) {
    await t.step(c.id, async () => {
      const ct = hexToBytes(c.ciphertext_hex);
      assert.equal(ct.length, 244 + c.plaintext_len);
      const pt = await timelockDecrypt(ct, hexToBytes(c.signature));
      assert.equal(bytesToHex(pt), c.plaintext_hex);
      await assert.rejects(
        () => timelockDecrypt(ct, hexToBytes(c.wrong_signature)),
        /InvalidSignature/,
      );
      const aes = await decryptWithEphemeralKey(ct, hexToBytes(c.ephemeral_secret_key_hex));
      assert.equal(bytesToHex(aes), c.plaintext_hex);
      const parsed = parseCiphertext(ct);
      assert.equal(bytesToHex(parsed.u), c.parsed.u);
      assert.equal(bytesToHex(parsed.v), c.parsed.v);
      assert.equal(bytesToHex(parsed.w), c.parsed.w);
      assert.equal(bytesToHex(parsed.aesCiphertextWithTag), c.parsed.aes_ciphertext_with_tag);
      assert.equal(bytesToHex(parsed.nonce), c.parsed.aes_nonce);
      assert.equal(parsed.cipherSuite, c.parsed.cipher_suite_ascii);
      assert.equal(parsed.plaintextLength, c.plaintext_len);
    });
  }
});

Deno.test("reference vectors (independent implementation) decrypt with wasm 1.0.0", async () => {
  for (const c of T.reference_vectors.cases) {
    const pt = await timelockDecrypt(hexToBytes(c.ciphertext_hex), hexToBytes(c.signature));
    assert.equal(bytesToHex(pt), c.plaintext_hex, c.id);
  }
});

Deno.test("fresh tle round trip for every pulse, ct.length === 244 + n, fresh randomness", async () => {
  const pt = new TextEncoder().encode("weights for round trip");
  for (const p of Q.pulses) {
    const ct = await timelockEncrypt(pt, p.round);
    assert.equal(ct.length, 244 + pt.length);
    assert.deepEqual(await timelockDecrypt(ct, hexToBytes(p.signature)), pt);
    const again = await timelockEncrypt(pt, p.round);
    assert.notDeepEqual(again, ct, "two encryptions must differ (fresh esk, sigma, nonce)");
  }
  const empty = await timelockEncrypt(new Uint8Array(0), Q.pulses[0].round);
  assert.equal(empty.length, 244);
  const other = Q.pulses[1];
  const ct = await timelockEncrypt(pt, Q.pulses[0].round);
  await assert.rejects(() => timelockDecrypt(ct, hexToBytes(other.signature)), TimelockError);
});

Deno.test("N1 (wasm 0.3.0 format) is rejected by the layout guard", () => {
  for (const n of T.incompatible) {
    const ct = hexToBytes(n.ciphertext_hex);
    assert.notEqual(ct.length, 244 + hexToBytes(n.plaintext_hex).length);
    assert.throws(() => parseCiphertext(ct), TimelockError, n.id);
  }
});

Deno.test("F1 (a real finney commit) parses with the chain's layout", () => {
  const f = T.onchain_rust_ciphertexts[0];
  const ct = hexToBytes(f.commit_hex);
  assert.equal(ct.length, f.args.commit_len);
  const p = parseCiphertext(ct);
  assert.equal(bytesToHex(p.u), f.parsed.u);
  assert.equal(bytesToHex(p.v), f.parsed.v);
  assert.equal(bytesToHex(p.w), f.parsed.w);
  assert.equal(bytesToHex(p.nonce), f.parsed.aes_nonce);
  assert.equal(p.plaintextLength, Number(f.parsed.implied_plaintext_len));
  assert.equal(p.plaintextLength, 59);
});

Deno.test("layout guard rejects truncation, trailing bytes and a corrupted U", async () => {
  const ct = await timelockEncrypt(new Uint8Array(10), Q.pulses[0].round);
  assert.throws(() => parseCiphertext(ct.slice(0, ct.length - 1)), TimelockError);
  assert.throws(() => parseCiphertext(Uint8Array.of(...ct, 0)), TimelockError);
  const badU = ct.slice();
  badU[5] ^= 0xff;
  assert.throws(() => parseCiphertext(badU), TimelockError);
  const badSuite = ct.slice();
  badSuite[badSuite.length - 1] ^= 1;
  assert.throws(() => parseCiphertext(badSuite), /cipher suite/);
});
