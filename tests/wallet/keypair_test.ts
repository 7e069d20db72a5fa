import assert from "node:assert/strict";
import { hexToU8a, u8aToHex } from "@polkadot/util";
import { Keypair, verifySignature } from "../../wallet/keypair.ts";

const PHRASE = "old leopard transfer rib spatial phone calm indicate online fire caution review";
const MINI = "0xda3cf5b1e9144931a0f0db65664aab662673b099415a7f8121b7245fb0be4143";
const PUB = "0xe4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446";
const SS58 = "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX";
const CANONICAL =
  "0x1f1995bdf3a17b60626a26cfe6f564b337d46056b7a1281b64c649d592ccda0a9cffd34d9fb01cae1fba61aeed184c817442a2186d5172416729a4b54dd4b84e";

Deno.test("keypair: spec vector 5 (phrase, seed, canonical privateKey)", async (t) => {
  await t.step("phrase", async () => {
    const kp = await Keypair.fromMnemonic(PHRASE);
    assert.equal(u8aToHex(kp.miniSecret!), MINI);
    assert.equal(kp.publicKeyHex, PUB);
    assert.equal(kp.ss58Address, SS58);
    assert.equal(u8aToHex(kp.canonicalPrivateKey()), CANONICAL);
  });
  await t.step("seed", async () => {
    const kp = await Keypair.fromSeed(hexToU8a(MINI));
    assert.equal(kp.ss58Address, SS58);
  });
  await t.step("canonical privateKey", async () => {
    const kp = await Keypair.fromCanonicalPrivateKey(hexToU8a(CANONICAL));
    assert.equal(kp.ss58Address, SS58);
    const sig = kp.sign("hello");
    assert.ok(await verifySignature("hello", sig, SS58));
  });
});

Deno.test("keypair: spec vector 6 signature verifies, <Bytes> fallback, tamper fails", async () => {
  const msg =
    "1767225600000000000.5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX.5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a.a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a";
  const sig = hexToU8a(
    "0x90277078e5953bf81c41ebb3d99d55929ef6937b6f2c3f3fe5c204483013b14fb61d3c2215afad659c6d6578861eb21525c055c4efc9633b56d48b7c3cc9f189",
  );
  assert.ok(await verifySignature(msg, sig, hexToU8a(PUB)));
  assert.ok(!(await verifySignature(msg + "x", sig, hexToU8a(PUB))));
  const kp = await Keypair.fromMnemonic(PHRASE);
  const wrapped = kp.sign("<Bytes>abc</Bytes>");
  assert.ok(await verifySignature("abc", wrapped, SS58));
});

Deno.test("keypair: bad input named, secret never serialised", async () => {
  await assert.rejects(() => Keypair.fromMnemonic("not a phrase"), /mnemonic/);
  await assert.rejects(() => Keypair.fromSeed(new Uint8Array(5)), /32 bytes/);
  const kp = await Keypair.fromSeed(hexToU8a(MINI));
  assert.equal(JSON.stringify(kp), JSON.stringify({ ss58Address: SS58 }));
});
