/**
 * The request signature against the real `bittensor_wallet` of every Python env, the newest
 * (`btnew`, whose bittensor 11 no longer ships axon/dendrite) included: Python verifies the
 * signature our dendrite puts in `bt_header_dendrite_signature`, and our axon's verifier
 * accepts Python's.
 */
import assert from "node:assert/strict";
import { Keypair } from "../../wallet/keypair.ts";
import {
  EMPTY_BODY_HASH,
  signatureMessage,
  signToHex,
  verifyHexSignature,
} from "../../protocol/mod.ts";
import { pythonOf, runPython } from "./protocol_python.ts";

for (const name of ["bt9", "btnew", "bt10"]) {
  const python = pythonOf(name);
  Deno.test({
    name: `request signatures interoperate with ${name} bittensor_wallet`,
    ignore: name === "bt10" && !python,
    fn: async () => {
      assert.ok(python, `missing .venv/${name} (run scripts/python_env.sh)`);
      const me = await Keypair.fromSeed(new Uint8Array(32).fill(3));
      const message = signatureMessage({
        nonce: 1767225600123456789n,
        dendriteHotkey: me.ss58Address,
        axonHotkey: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
        uuid: "5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a",
        bodyHash: EMPTY_BODY_HASH,
      });
      const [out] = await runPython(python, "protocol_keypair.py", {
        message,
        signature: signToHex(me, message),
        ss58: me.ss58Address,
      });
      assert.equal(out.verified, true);
      assert.equal(out.tampered_verified, false);
      assert.equal(out.alice, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
      assert.equal(
        verifyHexSignature(message, String(out.alice_signature), String(out.alice)),
        true,
      );
      assert.equal(
        verifyHexSignature(message + "x", String(out.alice_signature), String(out.alice)),
        false,
      );
    },
  });
}
