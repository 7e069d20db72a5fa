import assert from "node:assert/strict";
import {
  createHotkey,
  createWallet,
  encodeEnvPassword,
  Keypair,
  openWallet,
  passwordEnvVarName,
  verifySignature,
  WalletError,
} from "../../wallet/mod.ts";
import { assertNoSecret, V5, V8 } from "./vectors.ts";

const mode = async (p: string) => (await Deno.stat(p)).mode! & 0o777;
const noEnv = () => undefined;

Deno.test("wallet: create (encrypted coldkey, plain hotkey) then open it", async (t) => {
  const root = await Deno.makeTempDir();
  await Deno.chmod(root, 0o755);
  const path = `${root}/wallets`;
  const coldkeyPair = await Keypair.fromMnemonic(V5.phrase);
  const { wallet, hotkey } = await createWallet({
    name: "cold",
    hotkey: "hot",
    path,
    coldkeyPassword: V8.password,
    coldkeyPair,
    env: noEnv,
  });
  const p = wallet.paths;

  await t.step("btcli layout, files 0600, new directories 0700", async () => {
    assert.equal(p.coldkey, `${path}/cold/coldkey`);
    for (const f of [p.coldkey, p.coldkeypub, p.hotkey, p.hotkeypub]) {
      assert.equal(await mode(f), 0o600, f);
    }
    for (const d of [path, p.dir, p.hotkeysDir]) assert.equal(await mode(d), 0o700, d);
    assert.equal(await mode(root), 0o755, "an existing parent keeps its mode");
  });

  await t.step("coldkey is $NACL; the secret appears in no file in clear", async () => {
    const cold = await Deno.readFile(p.coldkey);
    assert.equal(new TextDecoder().decode(cold.subarray(0, 5)), "$NACL");
    for (const f of [p.coldkey, p.coldkeypub, p.hotkeypub]) {
      const text = new TextDecoder().decode(await Deno.readFile(f));
      assert.ok(!text.includes(V5.mini.slice(2)) && !text.includes("leopard"), f);
    }
    const pub = JSON.parse(await Deno.readTextFile(p.coldkeypub));
    assert.deepEqual(Object.keys(pub).sort(), ["accountId", "publicKey", "ss58Address"]);
    assert.equal(pub.ss58Address, V5.ss58);
  });

  await t.step("public halves need no password", async () => {
    const w = openWallet({ name: "cold", hotkey: "hot", path, env: noEnv, prompt: false });
    assert.equal((await w.coldkeyPub()).ss58Address, V5.ss58);
    assert.equal((await w.hotkeyPub()).ss58Address, hotkey.ss58Address);
    const hk = await w.hotkey();
    assert.equal(hk.ss58Address, hotkey.ss58Address);
    assert.equal(hk.mnemonic, hotkey.mnemonic);
    assert.strictEqual(await w.hotkey(), hk, "hotkey is read once and kept");
    assert.ok(await verifySignature("m", hk.sign("m"), hotkey.ss58Address));
  });

  await t.step("coldkey password from btcli's BT_PW_ variable", async () => {
    const name = passwordEnvVarName(p.coldkey);
    const env = (k: string) => (k === name ? encodeEnvPassword(name, V8.password) : undefined);
    const w = openWallet({ name: "cold", hotkey: "hot", path, env, prompt: false });
    assert.equal((await w.coldkey()).ss58Address, V5.ss58);
  });

  await t.step("wrong password via a prompt: clear error naming the file, no secrets", async () => {
    const asked: string[] = [];
    const w = openWallet({
      name: "cold",
      hotkey: "hot",
      path,
      env: noEnv,
      prompt: (msg) => {
        asked.push(msg);
        return Promise.resolve("Password124");
      },
    });
    await assert.rejects(() => w.coldkey(), (e) => {
      assert.ok(e instanceof WalletError && e.code === "wrong_password", String(e));
      assert.equal(e.message, `wrong password or corrupt keyfile at ${p.coldkey}`);
      assertNoSecret(e, [V5.phrase, V5.mini, V5.canonical, "Password124", V8.password]);
      return true;
    });
    assert.equal(asked.length, 1);
    assert.match(asked[0], /coldkey/);
  });

  await t.step("no password and no prompt: names the BT_PW_ variable", async () => {
    const w = openWallet({ name: "cold", hotkey: "hot", path, env: noEnv, prompt: false });
    await assert.rejects(() => w.coldkey(), (e) => {
      assert.ok(e instanceof WalletError && e.code === "password_required");
      assert.ok(e.message.includes(passwordEnvVarName(p.coldkey)));
      return true;
    });
  });

  await t.step("refuses to overwrite; nothing changes", async () => {
    const before = await Deno.readFile(p.coldkey);
    await assert.rejects(
      () =>
        createWallet({ name: "cold", hotkey: "other", path, coldkeyPassword: null, env: noEnv }),
      (e) => e instanceof WalletError && e.code === "exists" && e.message.includes(p.coldkey),
    );
    await assert.rejects(() => Deno.stat(`${p.hotkeysDir}/other`), Deno.errors.NotFound);
    await assert.rejects(
      () => createHotkey({ name: "cold", hotkey: "hot", path, env: noEnv }),
      (e) => e instanceof WalletError && e.code === "exists",
    );
    assert.deepEqual(await Deno.readFile(p.coldkey), before);
  });

  await t.step("new hotkey, and overwrite when asked", async () => {
    const { hotkey: h2 } = await createHotkey({ name: "cold", hotkey: "h2", path, env: noEnv });
    assert.equal(await mode(`${p.hotkeysDir}/h2`), 0o600);
    const w = openWallet({ name: "cold", hotkey: "h2", path, env: noEnv, prompt: false });
    assert.equal((await w.hotkey()).ss58Address, h2.ss58Address);
    assert.deepEqual(await w.listHotkeys(), ["h2", "hot"]);
    const { hotkey: h3 } = await createHotkey({
      name: "cold",
      hotkey: "h2",
      path,
      env: noEnv,
      overwrite: true,
    });
    assert.notEqual(h3.ss58Address, h2.ss58Address);
    const again = openWallet({ name: "cold", hotkey: "h2", path, env: noEnv, prompt: false });
    assert.equal((await again.hotkeyPub()).ss58Address, h3.ss58Address);
    assert.equal(await mode(`${p.hotkeysDir}/h2`), 0o600);
  });

  await Deno.remove(root, { recursive: true });
});

Deno.test("wallet: missing, public-only, legacy and corrupt files give named errors", async (t) => {
  const path = await Deno.makeTempDir();
  const w = openWallet({ name: "w", hotkey: "h", path, env: noEnv, prompt: false });
  const p = w.paths;

  await t.step("missing hotkey names the path and how to create it", async () => {
    await assert.rejects(() => w.hotkey(), (e) => {
      assert.ok(e instanceof WalletError && e.code === "not_found");
      assert.equal(
        e.message,
        `hotkey file not found at ${p.hotkey}; create it with \`cgp-node wallet create\` or btcli`,
      );
      return true;
    });
    await assert.rejects(() => w.coldkeyPub(), /coldkeypub file not found at .*coldkeypub\.txt/);
  });

  await Deno.mkdir(p.hotkeysDir, { recursive: true });

  await t.step(
    "old wallet without <hotkey>pub.txt: hotkeyPub falls back to the hotkey",
    async () => {
      await Deno.writeTextFile(
        p.hotkey,
        `{"secretPhrase": null, "secretSeed": "${V5.mini}", "cryptoType": 1}`,
      );
      assert.equal((await w.hotkeyPub()).ss58Address, V5.ss58);
    },
  );

  await t.step("public-only hotkey file: no secret to sign with", async () => {
    await Deno.writeTextFile(p.hotkey, `{"ss58Address": "${V5.ss58}"}`);
    const fresh = openWallet({ name: "w", hotkey: "h", path, env: noEnv, prompt: false });
    await assert.rejects(() => fresh.hotkey(), /holds only a public key/);
  });

  await t.step("legacy coldkeys are refused with the fix", async () => {
    for (const body of ["$ANSIBLE_VAULT;1.1;AES256\n3132", "gAAAAABhZ2VhY3k="]) {
      await Deno.writeTextFile(p.coldkey, body);
      await assert.rejects(() => w.coldkey("pw"), (e) => {
        assert.ok(e instanceof WalletError && e.code === "legacy_format");
        assert.match(e.message, /re-encrypt it with btcli/);
        assert.ok(e.message.includes(p.coldkey));
        return true;
      });
    }
  });

  await t.step(
    "a corrupt hotkey holding secrets: error names the file, not the secrets",
    async () => {
      await Deno.writeTextFile(
        p.hotkey,
        `{"secretPhrase": "${V5.phrase}", "privateKey": "${V5.canonical}"`,
      );
      const fresh = openWallet({ name: "w", hotkey: "h", path, env: noEnv, prompt: false });
      await assert.rejects(() => fresh.hotkey(), (e) => {
        assert.ok(e instanceof WalletError && e.code === "corrupt", String(e));
        assert.ok(e.message.includes(p.hotkey));
        assertNoSecret(e, [V5.phrase, V5.canonical, V5.mini]);
        return true;
      });
    },
  );

  await Deno.remove(path, { recursive: true });
});
