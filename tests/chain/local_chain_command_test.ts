// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { ApiPromise, Keyring, WsProvider } from "@polkadot/api";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { parseFlags } from "../../chain/local/command.ts";
import { startLocalChain } from "../../chain/local/mod.ts";
import { METADATA_PATH } from "./local_chain_helpers.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

Deno.test("local-chain flags parse, and bad ones are named", () => {
  const f = parseFlags(["--port", "0", "--metadata=/x.scale", "--subnet", "3"]);
  assert.equal(f.get("port"), "0");
  assert.equal(f.get("metadata"), "/x.scale");
  assert.equal(f.get("subnet"), "3");
  assert.throws(() => parseFlags(["--port"]), /--port needs a value/);
  assert.throws(() => parseFlags(["stray"]), /unexpected argument "stray"/);
});

async function startCli(
  args: string[],
): Promise<{ url: string; child: Deno.ChildProcess; lines: string[] }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "local-chain", ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const lines: string[] = [];
  let buf = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`local-chain exited: ${lines.join("\n")}`);
    buf += value;
    const parts = buf.split("\n");
    buf = parts.pop()!;
    lines.push(...parts);
    const hit = lines.find((l) => l.startsWith("local chain listening on "));
    if (hit) {
      reader.releaseLock();
      void child.stdout.cancel().catch(() => {});
      return { url: hit.slice("local chain listening on ".length).trim(), child, lines };
    }
  }
}

Deno.test("cgp-node local-chain: --metadata-from fetches, caches, serves, and a signed set_weights lands in timer mode", async () => {
  await cryptoWaitReady();
  const source = await startLocalChain({ metadataPath: METADATA_PATH, blockTimeMs: 0 });
  const cacheDir = await Deno.makeTempDir();
  try {
    const { url, child, lines } = await startCli([
      "--port",
      "0",
      "--metadata-from",
      source.url,
      "--cache-dir",
      cacheDir,
      "--subnet",
      "1",
      "--block-time-ms",
      "50",
    ]);
    try {
      assert.ok(lines.some((l) => l.startsWith("metadata fetched and cached: ")), lines.join("\n"));
      assert.ok(lines.includes("created subnet 1"));
      assert.equal([...Deno.readDirSync(cacheDir)].length, 1);
      const api: any = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
      assert.equal((await api.query.subtensorModule.networksAdded(1)).isTrue, true);
      const alice = new Keyring({ type: "sr25519" }).addFromUri("//Alice");
      // Not registered: the chain refuses the call in dispatch, which still proves the round trip.
      const result = await new Promise<any>((resolve, reject) => {
        api.tx.subtensorModule.setWeights(1, [], [], 0).signAndSend(alice, (r: any) => {
          if (r.status.isInBlock || r.status.isFinalized) resolve(r);
        }).catch(reject);
      });
      const meta = api.registry.findMetaError(result.dispatchError.asModule);
      assert.equal(meta.name, "HotKeyNotRegisteredInSubNet");
      await new Promise((r) => setTimeout(r, 100));
      await api.disconnect();
    } finally {
      child.kill("SIGTERM");
      const status = await child.status;
      await child.stderr.cancel().catch(() => {});
      assert.equal(status.code, 0);
    }
  } finally {
    await source.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("cgp-node local-chain without metadata exits 2 with usage", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "local-chain", "--port", "0"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(
    new TextDecoder().decode(out.stderr),
    /one of --metadata or --metadata-from is required/,
  );
});

Deno.test("bad admin input is refused with an error naming it", async () => {
  await assert.rejects(
    startLocalChain({ metadataPath: METADATA_PATH, port: -1 }),
    /bad startLocalChain options: port/,
  );
  await assert.rejects(startLocalChain({ blockTimeMs: 0 }), /needs metadataPath or metadataBytes/);
  await assert.rejects(
    startLocalChain({ metadataBytes: new Uint8Array([1, 2, 3, 4, 5]) }),
    /magic/,
  );
  const chain = await startLocalChain({ metadataPath: METADATA_PATH, blockTimeMs: 0 });
  try {
    assert.throws(() => chain.createSubnet(1, { tempo: -1 }), /createSubnet\(1\) options: tempo/);
    chain.createSubnet(1);
    assert.throws(() => chain.createSubnet(1), /already exists/);
    assert.throws(
      () => chain.setHyperparameter(1, "NoSuchThing", 1),
      /unknown hyperparameter NoSuchThing/,
    );
    assert.throws(
      () =>
        chain.registerNeuron(
          2,
          "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
          "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
        ),
      /subnet 2 does not exist/,
    );
    assert.throws(() => chain.fund("not-an-address", 1n));
    chain.setHyperparameter(1, "Tempo", 99);
    chain.setHyperparameter(1, "weightsSetRateLimit", 7);
    await chain.advanceBlocks(1);
    assert.equal(chain.engine.state.subnets.get(1)!.hyper.tempo, 99);
    assert.equal(chain.engine.state.subnets.get(1)!.hyper.weightsSetRateLimit, 7n);
  } finally {
    await chain.close();
  }
});
