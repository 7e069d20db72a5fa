/**
 * @module
 * Our side of the decode comparison, in a fresh process like the Python side: checks once that
 * the metadata's `NeuronInfoLite` layout is the one the fast decoder reads, then times
 * `decodeNeuronsLite` + metagraph columns over the same bytes. argv: metadata.scale neurons.bin
 * iterations netuid; prints one JSON line.
 */
import { Metadata, TypeRegistry } from "@polkadot/types";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { columnsFromNeurons } from "../../chain/metagraph.ts";
import { decodeNeuronsLite, NEURONS_LITE_SHAPE } from "../../chain/neuron_lite.ts";
import { describeType } from "../../chain/runtime_api.ts";

const [mdPath, binPath, itersArg, netuidArg] = Deno.args;
await cryptoWaitReady();
const registry = new TypeRegistry();
const metadata = new Metadata(registry, Deno.readFileSync(mdPath));
registry.setMetadata(metadata);
const api = metadata.asLatest.apis.find((a) => a.name.toString() === "NeuronInfoRuntimeApi");
const method = api?.methods.find((m) => m.name.toString() === "get_neurons_lite");
if (!method || describeType(registry, method.output.toNumber()) !== NEURONS_LITE_SHAPE) {
  throw new Error("metadata layout differs from the fast decoder's");
}
const raw = Deno.readFileSync(binPath);
const iters = Number(itersArg);
const netuid = Number(netuidArg);
const times: number[] = [];
let cols = columnsFromNeurons(decodeNeuronsLite(raw), netuid);
for (let i = 0; i < iters + 5; i++) {
  const t = performance.now();
  cols = columnsFromNeurons(decodeNeuronsLite(raw), netuid);
  if (i >= 5) times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({
  median_ms: times[Math.floor(times.length / 2)],
  min_ms: times[0],
  n: cols.hotkeys.length,
  check: {
    hotkey: cols.hotkeys[1],
    coldkey: cols.coldkeys[1],
    axon_ip: cols.axons[1].ip,
    axon_port: cols.axons[1].port,
    dividends: cols.dividends[1],
    last_update: cols.lastUpdate[1],
    validator_permit: cols.validatorPermit[1],
  },
}));
