/**
 * A real Python `bittensor.dendrite` (9.0.0, and 10.2.0 when `.venv/bt10` exists) sends
 * CgSynapse to our axon: the payload round-trips both ways, and wrong signatures, tampered
 * bodies, replayed and stale nonces are refused with a 4xx the Python side reports.
 */
import assert from "node:assert/strict";
import { Keypair } from "../../wallet/keypair.ts";
import { CgSynapse, createAxon, defineSynapse, field, py } from "../../protocol/mod.ts";
import { assertBittensorImports, axonEnvs, runPython } from "./protocol_python.ts";

const AXON_MNEMONIC =
  "old leopard transfer rib spatial phone calm indicate online fire caution review";
const CgHashed = defineSynapse("CgHashedSynapse", {
  cgp_input: field.required(py.list(py.dict())),
  cgp_output: field.optional(py.optional(py.list(py.dict())), null),
  time_elapsed: field.optional(py.int, 0),
}, { requiredHashFields: ["cgp_input"] });

const INPUT = [
  { guid: 1234, lines: [[0, "héllo 'world' \"q\""], [1, "line 2 \u2028 ✓"]], "2": 1.0 },
  { big: 12345678901234567890, f: 1.5e-5, n: null, t: true },
];

for (const env of axonEnvs()) {
  Deno.test({
    name: `python ${env.name} dendrite → our axon`,
    ignore: env.name !== "bt9" && !env.python,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async (t) => {
      assert.ok(env.python, `missing .venv/${env.name} (run scripts/python_env.sh)`);
      await assertBittensorImports(env.python);
      const kp = await Keypair.fromMnemonic(AXON_MNEMONIC);
      const seen: unknown[] = [];
      const cgForward = async (
        s: { cgp_input: Record<string, unknown>[] },
        ctx: { hotkey: string },
      ) => {
        seen.push({ input: s.cgp_input, hotkey: ctx.hotkey });
        if (s.cgp_input[0]?.slow) await new Promise((r) => setTimeout(r, 1500));
        return { cgp_output: [{ by: "deno", echo: s.cgp_input }], time_elapsed: 42 };
      };
      const axon = createAxon({
        keypair: kp,
        synapses: {
          CgSynapse: { schema: CgSynapse, forward: cgForward },
          CgHashedSynapse: { schema: CgHashed, forward: cgForward },
        },
      });
      const served = axon.serve({ port: 0, hostname: "127.0.0.1" });
      try {
        const run = (modes: string[], input: unknown = INPUT) =>
          runPython(env.python!, "dendrite_client.py", {
            ip: "127.0.0.1",
            port: served.port,
            axon_hotkey: kp.ss58Address,
            hotkey: "//Alice",
            other: "//Bob",
            modes,
            input,
          });
        const byMode = Object.fromEntries(
          (await run([
            "ok",
            "hashed_ok",
            "wrong_signature",
            "tampered_body",
            "tampered_hashed_body",
            "replay",
          ])).map((l) => [l.mode, l]),
        );
        // a fresh dendrite (new uuid): its first nonce meets the freshness window
        byMode.stale = (await run(["stale"]))[0];
        await t.step("success: cgp_input arrives intact, cgp_output arrives in Python", () => {
          const ok = byMode.ok;
          assert.equal(ok.status_code, 200, String(ok.status_message));
          assert.equal(ok.status_message, "Success");
          assert.deepEqual(ok.cgp_output, [{ by: "deno", echo: INPUT }]);
          assert.deepEqual(ok.cgp_input, INPUT);
          assert.equal(ok.time_elapsed, 42);
          // what our forward received is exactly what Python sent
          assert.deepEqual(seen[0], {
            // ints beyond 2^53 keep every digit (as bigint)
            input: [INPUT[0], { ...INPUT[1], big: 12345678901234567000n }],
            hotkey: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
          });
          assert.equal(byMode.hashed_ok.status_code, 200, String(byMode.hashed_ok.status_message));
        });
        await t.step("wrong signature → 401 Not Verified (upstream message)", () => {
          const r = byMode.wrong_signature;
          assert.equal(r.status_code, 401);
          assert.match(
            String(r.status_message),
            /^Not Verified with error: Signature mismatch with \d+\.5Grw.*\.5HDv.* and 0x[0-9a-f]{128}$/,
          );
        });
        await t.step("tampered body → 400 with a clear message (upstream: 500)", () => {
          assert.equal(byMode.tampered_body.status_code, 400);
          assert.match(
            String(byMode.tampered_body.status_message),
            /^Body dendrite\.hotkey 5FHne.* does not match the signed header hotkey 5Grw/,
          );
          assert.equal(byMode.tampered_hashed_body.status_code, 400);
          assert.match(
            String(byMode.tampered_hashed_body.status_message),
            /^Body hash mismatch: the body hashes to [0-9a-f]{64}, the signed header says [0-9a-f]{64}$/,
          );
        });
        await t.step("replayed nonce → 401 (upstream message)", () => {
          assert.equal(byMode.replay.status_code, 401);
          assert.equal(
            byMode.replay.status_message,
            "Not Verified with error: Nonce is too old, a newer one was last processed",
          );
        });
        await t.step("stale nonce → 401 (upstream message)", () => {
          assert.equal(byMode.stale.status_code, 401);
          assert.match(
            String(byMode.stale.status_message),
            /^Not Verified with error: Nonce is too old: acceptable delta is 16\.00 seconds but request was 6\d\.\d\d seconds old$/,
          );
        });
        await t.step("client timeout: Python reports 408 with its own message", async () => {
          const [r] = await run(["timeout"], [{ slow: true }]);
          assert.equal(r.status_code, 408);
          assert.equal(r.status_message, "Request timeout after 0.5 seconds");
        });
      } finally {
        await served.shutdown();
        axon.close();
      }
    },
  });
}
