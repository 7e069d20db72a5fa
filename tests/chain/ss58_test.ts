import assert from "node:assert/strict";
import { cryptoWaitReady, encodeAddress } from "@polkadot/util-crypto";
import { ss58Fast, Ss58Memo } from "../../chain/ss58.ts";

Deno.test("ss58Fast equals @polkadot/util-crypto encodeAddress (prefix 42 and others)", async () => {
  await cryptoWaitReady();
  const alice = Uint8Array.from(
    "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d".match(/../g)!.map((h) =>
      parseInt(h, 16)
    ),
  );
  assert.equal(ss58Fast(alice), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
  const keys = [new Uint8Array(32), new Uint8Array(32).fill(255)];
  for (let i = 0; i < 300; i++) keys.push(crypto.getRandomValues(new Uint8Array(32)));
  for (const k of keys) {
    assert.equal(ss58Fast(k), encodeAddress(k, 42));
    assert.equal(ss58Fast(k, 0), encodeAddress(k, 0));
  }
  const memo = new Ss58Memo();
  assert.equal(memo.get(alice), memo.get(alice.slice()));
  assert.throws(() => ss58Fast(new Uint8Array(31)), RangeError);
});
