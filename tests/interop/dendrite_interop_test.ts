/**
 * Our dendrite queries a real Python `bittensor.axon` (9.0.0, and 10.2.0 when `.venv/bt10`
 * exists) serving CgSynapse on 127.0.0.1: the Python side verifies our signature and nonce, we
 * parse its `cgp_output`, and its refusals map to the right status codes.
 */
import assert from "node:assert/strict";
import { Keypair } from "../../wallet/keypair.ts";
import { CgSynapse, defineSynapse, Dendrite, field, py } from "../../protocol/mod.ts";
import { assertBittensorImports, axonEnvs, freePort, PyProcess } from "./protocol_python.ts";

const OUR_MNEMONIC =
  "old leopard transfer rib spatial phone calm indicate online fire caution review";
const BOB = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
const INPUT = [{ guid: 7, lines: [[0, "héllo 'world'"], [1, '✓ "q"']], f: 0.5, big: 2n ** 60n }];

for (const env of axonEnvs()) {
  Deno.test({
    name: `our dendrite → python ${env.name} axon`,
    ignore: env.name !== "bt9" && !env.python,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async (t) => {
      assert.ok(env.python, `missing .venv/${env.name} (run scripts/python_env.sh)`);
      await assertBittensorImports(env.python);
      const me = await Keypair.fromMnemonic(OUR_MNEMONIC);
      const bob = await Keypair.fromSeed(new Uint8Array(32).fill(1));
      const port = freePort();
      const server = new PyProcess(env.python, "axon_server.py", {
        port,
        hotkey: "//Alice",
        blacklist: [bob.ss58Address, BOB],
      });
      try {
        const ready = await server.waitFor((l) => l.ready === true);
        const target = { ip: "127.0.0.1", port, hotkey: String(ready.hotkey) };
        const dendrite = new Dendrite({ keypair: me });

        await t.step("success: Python verifies us, we parse its cgp_output", async () => {
          const [a] = await dendrite.query([target], CgSynapse, { cgp_input: INPUT });
          assert.equal(a.dendrite.status_code, 200, String(a.dendrite.status_message));
          assert.equal(a.dendrite.status_message, "Success");
          assert.equal(a.axon.status_code, 200);
          assert.deepEqual(a.cgp_output, [{ echo: INPUT, by: "python" }]);
          assert.equal(a.time_elapsed, 7);
          assert.equal(typeof a.dendrite.process_time, "number");
          const fwd = (await server.waitFor((l) => "forward" in l)).forward as Record<
            string,
            unknown
          >;
          assert.equal(fwd.dendrite_hotkey, me.ss58Address);
          assert.equal(fwd.nonce, String(a.dendrite.nonce));
          assert.deepEqual(
            JSON.stringify(fwd.cgp_input),
            JSON.stringify(INPUT, (_k, v) => (typeof v === "bigint" ? Number(v) : v)),
          );
        });
        await t.step("nonces: sequential calls all pass, a replay is refused (401)", async () => {
          for (let i = 0; i < 3; i++) {
            const [a] = await dendrite.query([target], CgSynapse, { cgp_input: [{ i }] });
            assert.equal(a.dendrite.status_code, 200, String(a.dendrite.status_message));
          }
          const req = dendrite.prepare(target, CgSynapse, { cgp_input: [{ r: 1 }] });
          const send = () =>
            fetch(req.url, { method: "POST", headers: req.headers, body: req.body });
          assert.equal((await (await send()).json()).cgp_output[0].by, "python");
          const again = await send();
          assert.equal(again.status, 401);
          assert.equal(
            (await again.json()).message,
            "Not Verified with error: Nonce is too old, a newer one was last processed",
          );
        });
        await t.step("Python checks our signature: a forged one gives 401", async () => {
          const req = dendrite.prepare(target, CgSynapse, { cgp_input: [] });
          const forged = new Dendrite({ keypair: bob }).prepare(target, CgSynapse, {
            cgp_input: [],
          });
          req.headers.bt_header_dendrite_signature = forged.headers.bt_header_dendrite_signature;
          const res = await fetch(req.url, {
            method: "POST",
            headers: req.headers,
            body: req.body,
          });
          assert.equal(res.status, 401);
          assert.match((await res.json()).message, /^Not Verified with error: Signature mismatch/);
        });
        await t.step("its blacklist → 403", async () => {
          const [a] = await new Dendrite({ keypair: bob }).query([target], CgSynapse, {
            cgp_input: [],
          });
          assert.equal(a.dendrite.status_code, 403);
          assert.equal(
            a.dendrite.status_message,
            `Forbidden. Key is blacklisted: hotkey ${bob.ss58Address} is blacklisted.`,
          );
        });
        await t.step("timeout → 408", async () => {
          const [a] = await dendrite.query([target], CgSynapse, { cgp_input: [{ sleep: 2 }] }, {
            timeout: 0.5,
          });
          assert.equal(a.dendrite.status_code, 408);
          assert.equal(a.dendrite.status_message, "Request timeout after 0.5 seconds");
        });
        await t.step("unknown synapse → 404 with Python's message", async () => {
          const Unknown = defineSynapse("Unknown", { x: field.required(py.int) });
          const [a] = await dendrite.query([target], Unknown, { x: 1 });
          assert.equal(a.dendrite.status_code, 404);
          assert.equal(
            a.dendrite.status_message,
            "Synapse name 'Unknown' not found. Available synapses ['Synapse', 'CgSynapse']",
          );
        });
        await t.step("concurrent queries to several targets, one refused (503)", async () => {
          const closed = { ip: "127.0.0.1", port: freePort(), hotkey: target.hotkey };
          const answers = await dendrite.query([target, closed], CgSynapse, {
            cgp_input: [{ c: 1 }],
          });
          assert.equal(answers[0].dendrite.status_code, 200);
          assert.equal(answers[1].dendrite.status_code, 503);
          assert.equal(
            answers[1].dendrite.status_message,
            `Service unavailable at 127.0.0.1:${closed.port}/CgSynapse`,
          );
        });
      } finally {
        await server.kill();
      }
    },
  });
}
