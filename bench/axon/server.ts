/**
 * @module
 * Our axon as a separate process for the bench (so its RSS is its own): serves `CgSynapse` with
 * the same trivial echo forward as the Python bench axon.
 *
 * argv[0]: JSON `{ "port": number, "mnemonic": string, "verifyWorkers": number }`
 * (`verifyWorkers` 0 verifies in the request thread). Prints `{"ready":true,"port":p}`.
 */
import { Keypair } from "../../wallet/keypair.ts";
import { CgSynapse, createAxon, createVerifyPool, inlineVerifier } from "../../protocol/mod.ts";

const cfg = JSON.parse(Deno.args[0] ?? "{}") as {
  port?: number;
  mnemonic: string;
  verifyWorkers?: number;
};
const keypair = await Keypair.fromMnemonic(cfg.mnemonic);
const workers = cfg.verifyWorkers ?? 1;
const axon = createAxon({
  keypair,
  verifier: workers > 0 ? createVerifyPool(workers) : inlineVerifier(),
  maxConcurrency: 256,
  perHotkeyConcurrency: 256,
  maxQueuePerHotkey: 1024,
  synapses: {
    CgSynapse: {
      schema: CgSynapse,
      forward: (s) => ({ cgp_output: [{ echo: s.cgp_input, by: "deno" }], time_elapsed: 7 }),
    },
  },
});
const served = axon.serve({ port: cfg.port ?? 0, hostname: "127.0.0.1" });
console.log(JSON.stringify({ ready: true, port: served.port }));
const stop = async () => {
  Deno.removeSignalListener("SIGTERM", stop);
  await served.shutdown();
  axon.close();
};
Deno.addSignalListener("SIGTERM", stop);
