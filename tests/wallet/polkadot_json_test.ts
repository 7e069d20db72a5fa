import assert from "node:assert/strict";
import { keypairFromPolkadotJson, verifySignature, WalletError } from "../../wallet/mod.ts";
import { assertNoSecret, V9 } from "./vectors.ts";

Deno.test("polkadot-js JSON: vector 9 decrypts to its address and signs", async () => {
  const kp = await keypairFromPolkadotJson(V9.json, V9.password);
  assert.equal(kp.ss58Address, V9.address);
  assert.ok(await verifySignature("msg", kp.sign("msg"), V9.address));
});

Deno.test("polkadot-js JSON: wrong password, bad version, bad JSON are named", async () => {
  await assert.rejects(() => keypairFromPolkadotJson(V9.json, "Password124"), (e) => {
    assert.ok(e instanceof WalletError && e.code === "wrong_password", String(e));
    assertNoSecret(e, ["Password124", V9.password]);
    return true;
  });
  const v2 = JSON.parse(V9.json);
  v2.encoding.version = "2";
  await assert.rejects(() => keypairFromPolkadotJson(v2, V9.password), /version/);
  await assert.rejects(() => keypairFromPolkadotJson("{nope", V9.password), /not valid JSON/);
  await assert.rejects(
    () => keypairFromPolkadotJson({ address: V9.address }, V9.password),
    /malformed/,
  );
});
