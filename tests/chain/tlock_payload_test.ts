import assert from "node:assert/strict";
import { decodeTlockPayload, encodeTlockPayload, PayloadError } from "../../chain/tlock_payload.ts";
import { bytesToHex, hexToBytes } from "../../chain/drand/quicknet.ts";
import { timelock } from "./fixtures.ts";

Deno.test("WeightsTlockPayload SCALE vectors are reproduced exactly and decode back", async (t) => {
  for (const p of timelock().payloads) {
    await t.step(p.id, () => {
      const payload = {
        hotkey: hexToBytes(p.hotkey),
        uids: p.uids,
        values: p.values,
        versionKey: BigInt(p.version_key),
      };
      const bytes = encodeTlockPayload(payload);
      assert.equal(bytes.length, p.scale_len);
      assert.equal(bytesToHex(bytes), p.scale_hex);
      assert.deepEqual(decodeTlockPayload(bytes), payload);
    });
  }
});

Deno.test("payload encoder rejects bad input with a clear error", () => {
  const hotkey = new Uint8Array(32);
  assert.throws(
    () => encodeTlockPayload({ hotkey: new Uint8Array(31), uids: [], values: [], versionKey: 0n }),
    /32 bytes/,
  );
  assert.throws(
    () => encodeTlockPayload({ hotkey, uids: [1], values: [], versionKey: 0n }),
    /length/,
  );
  assert.throws(
    () => encodeTlockPayload({ hotkey, uids: [65536], values: [1], versionKey: 0n }),
    /u16/,
  );
  assert.throws(
    () => encodeTlockPayload({ hotkey, uids: [1], values: [-1], versionKey: 0n }),
    /u16/,
  );
  assert.throws(
    () => encodeTlockPayload({ hotkey, uids: [], values: [], versionKey: 1n << 64n }),
    /u64/,
  );
  const good = encodeTlockPayload({ hotkey, uids: [1], values: [2], versionKey: 3n });
  assert.throws(() => decodeTlockPayload(good.slice(0, -1)), PayloadError);
  assert.throws(() => decodeTlockPayload(Uint8Array.of(...good, 0)), /trailing/);
});
