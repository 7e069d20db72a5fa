import assert from "node:assert/strict";
import { FlagError, parseFlags } from "../../config/flags.ts";
import { logLevel, neuronFlags, neuronFullPath } from "../../config/neuron_flags.ts";

const noEnv = () => undefined;

Deno.test("flags: python-style forms, defaults, booleans", () => {
  const { flags, rest } = parseFlags(
    ["--netuid", "138", "--wallet.name=alice", "--logging.debug", "pos", "--axon.port", "9000"],
    neuronFlags,
    noEnv,
  );
  assert.equal(flags.netuid, 138);
  assert.equal(flags["wallet.name"], "alice");
  assert.equal(flags["wallet.hotkey"], "default");
  assert.equal(flags["axon.port"], 9000);
  assert.equal(flags["logging.debug"], true);
  assert.equal(flags["logging.trace"], false);
  assert.deepEqual(rest, ["pos"]);
  assert.equal(logLevel(flags), "debug");
  assert.match(neuronFullPath(flags, "miner"), /alice\/default\/netuid138\/miner$/);
});

Deno.test("flags: every problem is named", () => {
  try {
    parseFlags(
      ["--netuid", "x", "--axon.port", "70000", "--walet.name", "a", "--wallet.hotkey"],
      neuronFlags,
      noEnv,
    );
    assert.fail("should throw");
  } catch (e) {
    assert.ok(e instanceof FlagError);
    const msg = e.message;
    assert.match(msg, /--netuid: expected an integer, got "x"/);
    assert.match(msg, /--axon\.port: port must be 1\.\.65535/);
    assert.match(msg, /--walet\.name: unknown flag \(did you mean --wallet\.name\?\)/);
    assert.match(msg, /--wallet\.hotkey: missing value/);
  }
});

Deno.test("flags: environment fallback, flag wins, bad env value named", () => {
  const env = (n: string) =>
    ({ BT_WALLET_NAME: "fromenv", BT_AXON_PORT: "abc" } as Record<string, string>)[n];
  assert.throws(
    () => parseFlags([], neuronFlags, env),
    /--axon\.port: expected an integer.*\(from BT_AXON_PORT\)/,
  );
  const { flags } = parseFlags(["--axon.port", "1234"], neuronFlags, env);
  assert.equal(flags["wallet.name"], "fromenv");
  assert.equal(flags["axon.port"], 1234);
});

Deno.test("flags: upstream's no-effect template flags are accepted and reported", async () => {
  const { compatibilityFlags, compatibilityFlagsGiven } = await import(
    "../../config/neuron_flags.ts"
  );
  const specs = { ...neuronFlags, ...compatibilityFlags };
  const { given } = parseFlags(
    ["--wandb.off", "--neuron.device", "cuda", "--netuid", "1"],
    specs,
    noEnv,
  );
  assert.deepEqual(compatibilityFlagsGiven(given), ["neuron.device", "wandb.off"]);
});
