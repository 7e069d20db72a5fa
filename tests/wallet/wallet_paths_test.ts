import assert from "node:assert/strict";
import { expandHome, resolveWalletLocation, WalletError, walletPaths } from "../../wallet/mod.ts";

const noEnv = () => undefined;

Deno.test("wallet paths: btcli defaults, ~ expansion, layout", () => {
  const loc = resolveWalletLocation({}, noEnv, "/home/alice");
  assert.deepEqual(loc, {
    name: "default",
    hotkey: "default",
    path: "/home/alice/.bittensor/wallets",
  });
  assert.deepEqual(walletPaths(loc), {
    dir: "/home/alice/.bittensor/wallets/default",
    coldkey: "/home/alice/.bittensor/wallets/default/coldkey",
    coldkeypub: "/home/alice/.bittensor/wallets/default/coldkeypub.txt",
    hotkeysDir: "/home/alice/.bittensor/wallets/default/hotkeys",
    hotkey: "/home/alice/.bittensor/wallets/default/hotkeys/default",
    hotkeypub: "/home/alice/.bittensor/wallets/default/hotkeys/defaultpub.txt",
  });
  assert.equal(expandHome("~", "/h/"), "/h");
  assert.equal(expandHome("~other/x", "/h"), "~other/x");
  assert.equal(expandHome("/abs", undefined), "/abs");
  assert.throws(() => expandHome("~/x", undefined), /HOME/);
});

Deno.test("wallet paths: options beat BT_WALLET_* env, env beats defaults", () => {
  const env = (k: string) =>
    ({
      BT_WALLET_NAME: "envname",
      BT_WALLET_HOTKEY: "envhot",
      BT_WALLET_PATH: "~/envpath/",
      HOME: "/root",
    })[k];
  assert.deepEqual(resolveWalletLocation({}, env), {
    name: "envname",
    hotkey: "envhot",
    path: "/root/envpath",
  });
  assert.deepEqual(resolveWalletLocation({ name: "n", hotkey: "h", path: "rel/w" }, env), {
    name: "n",
    hotkey: "h",
    path: "rel/w",
  });
});

Deno.test("wallet paths: empty BT_WALLET_* variables count as unset", () => {
  const env = (k: string) => (k === "HOME" ? "/h" : "");
  assert.deepEqual(resolveWalletLocation({}, env), {
    name: "default",
    hotkey: "default",
    path: "/h/.bittensor/wallets",
  });
});

Deno.test("wallet paths: names that would escape the wallet are refused", () => {
  for (const name of ["", ".", "..", "a/b", "../x"]) {
    assert.throws(() => resolveWalletLocation({ name }, noEnv, "/h"), WalletError);
    assert.throws(() => resolveWalletLocation({ hotkey: name }, noEnv, "/h"), /hotkey name/);
  }
});
