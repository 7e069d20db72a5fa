import assert from "node:assert/strict";
import {
  checkNewPassword,
  decodeEnvPassword,
  encodeEnvPassword,
  passwordEnvVarName,
  passwordFromEnv,
  WalletError,
} from "../../wallet/mod.ts";

Deno.test("password env: btcli's variable name", () => {
  assert.equal(
    passwordEnvVarName("/home/alice/.bittensor/wallets/default/coldkey"),
    "BT_PW__HOME_ALICE__BITTENSOR_WALLETS_DEFAULT_COLDKEY",
  );
  assert.equal(passwordEnvVarName("rel/dir/a/coldkey"), "BT_PW_REL_DIR_A_COLDKEY");
  assert.equal(passwordEnvVarName("/tmp/w/x.y/hotkeys/h-1"), "BT_PW__TMP_W_X_Y_HOTKEYS_H-1");
});

Deno.test("password env: value is base64(password XOR name), as btwallet 4.1 writes it", () => {
  // Captured from bittensor_wallet 4.1.1 `Keyfile("/tmp/pyw/w_btnew/coldkey").save_password_to_env`.
  const name = "BT_PW__TMP_PYW_W_BTNEW_COLDKEY";
  assert.equal(encodeEnvPassword(name, "pässwörd€"), "Mpf7IyQonOI/NL3S9Q==");
  assert.equal(decodeEnvPassword(name, "Mpf7IyQonOI/NL3S9Q=="), "pässwörd€");
});

Deno.test("password env: roundtrip, lookup by keyfile path, bad values named", () => {
  const path = "/home/bob/.bittensor/wallets/miner/coldkey";
  const name = passwordEnvVarName(path);
  for (const pw of ["Password123", "x".repeat(100), "ünïcødé 🔑", " spaced "]) {
    const value = encodeEnvPassword(name, pw);
    assert.notEqual(value, pw);
    assert.equal(decodeEnvPassword(name, value), pw);
    assert.equal(passwordFromEnv(path, (k) => (k === name ? value : undefined)), pw);
  }
  assert.equal(passwordFromEnv(path, () => undefined), undefined);
  assert.throws(() => decodeEnvPassword(name, "%%%not base64"), (e) => {
    assert.ok(e instanceof WalletError && e.code === "invalid");
    assert.match(e.message, new RegExp(name));
    assert.ok(!e.message.includes("%%%not"));
    return true;
  });
});

Deno.test("password: new passwords need 6 characters", () => {
  assert.throws(() => checkNewPassword("abcde"), /at least 6/);
  checkNewPassword("abcdef");
});
