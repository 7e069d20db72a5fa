/**
 * @module
 * Chain bench: (1) metagraph sync of a 256-neuron subnet from the local chain through our client
 * (time and RSS); (2) decoding the same `get_neurons_lite` bytes with ours (decoder + metagraph
 * columns) and with the Python SDK 9.0.0 path (`bt_decode` + `NeuronInfoLite.list_from_dicts`),
 * in one run, each decoder in a fresh process of its own (ours is also timed inside the client
 * process, reported as a figure). Ends with one JSON line; target `decode_speedup_vs_python` >= 3.
 */
import { u8aToHex } from "@polkadot/util";
import { startLocalChain } from "../../chain/local/mod.ts";
import {
  columnsFromNeurons,
  decodeNeuronsLiteFor,
  runtimeApiOutputType,
  runtimeCallRaw,
  SubtensorClient,
  u16Arg,
} from "../../chain/mod.ts";

const ROOT = new URL("../../", import.meta.url);
const METADATA = new URL("../shared/chain/subtensor-metadata-v16.scale", ROOT).pathname;
const PYTHON = new URL(".venv/bt9/bin/python", ROOT).pathname;
const CHILD = new URL("bench/chain/decode_child.ts", ROOT).pathname;
const PY_SCRIPT = new URL("bench/chain/py/decode_neurons_lite.py", ROOT).pathname;
const NETUID = 1;
const N = 256;
const SYNCS = 10;
const DECODES = 50;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (b: number) => Math.round(b / 1048576 * 10) / 10;

function fakeAccount(tag: number, i: number): string {
  const k = new Uint8Array(32);
  k[0] = tag;
  new DataView(k.buffer).setUint32(1, i, true);
  for (let j = 5; j < 32; j++) k[j] = (i * 131 + j * 17 + tag) & 0xff;
  return u8aToHex(k);
}

const chain = await startLocalChain({ metadataPath: METADATA, blockTimeMs: 0 });
const { encodeAddress } = await import("@polkadot/util-crypto");
chain.createSubnet(NETUID, { maxAllowedUids: N });
for (let i = 0; i < N; i++) {
  chain.registerNeuron(
    NETUID,
    encodeAddress(fakeAccount(1, i), 42),
    encodeAddress(fakeAccount(2, i % 40), 42),
    {
      stakeRao: BigInt(i) * 1_000_000_000n + 7n,
      validatorPermit: i < 64,
    },
  );
}
await chain.advanceBlocks(1);

const rssBefore = Deno.memoryUsage().rss;
const client = await SubtensorClient.connect({ chainEndpoint: chain.url });
const first = await client.metagraph(NETUID); // warm-up (metadata caches, JIT)
if (first.n !== N) throw new Error(`expected ${N} neurons, the chain has ${first.n}`);
const syncMs: number[] = [];
for (let i = 0; i < SYNCS; i++) {
  const t = performance.now();
  await client.metagraph(NETUID);
  syncMs.push(performance.now() - t);
}
const rssAfter = Deno.memoryUsage().rss;

// the same bytes for both decoders
const raw = await client.call(
  "get_neurons_lite",
  () => runtimeCallRaw(client, "NeuronInfoRuntimeApi_get_neurons_lite", u16Arg(NETUID)),
);
// Python: registry JSON (scale-info form) from the same metadata, the bytes, the output type id
const dir = await Deno.makeTempDir({ prefix: "bench-chain-" });
const lookup = client.api.runtimeMetadata.asLatest.lookup.toJSON() as {
  types: { type: { def: Record<string, unknown> } }[];
};
for (const t of lookup.types) {
  if (typeof t.type.def.primitive === "string") {
    t.type.def.primitive = t.type.def.primitive.toLowerCase();
  }
}
await Deno.writeTextFile(`${dir}/registry.json`, JSON.stringify(lookup));
await Deno.writeFile(`${dir}/neurons.bin`, raw);
const outType = runtimeApiOutputType(client.api, "NeuronInfoRuntimeApi_get_neurons_lite");
let typeId = -1;
for (const a of client.api.runtimeMetadata.asLatest.apis) {
  for (const m of a.methods) {
    if (a.name.toString() === "NeuronInfoRuntimeApi" && m.name.toString() === "get_neurons_lite") {
      typeId = m.output.toNumber();
    }
  }
}
// also timed inside this process, next to a live client and chain (a busier heap): reported
const inProcMs: number[] = [];
for (let i = 0; i < DECODES + 5; i++) {
  const t = performance.now();
  columnsFromNeurons(decodeNeuronsLiteFor(client.api, raw), NETUID);
  if (i >= 5) inProcMs.push(performance.now() - t);
}
await client.close();
await chain.close();

const py = await new Deno.Command(PYTHON, {
  args: [PY_SCRIPT, `${dir}/registry.json`, `${dir}/neurons.bin`, String(typeId), String(DECODES)],
  stdout: "piped",
  stderr: "piped",
}).output();
if (py.code !== 0) throw new Error(`python decoder failed: ${new TextDecoder().decode(py.stderr)}`);
const pyOut = JSON.parse(new TextDecoder().decode(py.stdout).trim().split("\n").at(-1)!) as {
  median_ms: number;
  min_ms: number;
  n: number;
  check: Record<string, unknown>;
};
// ours, in a fresh process like the Python side (same bytes, same metadata)
const child = await new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", CHILD, METADATA, `${dir}/neurons.bin`, String(DECODES), String(NETUID)],
  stdout: "piped",
  stderr: "piped",
}).output();
await Deno.remove(dir, { recursive: true });
if (child.code !== 0) {
  throw new Error(`our decoder failed: ${new TextDecoder().decode(child.stderr)}`);
}
const oursOut = JSON.parse(new TextDecoder().decode(child.stdout).trim().split("\n").at(-1)!) as {
  median_ms: number;
  min_ms: number;
  n: number;
  check: Record<string, unknown>;
};
// both decoders must read the same neurons
const c = pyOut.check, o = oursOut.check;
const same = pyOut.n === oursOut.n && c.hotkey === o.hotkey && c.coldkey === o.coldkey &&
  c.axon_port === o.axon_port && c.axon_ip === o.axon_ip &&
  Math.abs(Number(c.dividends) - Number(o.dividends)) < 1e-12 && c.last_update === o.last_update &&
  c.validator_permit === o.validator_permit;
if (!same) {
  throw new Error(
    `decoders disagree: python ${JSON.stringify(c)}, ours ${JSON.stringify(o)} (${outType})`,
  );
}

const oursMs = oursOut.median_ms;
const oursMin = oursOut.min_ms;
const speedup = pyOut.median_ms / oursMs;
console.log(JSON.stringify({
  bench: "chain",
  figures: {
    neurons: N,
    metagraph_source: first.source,
    metagraph_sync_ms_median: Math.round(median(syncMs) * 100) / 100,
    rss_mb_after_syncs: mb(rssAfter),
    rss_mb_delta_client: mb(rssAfter - rssBefore),
    neurons_lite_bytes: raw.length,
    decode_ms_ours_median: Math.round(oursMs * 1000) / 1000,
    decode_ms_ours_min: Math.round(oursMin * 1000) / 1000,
    decode_ms_ours_in_client_process_median: Math.round(median(inProcMs) * 1000) / 1000,
    decode_ms_python_bt9_median: Math.round(pyOut.median_ms * 1000) / 1000,
    decode_ms_python_bt9_min: Math.round(pyOut.min_ms * 1000) / 1000,
    load_avg_1m: loadAvg(),
    python_decoder: "bittensor 9.0.0: bt_decode.decode + NeuronInfoLite.list_from_dicts",
  },
  targets: {
    decode_speedup_vs_python: {
      value: Math.round(speedup * 100) / 100,
      target: 3,
      met: speedup >= 3,
    },
  },
}));

function loadAvg(): number | null {
  try {
    return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
  } catch {
    return null;
  }
}
