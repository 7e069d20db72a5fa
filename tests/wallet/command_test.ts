import assert from "node:assert/strict";
import { V5, V9 } from "./vectors.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "wallet", ...args],
    cwd: ROOT,
    env: { BT_WALLET_NAME: "", BT_WALLET_HOTKEY: "", BT_WALLET_PATH: "", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("wallet command: usage errors exit 2 with help", async () => {
  for (const args of [[], ["bogus"], ["create", "--bogus"], ["show", "--wallet.name"]]) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stdout + r.stderr, /cgp-node wallet <command>.*regen-coldkey/s);
  }
  assert.equal((await cli(["--help"])).code, 0);
});

Deno.test("wallet command: create, show, new-hotkey, refusals", async (t) => {
  const path = await Deno.makeTempDir();
  const base = ["--wallet.path", path, "--wallet.name", "w"];

  await t.step(
    "create --no-password: files made, mnemonic not printed off a terminal",
    async () => {
      const r = await cli(["create", ...base, "--wallet.hotkey", "h", "--no-password"]);
      assert.equal(r.code, 0, r.stderr);
      const cold = JSON.parse(await Deno.readTextFile(`${path}/w/coldkey`));
      const hot = JSON.parse(await Deno.readTextFile(`${path}/w/hotkeys/h`));
      assert.match(r.stdout, new RegExp(`coldkey ${cold.ss58Address}`));
      assert.match(r.stdout, new RegExp(`hotkey "h" ${hot.ss58Address}`));
      assert.match(r.stdout, /NOT encrypted/);
      for (const secret of [cold.secretPhrase, hot.secretPhrase, cold.secretSeed, hot.privateKey]) {
        assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret));
      }
    },
  );

  await t.step("creating again is refused and changes nothing", async () => {
    const before = await Deno.readTextFile(`${path}/w/coldkey`);
    const r = await cli(["create", ...base, "--wallet.hotkey", "h", "--no-password"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already exists; refusing to overwrite/);
    assert.equal(await Deno.readTextFile(`${path}/w/coldkey`), before);
  });

  await t.step("new-hotkey --show-mnemonic prints the phrase that is in the file", async () => {
    const r = await cli(["new-hotkey", ...base, "--wallet.hotkey=h2", "--show-mnemonic"]);
    assert.equal(r.code, 0, r.stderr);
    const hot = JSON.parse(await Deno.readTextFile(`${path}/w/hotkeys/h2`));
    assert.ok(r.stdout.includes(hot.secretPhrase));
    assert.equal((await cli(["new-hotkey", ...base, "--wallet.hotkey=h2"])).code, 1);
  });

  await t.step("show --json, also located through BT_WALLET_* variables", async () => {
    const a = await cli(["show", "--json", ...base]);
    assert.equal(a.code, 0, a.stderr);
    const shown = JSON.parse(a.stdout);
    const pub = JSON.parse(await Deno.readTextFile(`${path}/w/coldkeypub.txt`));
    assert.equal(shown.coldkey, pub.ss58Address);
    assert.deepEqual(Object.keys(shown.hotkeys), ["h", "h2"]);
    const b = await cli(["show", "--json"], { BT_WALLET_PATH: path, BT_WALLET_NAME: "w" });
    assert.deepEqual(JSON.parse(b.stdout), shown);
    const text = await cli(["show", ...base]);
    assert.match(text.stdout, /hotkey "h2" 5/);
    assert.ok(!text.stdout.includes("secret"));
  });

  await t.step("show of a missing wallet fails with the path", async () => {
    const r = await cli(["show", "--wallet.path", path, "--wallet.name", "nope"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /coldkeypub file not found at .*nope\/coldkeypub\.txt/);
  });

  await t.step("password sources: unset --password-env, too short, none at all", async () => {
    const w2 = ["--wallet.path", path, "--wallet.name", "w2"];
    const unset = await cli(["create", ...w2, "--password-env", "CGP_TEST_UNSET_PW"]);
    assert.equal(unset.code, 1);
    assert.match(unset.stderr, /CGP_TEST_UNSET_PW \(--password-env\) is not set/);
    const short = await cli(["create", ...w2, "--password-env", "PW"], { PW: "abc" });
    assert.equal(short.code, 1);
    assert.match(short.stderr, /too short/);
    assert.ok(!short.stderr.includes("abc"));
    const none = await cli(["create", ...w2]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no password given.*BT_PW_/);
    await assert.rejects(() => Deno.stat(`${path}/w2/coldkey`), Deno.errors.NotFound);
  });

  await Deno.remove(path, { recursive: true });
});

Deno.test("wallet command: regen-hotkey / regen-coldkey from a mnemonic and a polkadot-js JSON", async () => {
  const path = await Deno.makeTempDir();
  const base = ["--wallet.path", path, "--wallet.name", "r"];
  const hot = await cli(["regen-hotkey", ...base, "--wallet.hotkey", "h", "--mnemonic-env", "MN"], {
    MN: V5.phrase,
  });
  assert.equal(hot.code, 0, hot.stderr);
  assert.match(hot.stdout, new RegExp(`hotkey ${V5.ss58}`));
  assert.ok(!hot.stdout.includes("leopard"));
  const file = JSON.parse(await Deno.readTextFile(`${path}/r/hotkeys/h`));
  assert.equal(file.privateKey, V5.canonical);

  await Deno.writeTextFile(`${path}/export.json`, V9.json);
  const cold = await cli(
    [
      "regen-coldkey",
      ...base,
      "--json-file",
      `${path}/export.json`,
      "--json-password-env",
      "JP",
      "--no-password",
    ],
    { JP: V9.password },
  );
  assert.equal(cold.code, 0, cold.stderr);
  assert.equal(
    JSON.parse(await Deno.readTextFile(`${path}/r/coldkeypub.txt`)).ss58Address,
    V9.address,
  );

  const again = await cli(["regen-coldkey", ...base, "--mnemonic-env", "MN", "--no-password"], {
    MN: V5.phrase,
  });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);
  const over = await cli([
    "regen-coldkey",
    ...base,
    "--mnemonic-env",
    "MN",
    "--no-password",
    "--overwrite",
  ], {
    MN: V5.phrase,
  });
  assert.equal(over.code, 0, over.stderr);
  assert.equal(
    JSON.parse(await Deno.readTextFile(`${path}/r/coldkeypub.txt`)).ss58Address,
    V5.ss58,
  );

  const bad = await cli(["regen-hotkey", ...base, "--wallet.hotkey", "x", "--mnemonic-env", "MN"], {
    MN: V5.phrase.replace("review", "reviews"),
  });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid BIP39 mnemonic/);
  assert.ok(!bad.stderr.includes("leopard"));
  await Deno.remove(path, { recursive: true });
});
