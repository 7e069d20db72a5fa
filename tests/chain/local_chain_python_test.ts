/**
 * The real Python SDKs sync a metagraph from the local chain: bittensor 9.0.0
 * (async-substrate-interface + py-scale-codec: reads `state_getMetadata`, which the local chain
 * answers with V14 like a substrate node, then V15 through `Metadata_metadata_at_version`) and
 * the newest bittensor 11.x (bt-decode runtime: V15 only). The team blob is V16; the local
 * chain down-converts it. Skipped when a venv is missing (run scripts/python_env.sh).
 */
import assert from "node:assert/strict";
import { Keyring } from "@polkadot/api";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { startLocalChain } from "../../chain/local/mod.ts";
import { METADATA_PATH } from "./local_chain_helpers.ts";

const root = new URL("../../", import.meta.url).pathname;
const venvs = [
  {
    name: "bt9",
    script: `
import json, sys, bittensor as bt
st = bt.subtensor(network=sys.argv[1])
m = st.metagraph(1)
print(json.dumps({"n": int(m.n), "hotkeys": list(m.hotkeys), "stake": [float(x) for x in m.S],
  "permit": [bool(x) for x in m.validator_permit], "axon": f"{m.axons[1].ip}:{m.axons[1].port}"}))
`,
  },
  {
    name: "btnew",
    script: `
import json, sys, bittensor as bt
st = bt.Subtensor(network=sys.argv[1])
m = st.subnets.metagraph(1)
print(json.dumps({"n": m.num_uids, "hotkeys": m.hotkeys, "stake": [n.alpha_stake.rao / 1e9 for n in m.neurons],
  "permit": [bool(n.validator_permit) for n in m.neurons], "axon": str(m.neurons[1].axon)}))
`,
  },
];

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}

for (const v of venvs) {
  const python = `${root}.venv/${v.name}/bin/python`;
  Deno.test({
    name: `local chain: Python bittensor (${v.name}) syncs a metagraph`,
    ignore: !(await exists(python)),
    async fn() {
      await cryptoWaitReady();
      const chain = await startLocalChain({ metadataPath: METADATA_PATH, blockTimeMs: 0 });
      try {
        const kr = new Keyring({ type: "sr25519" });
        const cold = kr.addFromUri("//Cold");
        const hot = [0, 1, 2].map((i) => kr.addFromUri(`//PyHot${i}`));
        chain.createSubnet(1, { tempo: 10, commitReveal: false, minAllowedWeights: 1 });
        hot.forEach((h, i) =>
          chain.registerNeuron(1, h.address, cold.address, {
            stakeRao: BigInt(i + 1) * 1_000_000_000_000n,
            validatorPermit: i === 2,
          })
        );
        const n1 = chain.engine.state.subnets.get(1)!.neurons[1];
        n1.axon = {
          block: 1,
          version: 1,
          ip: (10n << 24n) | 1n,
          port: 8091,
          ipType: 4,
          protocol: 4,
          placeholder1: 0,
          placeholder2: 0,
        };
        chain.engine.touch(1);
        await chain.advanceBlocks(2);
        const out = await new Deno.Command(python, {
          args: ["-c", v.script, chain.url],
          stdout: "piped",
          stderr: "piped",
        })
          .output();
        const stdout = new TextDecoder().decode(out.stdout);
        assert.equal(out.code, 0, new TextDecoder().decode(out.stderr).slice(-2000));
        const got = JSON.parse(stdout.trim().split("\n").pop()!);
        assert.equal(got.n, 3);
        assert.deepEqual(got.hotkeys, hot.map((h) => h.address));
        assert.deepEqual(got.stake, [1000, 2000, 3000]);
        assert.deepEqual(got.permit, [false, false, true]);
        assert.match(got.axon, /10\.0\.0\.1:8091/);
      } finally {
        await chain.close();
      }
    },
  });
}

const BT9 = `${root}.venv/bt9/bin/python`;

Deno.test({
  name:
    "local chain: Python bittensor 9.0.0 signs set_weights and serve_axon that the local chain accepts",
  ignore: !(await exists(BT9)),
  async fn() {
    await cryptoWaitReady();
    // Timer mode: the SDK waits for inclusion on its own.
    const chain = await startLocalChain({ metadataPath: METADATA_PATH, blockTimeMs: 100 });
    const walletDir = await Deno.makeTempDir();
    try {
      const kr = new Keyring({ type: "sr25519" });
      const alice = kr.addFromUri("//Alice");
      const bob = kr.addFromUri("//Bob");
      const charlie = kr.addFromUri("//Charlie");
      chain.createSubnet(1, {
        tempo: 100,
        commitReveal: false,
        minAllowedWeights: 1,
        weightsRateLimit: 0,
      });
      chain.registerNeuron(1, alice.address, bob.address, {
        stakeRao: 10n ** 12n,
        validatorPermit: true,
      });
      chain.registerNeuron(1, charlie.address, bob.address);
      const script = `
import json, sys, bittensor as bt
from bittensor_wallet import Keypair
w = bt.wallet(name="t", hotkey="h", path=sys.argv[2])
w.set_hotkey(Keypair.create_from_uri("//Alice"), encrypt=False, overwrite=True)
w.set_coldkeypub(Keypair.create_from_uri("//Bob"), overwrite=True)
st = bt.subtensor(network=sys.argv[1])
ok, msg = st.set_weights(wallet=w, netuid=1, uids=[0, 1], weights=[0.25, 0.75], version_key=0,
                         wait_for_inclusion=True, wait_for_finalization=False)
ax = bt.axon(wallet=w, port=8099, external_ip="10.0.0.9", external_port=8099)
served = st.serve_axon(netuid=1, axon=ax, wait_for_inclusion=True, wait_for_finalization=False)
print(json.dumps({"weights": [bool(ok), str(msg)], "served": bool(served)}))
`;
      const out = await new Deno.Command(BT9, {
        args: ["-c", script, chain.url, walletDir],
        stdout: "piped",
        stderr: "piped",
      })
        .output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr).slice(-2000));
      const got = JSON.parse(stdout.trim().split("\n").pop()!);
      const why = `${stdout.slice(-1500)}\n${new TextDecoder().decode(out.stderr).slice(-1500)}`;
      assert.equal(got.weights[0], true, `${got.weights[1]}\n${why}`);
      assert.equal(got.served, true, why);
      // The SDK max-upscales 0.25/0.75 to u16 (21845, 65535); the chain keeps that row.
      assert.deepEqual(chain.weights(1, 0), [[0, 21845], [1, 65535]]);
      const axon = chain.engine.state.subnets.get(1)!.neurons[0].axon!;
      assert.equal(axon.port, 8099);
      assert.equal(axon.ip, (10n << 24n) | 9n);
      assert.deepEqual(chain.unknownMethods(), []);
    } finally {
      await chain.close();
      await Deno.remove(walletDir, { recursive: true });
    }
  },
});
