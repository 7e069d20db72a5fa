import assert from "node:assert/strict";
import { u8aToHex } from "@polkadot/util";
import {
  type KeyfileJson,
  keyfileJsonFor,
  keyFromKeyfileJson,
  Keypair,
  parseKeyfileJson,
  publicKeyfileJson,
  serializeKeyfileJson,
  WalletError,
} from "../../wallet/mod.ts";
import { assertNoSecret, V5 } from "./vectors.ts";

async function keypairOf(data: KeyfileJson): Promise<Keypair> {
  const key = await keyFromKeyfileJson(data, "/w/hotkeys/h");
  assert.equal(key.kind, "keypair");
  return (key as { keypair: Keypair }).keypair;
}

Deno.test("keyfile json: vector 5 through a keyfile, btwallet read priority", async (t) => {
  await t.step("phrase wins over a wrong seed and a wrong privateKey", async () => {
    const kp = await keypairOf(
      parseKeyfileJson(
        JSON.stringify({
          secretPhrase: V5.phrase,
          secretSeed: "0x" + "11".repeat(32),
          privateKey: null,
        }),
      ),
    );
    assert.equal(kp.ss58Address, V5.ss58);
    assert.equal(u8aToHex(kp.miniSecret!), V5.mini);
  });
  await t.step("seed (with or without 0x) when the phrase is null", async () => {
    for (const seed of [V5.mini, V5.mini.slice(2)]) {
      const kp = await keypairOf(
        parseKeyfileJson(`{"secretPhrase": null, "secretSeed": "${seed}"}`),
      );
      assert.equal(kp.ss58Address, V5.ss58);
      assert.equal(u8aToHex(kp.canonicalPrivateKey()), V5.canonical);
    }
  });
  await t.step("privateKey alone is btwallet's canonical form (1/8 scalar)", async () => {
    const kp = await keypairOf({ privateKey: V5.canonical });
    assert.equal(kp.publicKeyHex, V5.pub);
    // The polkadot-js form in the privateKey field is not a canonical scalar: refused, named.
    await assert.rejects(
      () => keyFromKeyfileJson({ privateKey: V5.ed25519Form }, "/w/hotkeys/h"),
      (e) => {
        assert.ok(e instanceof WalletError && e.code === "corrupt", String(e));
        assert.match(e.message, /privateKey.*canonical/);
        assertNoSecret(e, [V5.ed25519Form]);
        return true;
      },
    );
  });
  await t.step("public only: ss58Address, or publicKey", async () => {
    const a = await keyFromKeyfileJson({ ss58Address: V5.ss58, secretSeed: null });
    assert.equal(a.kind, "public");
    assert.equal(a.kind === "public" && u8aToHex(a.key.publicKey), V5.pub);
    const b = await keyFromKeyfileJson({ publicKey: V5.pub });
    assert.equal(b.kind === "public" && b.key.ss58Address, V5.ss58);
  });
  await t.step('btwallet 4.1 cryptoType: 1 and "1" accepted, 0 refused, 7 refused', async () => {
    assert.equal((await keypairOf({ secretSeed: V5.mini, cryptoType: 1 })).ss58Address, V5.ss58);
    assert.equal((await keypairOf({ secretSeed: V5.mini, cryptoType: "1" })).ss58Address, V5.ss58);
    await assert.rejects(
      () => keyFromKeyfileJson({ secretSeed: V5.mini, cryptoType: 0 }),
      (e) => e instanceof WalletError && e.code === "unsupported" && /ed25519/.test(e.message),
    );
    await assert.rejects(
      () => keyFromKeyfileJson({ secretSeed: V5.mini, cryptoType: 7 }),
      /cryptoType/,
    );
  });
});

Deno.test("keyfile json: write what btwallet writes, read it back", async () => {
  const kp = await Keypair.fromMnemonic(V5.phrase);
  const json = keyfileJsonFor(kp);
  assert.deepEqual(json, {
    accountId: V5.pub,
    publicKey: V5.pub,
    privateKey: V5.canonical,
    secretPhrase: V5.phrase,
    secretSeed: V5.mini,
    ss58Address: V5.ss58,
  });
  const bytes = serializeKeyfileJson({ ...json, secretPhrase: null });
  const text = new TextDecoder().decode(bytes);
  assert.ok(!text.includes("null") && !text.includes(" "), text.slice(0, 40));
  assert.equal((await keypairOf(parseKeyfileJson(bytes))).ss58Address, V5.ss58);
  assert.deepEqual(
    JSON.parse(new TextDecoder().decode(serializeKeyfileJson(publicKeyfileJson(kp)))),
    {
      accountId: V5.pub,
      publicKey: V5.pub,
      ss58Address: V5.ss58,
    },
  );
});

Deno.test("keyfile json: malformed files are named errors without the secret", async (t) => {
  const secrets = [V5.phrase, V5.mini, V5.canonical];
  const corrupt = (e: unknown) => {
    assert.ok(e instanceof WalletError, String(e));
    assert.equal(e.code, "corrupt");
    assert.match(e.message, /\/w\/hotkeys\/h/);
    assertNoSecret(e, secrets);
    return true;
  };
  await t.step("invalid JSON that contains the phrase and seed", () => {
    const text = `{"secretPhrase": "${V5.phrase}", "secretSeed": "${V5.mini}",,}`;
    assert.throws(() => parseKeyfileJson(text, "/w/hotkeys/h"), corrupt);
  });
  await t.step("numeric value in a key field", () => {
    assert.throws(
      () => parseKeyfileJson(`{"secretSeed": 5, "secretPhrase": "${V5.phrase}x"}`, "/w/hotkeys/h"),
      (e) => {
        corrupt(e);
        assert.match((e as Error).message, /"secretSeed" must be a string or null/);
        return true;
      },
    );
  });
  await t.step("not an object, not UTF-8", () => {
    assert.throws(() => parseKeyfileJson("[1,2]", "/w/hotkeys/h"), corrupt);
    assert.throws(
      () => parseKeyfileJson(new Uint8Array([0xff, 0xfe, 0x7b]), "/w/hotkeys/h"),
      corrupt,
    );
  });
  await t.step("bad phrase, short seed, bad privateKey hex", async () => {
    const badPhrase = V5.phrase.replace("review", "reviews");
    await assert.rejects(
      () => keyFromKeyfileJson({ secretPhrase: badPhrase }, "/w/hotkeys/h"),
      (e) => {
        corrupt(e);
        assertNoSecret(e, [badPhrase]);
        return true;
      },
    );
    await assert.rejects(
      () => keyFromKeyfileJson({ secretSeed: V5.mini.slice(0, 40) }, "/w/hotkeys/h"),
      corrupt,
    );
    await assert.rejects(
      () => keyFromKeyfileJson({ privateKey: V5.canonical.slice(0, 100) + "zz" }, "/w/hotkeys/h"),
      corrupt,
    );
  });
  await t.step("no key at all", async () => {
    await assert.rejects(
      () => keyFromKeyfileJson({ secretPhrase: null }, "/w/hotkeys/h"),
      /holds no key/,
    );
  });
});
