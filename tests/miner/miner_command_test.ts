/**
 * `deno run -A main.ts miner ...` as operators run it, against a local chain: every start-up
 * mistake ends with its own exit code and a message naming it (no stack trace); a registered
 * hotkey serves, its axon shows up on chain, a validator's query through our dendrite gets tags,
 * and SIGTERM stops it with exit 0.
 */
import assert from "node:assert/strict";
import { NodeProcess, runToEnd } from "../helpers/node_process.ts";
import { SubtensorClient } from "../../chain/client.ts";
import { type LocalChain, startLocalChain } from "../../chain/local/mod.ts";
import { FlagError, parseFlags } from "../../config/flags.ts";
import { MINER_EXIT } from "../../miner/command.ts";
import { minerFlags, resolveMinerSettings } from "../../miner/miner_flags.ts";
import { CgSynapse } from "../../protocol/cg_synapse.ts";
import { Dendrite } from "../../protocol/dendrite/dendrite.ts";
import { createWallet, Keypair } from "../../wallet/mod.ts";

const METADATA =
  new URL("../../../shared/chain/subtensor-metadata-v16.scale", import.meta.url).pathname;
const NETUID = 1;
const MINER_IP = "127.0.0.2"; // the chain, like finney, refuses to serve 127.0.0.1
const TAO = 1_000_000_000n;

function freePort(hostname = MINER_IP): number {
  const l = Deno.listen({ hostname, port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

function assertNoStack(out: string) {
  assert.doesNotMatch(out, /^\s+at .+:\d+:\d+\)?$/m, `a stack trace was printed:\n${out}`);
}

const settingsOf = (argv: string[], env: Record<string, string> = {}) =>
  resolveMinerSettings(parseFlags(argv, minerFlags, (n) => env[n]).flags);

Deno.test("miner flags: upstream defaults, overrides, and the advertised address", async (t) => {
  await t.step("defaults are the Python miner's", () => {
    const s = settingsOf(["--axon.ip", "10.1.2.3"]);
    assert.equal(s.netuid, 33);
    assert.deepEqual(s.blacklist, {
      allowNonRegistered: false,
      forceValidatorPermit: true,
      minStakeTao: 0,
      maxRequestsPerMinute: 0,
    });
    assert.deepEqual(s.bind, { hostname: "10.1.2.3", port: 8091 });
    assert.deepEqual(s.external, { ip: "10.1.2.3", port: 8091 });
    assert.equal(s.resyncMs, 100 * 12_000);
    assert.equal(s.logLevel, "info");
    assert.equal(s.llmConcurrency, 4);
    assert.equal(s.useTaskPrompt, false);
  });
  await t.step("every flag reaches the settings", () => {
    const s = settingsOf([
      "--axon.ip=0.0.0.0",
      "--axon.external_ip",
      "203.0.113.7",
      "--axon.external_port",
      "9000",
      "--axon.port",
      "8000",
      "--blacklist.force_validator_permit",
      "false",
      "--blacklist.allow_non_registered",
      "--blacklist.min_stake",
      "12.5",
      "--blacklist.max_requests_per_minute",
      "30",
      "--miner.llm_concurrency",
      "2",
      "--miner.use_task_prompt",
      "--neuron.epoch_length",
      "10",
      "--logging.trace",
      "--subtensor.network",
      "test",
    ]);
    assert.deepEqual(s.bind, { hostname: "0.0.0.0", port: 8000 });
    assert.deepEqual(s.external, { ip: "203.0.113.7", port: 9000 });
    assert.deepEqual(s.blacklist, {
      allowNonRegistered: true,
      forceValidatorPermit: false,
      minStakeTao: 12.5,
      maxRequestsPerMinute: 30,
    });
    assert.equal(s.llmConcurrency, 2);
    assert.equal(s.useTaskPrompt, true);
    assert.equal(s.resyncMs, 10 * 12_000);
    assert.equal(s.logLevel, "trace");
    assert.equal(s.network, "test");
  });
  await t.step("upstream template flags a miner does not use are accepted", () => {
    const s = settingsOf([
      "--axon.ip",
      "10.0.0.1",
      "--neuron.device",
      "cpu",
      "--wandb.off",
      "--mock",
      "--neuron.name",
      "miner",
    ]);
    assert.equal(s.bind.hostname, "10.0.0.1");
  });
  await t.step("the environment supplies wallet and port when flags do not", () => {
    const s = settingsOf(["--axon.ip", "10.0.0.1"], {
      BT_WALLET_NAME: "w",
      BT_WALLET_HOTKEY: "h",
      BT_AXON_PORT: "7000",
    });
    assert.deepEqual(s.wallet, { name: "w", hotkey: "h", path: "~/.bittensor/wallets" });
    assert.equal(s.bind.port, 7000);
  });
  await t.step("bad values are named, all at once", () => {
    assert.throws(
      () =>
        settingsOf([
          "--axon.ip",
          "10.0.0.1",
          "--blacklist.min_stake",
          "-1",
          "--miner.llm_concurrency",
          "0",
          "--axon.port",
          "70000",
        ]),
      (e: unknown) =>
        e instanceof FlagError && e.problems.length === 3 &&
        e.problems.some((p) => p.startsWith("--blacklist.min_stake: must be >= 0")) &&
        e.problems.some((p) => p.startsWith("--miner.llm_concurrency: must be > 0")) &&
        e.problems.some((p) => p.startsWith("--axon.port: port must be 1..65535")),
    );
    assert.throws(
      () => settingsOf(["--axon.ip", "my-host"]),
      /--axon\.ip: not an IPv4 or IPv6 address: "my-host"/,
    );
    assert.throws(
      () => settingsOf(["--axon.external_ip", "0.0.0.0", "--axon.ip", "10.0.0.1"]),
      /--axon\.external_ip: 0\.0\.0\.0 cannot be reached by validators/,
    );
    assert.throws(
      () => settingsOf(["--axon.ip", "10.0.0.1", "--subtensor.network", "finey"]),
      /--subtensor\.network: unknown --subtensor\.network "finey": use one of finney, test/,
    );
    assert.throws(
      () => settingsOf(["--axon.ip", "10.0.0.1", "--subtensor.chain_endpoint", "http://x:9944"]),
      /--subtensor\.chain_endpoint: chain endpoint must be ws:\/\/ or wss:\/\//,
    );
    assert.throws(
      () => settingsOf([]),
      /--axon\.external_ip: required when --axon\.ip is 0\.0\.0\.0/,
    );
  });
});

Deno.test({
  name: "miner command: start-up mistakes, then a registered miner serves and stops on SIGTERM",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const tmp = await Deno.makeTempDir({ prefix: "cgp-miner-cmd-" });
    const chain: LocalChain = await startLocalChain({ metadataPath: METADATA, blockTimeMs: 100 });
    let client: SubtensorClient | undefined;
    try {
      const owner = await Keypair.generate();
      chain.createSubnet(NETUID, {
        owner: { coldkey: owner.ss58Address, hotkey: owner.ss58Address },
        tempo: 100,
        servingRateLimit: 0,
      });
      const validator = await Keypair.generate();
      const validatorCold = await Keypair.generate();
      chain.registerNeuron(NETUID, validator.ss58Address, validatorCold.ss58Address, {
        stakeRao: 5_000n * TAO,
        validatorPermit: true,
      });
      const plain = await Keypair.generate();
      const plainUid = chain.registerNeuron(NETUID, plain.ss58Address, validatorCold.ss58Address, {
        stakeRao: 5n * TAO,
      });
      // held off through epochs (which would hand every staked neuron a permit)
      chain.setValidatorPermit(NETUID, plainUid, false);
      const made = await createWallet({
        name: "miner",
        hotkey: "default",
        path: tmp,
        coldkeyPassword: null,
      });
      const port = freePort();
      const base = [
        "--netuid",
        String(NETUID),
        "--subtensor.chain_endpoint",
        chain.url,
        "--wallet.name",
        "miner",
        "--wallet.hotkey",
        "default",
        "--wallet.path",
        tmp,
        "--axon.ip",
        MINER_IP,
        "--axon.port",
        String(port),
      ];

      await t.step("a bad flag value: exit 2 naming the flag and why", async () => {
        const r = await runToEnd("miner", [...base, "--axon.port", "eighty"]);
        assert.equal(r.code, MINER_EXIT.usage, r.out);
        assert.match(r.out, /--axon\.port: expected an integer, got "eighty"/);
        assertNoStack(r.out);
      });

      await t.step("an unknown flag: exit 2 with a suggestion", async () => {
        const r = await runToEnd("miner", [...base, "--blacklist.min_stak", "5"]);
        assert.equal(r.code, MINER_EXIT.usage, r.out);
        assert.match(
          r.out,
          /--blacklist\.min_stak: unknown flag \(did you mean --blacklist\.min_stake\?\)/,
        );
      });

      await t.step("binding 0.0.0.0 without --axon.external_ip: exit 2 naming it", async () => {
        const r = await runToEnd("miner", [...base, "--axon.ip", "0.0.0.0"]);
        assert.equal(r.code, MINER_EXIT.usage, r.out);
        assert.match(r.out, /--axon\.external_ip: required when --axon\.ip is 0\.0\.0\.0/);
      });

      await t.step("a bad LLM environment: exit 4 naming the variable", async () => {
        const r = await runToEnd("miner", base, { LLM_TYPE: "openai", OPENAI_API_KEY: "" });
        assert.equal(r.code, MINER_EXIT.llmConfig, r.out);
        assert.match(r.out, /OPENAI_API_KEY: required when LLM_TYPE is openai/);
        assertNoStack(r.out);
      });

      await t.step("a missing wallet: exit 5 naming the file", async () => {
        const r = await runToEnd("miner", [...base, "--wallet.hotkey", "nope"]);
        assert.equal(r.code, MINER_EXIT.wallet, r.out);
        assert.match(r.out, /hotkey file not found at .*\/miner\/hotkeys\/nope/);
        assertNoStack(r.out);
      });

      await t.step("an unreachable chain: exit 6 naming the endpoint", async () => {
        const dead = `ws://127.0.0.1:${freePort("127.0.0.1")}`;
        const r = await runToEnd("miner", [
          ...base,
          "--subtensor.chain_endpoint",
          dead,
          "--subtensor.connect_timeout",
          "2",
        ]);
        assert.equal(r.code, MINER_EXIT.chain, r.out);
        assert.ok(r.out.includes(`subtensor at ${dead} is unreachable`), r.out);
        assertNoStack(r.out);
      });

      await t.step("an unregistered hotkey: exit 3 saying so", async () => {
        const r = await runToEnd("miner", base);
        assert.equal(r.code, MINER_EXIT.notRegistered, r.out);
        assert.ok(
          r.out.includes(`hotkey ${made.hotkey.ss58Address} is not registered on netuid ${NETUID}`),
          r.out,
        );
        assertNoStack(r.out);
      });

      const cold = await Keypair.generate();
      const uid = chain.registerNeuron(NETUID, made.hotkey.ss58Address, cold.ss58Address, {
        stakeRao: 10n * TAO,
      });
      client = await SubtensorClient.connect({ chainEndpoint: chain.url, blockTimeS: 0.1 });
      const c = client;
      // wait until the registration is in a block the miner will read
      for (let i = 0; (await c.uidOf(NETUID, made.hotkey.ss58Address)) === null; i++) {
        assert.ok(i < 100, "registration never showed up on chain");
        await new Promise((r) => setTimeout(r, 100));
      }

      await t.step("the axon port is taken: exit 7 naming the address", async () => {
        const squatter = Deno.listen({ hostname: MINER_IP, port });
        try {
          const r = await runToEnd("miner", base);
          assert.equal(r.code, MINER_EXIT.serve, r.out);
          assert.ok(r.out.includes(`cannot bind the axon to ${MINER_IP}:${port}`), r.out);
          assertNoStack(r.out);
        } finally {
          squatter.close();
        }
      });

      await t.step("the chain refuses the announced address: exit 7 saying why", async () => {
        const r = await runToEnd("miner", [
          ...base,
          "--axon.ip",
          "127.0.0.1",
          "--axon.port",
          String(freePort("127.0.0.1")),
        ]);
        assert.equal(r.code, MINER_EXIT.serve, r.out);
        assert.match(
          r.out,
          /announcing the axon at 127\.0\.0\.1:\d+ failed: .*(InvalidIpAddress|invalid IP)/,
        );
        assertNoStack(r.out);
      });

      await t.step("registered: serves, announces, answers, stops on SIGTERM", async () => {
        const miner = new NodeProcess("miner", [...base, "--logging.debug", "--wandb.off"], {});
        try {
          let axon;
          for (let i = 0;; i++) {
            const status = await Promise.race([
              miner.done,
              new Promise<null>((r) => setTimeout(() => r(null), 200)),
            ]);
            assert.equal(status, null, `the miner exited early:\n${miner.out}`);
            axon = (await c.metagraph(NETUID)).axons[uid];
            if (axon.port === port) break;
            assert.ok(i < 300, `the axon never showed up on chain:\n${miner.out}`);
          }
          assert.equal(axon.ip, MINER_IP);
          assert.match(miner.out, /ignored \(upstream flags with no effect here\): "?--wandb\.off/);
          assert.equal(axon.ipType, 4);

          const dendrite = new Dendrite({ keypair: validator });
          const target = { ip: axon.ip, port: axon.port, hotkey: made.hotkey.ss58Address };
          const window = [
            [0, "I spent the weekend hiking in the Rocky Mountains with my brother"],
            [1, "Nice! Did you camp near the lake or drive back to Denver each night?"],
            [0, "We camped. The stars were amazing and we cooked trout over the fire"],
          ];
          const [r] = await dendrite.query([target], CgSynapse, {
            cgp_input: [{
              task: {
                type: "conversation_tagging",
                guid: "HIDDEN",
                bundle_guid: "HIDDEN",
                input: {
                  guid: "HIDDEN",
                  input_type: "conversation",
                  data: { window_idx: -1, window },
                },
                prompt_chain: [],
              },
            }],
          }, { timeout: 30 });
          assert.equal(r.dendrite.status_code, 200, `${r.dendrite.status_message}\n${miner.out}`);
          const out = (r.cgp_output as Array<{ tags: unknown; vectors: unknown }>)[0];
          assert.ok(Array.isArray(out.tags) && out.tags.length > 0, JSON.stringify(out));
          assert.ok(out.tags.every((x) => typeof x === "string" && x.length > 0));
          assert.equal(out.vectors, null);

          // a registered caller without a validator permit is refused (upstream default)
          const mg = await c.metagraph(NETUID);
          assert.equal(mg.validatorPermit[plainUid], false);
          assert.equal(mg.validatorPermit[mg.hotkeys.indexOf(validator.ss58Address)], true);
          const [refused] = await new Dendrite({ keypair: plain }).query([target], CgSynapse, {
            cgp_input: [{ guid: "1", window_idx: 0, lines: window }],
          }, { timeout: 30 });
          assert.equal(refused.dendrite.status_code, 403, refused.dendrite.status_message ?? "");

          // SIGUSR1 prints the counters and the miner keeps running
          miner.child.kill("SIGUSR1");
          for (let i = 0; !/counters: requests=/.test(miner.out); i++) {
            assert.ok(i < 100, `no counters after SIGUSR1:\n${miner.out}`);
            await new Promise((r) => setTimeout(r, 50));
          }
          assert.match(miner.out, /counters: requests=1 answered=1 empty=0 shed=0 cache_hits=0/);

          miner.child.kill("SIGTERM");
          const status = await miner.done;
          assert.equal(status.code, MINER_EXIT.ok, miner.out);
          assert.match(miner.out, /SIGTERM"?: stopping the miner/);
          assertNoStack(miner.out);
        } finally {
          try {
            miner.child.kill("SIGKILL");
          } catch { /* already gone */ }
          await miner.done;
        }
      });
    } finally {
      await client?.close();
      await chain.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
