import assert from "node:assert/strict";
import { hexToU8a, u8aToHex } from "@polkadot/util";
import {
  decryptKeyfileData,
  deriveNaclKey,
  keyfileEncoding,
  naclOpen,
  naclSeal,
  WalletError,
} from "../../wallet/mod.ts";
import { assertNoSecret, V5, V8 } from "./vectors.ts";

const FILE = hexToU8a("0x" + V8.file);
const enc = new TextEncoder();

Deno.test("nacl keyfile: vector 8 (Argon2i key, PyNaCl file) and its failure modes", async (t) => {
  // One Argon2i derivation (512 MiB, 8 passes) serves the steps that only need the key.
  const key = await deriveNaclKey(V8.password);

  await t.step("Argon2i v1.3 key equals libsodium's", () => {
    assert.equal(u8aToHex(key), "0x" + V8.key);
  });

  await t.step("decrypts the PyNaCl file by password and by key", async () => {
    const plain = await decryptKeyfileData(FILE, V8.password, "/w/coldkey");
    assert.equal(new TextDecoder().decode(plain), V8.plaintext);
    assert.deepEqual(naclOpen(FILE, key), plain);
  });

  await t.step("seal with the vector nonce reproduces the file byte for byte", () => {
    const nonce = FILE.subarray(5, 29);
    assert.deepEqual(naclSeal(enc.encode(V8.plaintext), key, nonce), FILE);
  });

  await t.step("wrong password: one clear error, no secret in it", async () => {
    await assert.rejects(() => decryptKeyfileData(FILE, "Password124", "/w/coldkey"), (e) => {
      assert.ok(e instanceof WalletError, String(e));
      assert.equal(e.code, "wrong_password");
      assert.equal(e.message, "wrong password or corrupt keyfile at /w/coldkey");
      assertNoSecret(e, [V5.mini, "Password124", V8.password]);
      return true;
    });
  });

  await t.step("a flipped ciphertext byte fails the MAC; a truncated file is corrupt", async () => {
    const damaged = FILE.slice();
    damaged[40] ^= 1;
    assert.equal(naclOpen(damaged, key), null);
    await assert.rejects(
      () => decryptKeyfileData(FILE.subarray(0, 30), V8.password, "/w/coldkey"),
      (e) => e instanceof WalletError && e.code === "corrupt" && /too short/.test(e.message),
    );
  });
});

Deno.test("nacl keyfile: format detection by prefix, legacy refused with the fix named", async () => {
  assert.equal(keyfileEncoding(FILE), "nacl");
  assert.equal(keyfileEncoding(enc.encode("$ANSIBLE_VAULT;1.1;AES256\n6162")), "ansible_vault");
  assert.equal(keyfileEncoding(enc.encode("gAAAAABlegacyfernettoken")), "fernet");
  assert.equal(keyfileEncoding(enc.encode('{"secretSeed":"0x00"}')), "plaintext");
  assert.equal(keyfileEncoding(new Uint8Array()), "plaintext");
  for (const legacy of ["$ANSIBLE_VAULT;1.1;AES256\n6162", "gAAAAABlegacy"]) {
    await assert.rejects(() => decryptKeyfileData(enc.encode(legacy), "pw", "/w/coldkey"), (e) => {
      assert.ok(e instanceof WalletError && e.code === "legacy_format", String(e));
      assert.match(e.message, /re-encrypt it with btcli/);
      assert.match(e.message, /\/w\/coldkey/);
      return true;
    });
  }
});
