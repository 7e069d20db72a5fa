/**
 * Interop with the real Python `bittensor_wallet` (bittensor 9.0.0 env and newest env): a wallet
 * Python makes loads in ours with the same addresses and signatures that verify both ways, and a
 * wallet our CLI makes (encrypted coldkey + plain hotkey) loads in Python, its coldkey password
 * passed the btcli way (a `BT_PW_` variable encoded by our code).
 */
import assert from "node:assert/strict";
import { hexToU8a, u8aToHex } from "@polkadot/util";
import {
  encodeEnvPassword,
  Keypair,
  openWallet,
  passwordEnvVarName,
  serializeKeyfileJson,
  verifySignature,
  WalletError,
} from "../../wallet/mod.ts";
import { V5 } from "../wallet/vectors.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PY = `${ROOT}tests/interop/py`;
const PASSWORD = "Interop-Pässword1";
const MESSAGE = "1767225600000000000.wallet-interop.5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a";
const noEnv = () => undefined;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  stdin?: string,
): Promise<RunResult> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    env,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

// deno-lint-ignore no-explicit-any
function resultOf(r: RunResult): any {
  assert.equal(r.code, 0, `python failed:\n${r.stdout}\n${r.stderr}`);
  const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  assert.ok(line, `no RESULT line in:\n${r.stdout}`);
  return JSON.parse(line.slice(7));
}

for (const venv of ["bt9", "btnew"]) {
  const python = `${ROOT}.venv/${venv}/bin/python`;

  Deno.test(`wallet interop (${venv}): a bittensor_wallet wallet loads in ours, signatures both ways`, async () => {
    await Deno.stat(python).catch(() => {
      throw new Error(`${python} missing: run scripts/python_env.sh`);
    });
    const path = await Deno.makeTempDir();
    const py = resultOf(
      await run(python, [`${PY}/wallet_make.py`, path, "pycold", "pyhot", MESSAGE], {
        WALLET_TEST_PASSWORD: PASSWORD,
      }),
    );
    const wallet = openWallet({ name: "pycold", hotkey: "pyhot", path, env: noEnv, prompt: false });
    assert.equal(wallet.paths.coldkey, py.coldkey_path);
    assert.equal(passwordEnvVarName(wallet.paths.coldkey), py.coldkey_env_var);

    const hotkey = await wallet.hotkey();
    assert.equal(hotkey.ss58Address, py.hotkey);
    assert.equal((await wallet.hotkeyPub()).ss58Address, py.hotkeypub);
    assert.equal((await wallet.coldkeyPub()).ss58Address, py.coldkeypub);
    const coldkey = await wallet.coldkey(PASSWORD);
    assert.equal(coldkey.ss58Address, py.coldkey);

    // Python's signatures verify with ours (and not for another message).
    assert.ok(await verifySignature(MESSAGE, hexToU8a(py.hotkey_sig), py.hotkey));
    assert.ok(await verifySignature(MESSAGE, hexToU8a(py.coldkey_sig), py.coldkey));
    assert.ok(!(await verifySignature(MESSAGE + "x", hexToU8a(py.hotkey_sig), py.hotkey)));

    // Ours verify in Python with the keypairs it loads from these files.
    const check = resultOf(
      await run(
        python,
        [`${PY}/wallet_load.py`, path, "pycold", "pyhot"],
        {},
        JSON.stringify({
          message: MESSAGE,
          hotkey_sig: u8aToHex(hotkey.sign(MESSAGE)),
          coldkey_sig: u8aToHex(coldkey.sign(MESSAGE)),
        }),
      ),
    );
    assert.equal(check.hotkey_sig_ok, true);
    assert.equal(check.coldkey_sig_ok, true);
    assert.equal(check.hotkey_sig_tampered_ok, false);
    await Deno.remove(path, { recursive: true });
  });

  Deno.test(`wallet interop (${venv}): a wallet made by \`cgp-node wallet create\` loads in bittensor_wallet`, async () => {
    const path = await Deno.makeTempDir();
    const created = await run(Deno.execPath(), [
      "run",
      "-A",
      "main.ts",
      "wallet",
      "create",
      "--wallet.path",
      path,
      "--wallet.name",
      "tscold",
      "--wallet.hotkey",
      "tshot",
      "--password-env",
      "WALLET_TEST_PASSWORD",
    ], { WALLET_TEST_PASSWORD: PASSWORD });
    assert.equal(created.code, 0, created.stderr);
    assert.ok(!created.stdout.includes(PASSWORD) && !created.stderr.includes(PASSWORD));
    const shown = await run(Deno.execPath(), [
      "run",
      "-A",
      "main.ts",
      "wallet",
      "show",
      "--json",
      `--wallet.path=${path}`,
      "--wallet.name=tscold",
    ]);
    assert.equal(shown.code, 0, shown.stderr);
    const ours = JSON.parse(shown.stdout);

    const wallet = openWallet({ name: "tscold", hotkey: "tshot", path, env: noEnv, prompt: false });
    const hotkey = await wallet.hotkey();
    assert.equal(hotkey.ss58Address, ours.hotkeys.tshot);

    const envVar = passwordEnvVarName(wallet.paths.coldkey);
    const py = resultOf(
      await run(
        python,
        [`${PY}/wallet_load.py`, path, "tscold", "tshot", "--coldkey"],
        { [envVar]: encodeEnvPassword(envVar, PASSWORD) },
        JSON.stringify({ message: MESSAGE, hotkey_sig: u8aToHex(hotkey.sign(MESSAGE)) }),
      ),
    );
    assert.equal(py.coldkey, ours.coldkey);
    assert.equal(py.coldkeypub, ours.coldkey);
    assert.equal(py.hotkey, ours.hotkeys.tshot);
    assert.equal(py.hotkeypub, ours.hotkeys.tshot);
    assert.equal(py.hotkey_sig_ok, true);
    assert.equal(py.hotkey_sig_tampered_ok, false);
    assert.ok(await verifySignature(MESSAGE, hexToU8a(py.hotkey_sig), ours.hotkeys.tshot));
    assert.ok(await verifySignature(MESSAGE, hexToU8a(py.coldkey_sig), ours.coldkey));
    await Deno.remove(path, { recursive: true });
  });

  Deno.test(`wallet interop (${venv}): vector 5 and btwallet's canonical privateKey, both ways`, async () => {
    const path = await Deno.makeTempDir();
    const py = resultOf(
      await run(python, [`${PY}/wallet_regen.py`, path, "v5", "hot"], {
        WALLET_TEST_MNEMONIC: V5.phrase,
      }),
    );
    assert.equal(py.hotkey, V5.ss58);
    const file = JSON.parse(await Deno.readTextFile(`${path}/v5/hotkeys/hot`));
    assert.equal(file.privateKey, V5.canonical, "btwallet writes the canonical (1/8) form");
    assert.equal(file.secretSeed, V5.mini);
    const wallet = openWallet({ name: "v5", hotkey: "hot", path, env: noEnv, prompt: false });
    assert.equal((await wallet.hotkey()).ss58Address, V5.ss58);

    // A privateKey-only file written by ours is the same key to Python.
    const ours = await Keypair.fromMnemonic(V5.phrase);
    const only = `${path}/privateKeyOnly`;
    await Deno.writeFile(
      only,
      serializeKeyfileJson({ privateKey: u8aToHex(ours.canonicalPrivateKey()) }),
    );
    const read = resultOf(await run(python, [`${PY}/wallet_keyfile.py`, only, MESSAGE]));
    assert.equal(read.ss58, V5.ss58, read.error);
    assert.ok(await verifySignature(MESSAGE, hexToU8a(read.signature), V5.ss58));
    await Deno.remove(path, { recursive: true });
  });

  Deno.test(`wallet interop (${venv}): btwallet's legacy (Ansible Vault) coldkey is refused, named`, async () => {
    const path = await Deno.makeTempDir();
    await Deno.mkdir(`${path}/old`);
    const py = resultOf(
      await run(python, [`${PY}/wallet_legacy.py`, `${path}/old/coldkey`], {
        WALLET_TEST_MNEMONIC: V5.phrase,
        WALLET_TEST_PASSWORD: PASSWORD,
      }),
    );
    assert.equal(py.method, "Ansible Vault");
    const wallet = openWallet({ name: "old", path, env: noEnv, prompt: false });
    await assert.rejects(() => wallet.coldkey(PASSWORD), (e) => {
      assert.ok(e instanceof WalletError && e.code === "legacy_format", String(e));
      assert.match(e.message, /Ansible Vault.*re-encrypt it with btcli/);
      assert.ok(e.message.includes(wallet.paths.coldkey));
      assert.ok(!e.message.includes(PASSWORD) && !e.message.includes("leopard"));
      return true;
    });
    await Deno.remove(path, { recursive: true });
  });
}
