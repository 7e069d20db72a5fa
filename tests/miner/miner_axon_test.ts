import assert from "node:assert/strict";
import { Blacklist } from "../../miner/blacklist.ts";
import { createMinerAxon } from "../../miner/miner_axon.ts";
import type { TaggingOps } from "../../miner/mine_task.ts";
import { CgSynapse, type CgSynapseValue } from "../../protocol/cg_synapse.ts";
import { Dendrite } from "../../protocol/dendrite/dendrite.ts";
import { Keypair } from "../../wallet/keypair.ts";

const minerKey = await Keypair.fromSeed(new Uint8Array(32).fill(1));
const validatorKey = await Keypair.fromSeed(new Uint8Array(32).fill(2));
const strangerKey = await Keypair.fromSeed(new Uint8Array(32).fill(3));

function ops(overrides: Partial<TaggingOps> = {}) {
  let llmCalls = 0;
  const base: TaggingOps = {
    conversationTags: () => (llmCalls++, Promise.resolve(["hiking", "mountains"])),
    websiteTags: () => Promise.resolve(["web"]),
    enrichmentTags: () => Promise.resolve(["snippet"]),
    combineTags: (l) => Promise.resolve(l.flat()),
    surveyTags: () => Promise.resolve(["survey"]),
    transcriptEntities: () => Promise.resolve(["Alice"]),
    webpageEntities: () => Promise.resolve(["Bob"]),
    combineEntities: (l) => Promise.resolve(l.flat()),
    ...overrides,
  };
  return { ops: base, calls: () => llmCalls };
}

async function withMiner(
  tagging: TaggingOps,
  fn: (
    query: (input: unknown[], key?: Keypair, timeout?: number) => Promise<CgSynapseValue>,
  ) => Promise<void>,
  extra: { llmConcurrency?: number } = {},
) {
  const view = {
    lookup: (
      h: string,
    ) => (h === validatorKey.ss58Address
      ? { uid: 1, stakeTao: 1000, validatorPermit: true }
      : undefined),
  };
  const blacklist = new Blacklist(() => view, {
    allowNonRegistered: false,
    forceValidatorPermit: true,
    minStakeTao: 0,
    maxRequestsPerMinute: 0,
  });
  const miner = createMinerAxon({
    keypair: minerKey,
    ops: tagging,
    blacklist,
    embed: (tags) => Promise.resolve(new Map(tags.map((t) => [t, [1, 2, 3]]))),
    ...extra,
  });
  const served = miner.axon.serve({ port: 0, hostname: "127.0.0.1" });
  try {
    await fn(async (input, key = validatorKey, timeout = 12) => {
      const d = new Dendrite({ keypair: key });
      const [r] = await d.query(
        [{ ip: "127.0.0.1", port: served.port, hotkey: minerKey.ss58Address }],
        CgSynapse,
        {
          cgp_input: input as Record<string, unknown>[],
        },
        { timeout },
      );
      return r;
    });
  } finally {
    await served.shutdown();
    miner.axon.close();
  }
  return miner;
}

const window = [[0, "we went hiking"], [1, "the mountains were great"]];
const taskInput = {
  task: {
    type: "conversation_tagging",
    guid: "HIDDEN",
    input: { guid: "HIDDEN", input_type: "conversation", data: { window_idx: -1, window } },
  },
};

Deno.test("miner axon: today's task answered with tags, repeated window from cache", async () => {
  const { ops: o, calls } = ops();
  const miner = await withMiner(o, async (query) => {
    const r = await query([taskInput]);
    assert.equal(r.dendrite.status_code, 200);
    assert.deepEqual(r.cgp_output, [{ tags: ["hiking", "mountains"], vectors: null }]);
    const again = await query([taskInput]);
    assert.deepEqual(again.cgp_output, r.cgp_output);
  });
  assert.equal(calls(), 1, "second identical window came from the cache");
  assert.equal(miner.stats().cacheHits, 1);
});

Deno.test("miner axon: first-generation window answered in its shape, with vectors", async () => {
  await withMiner(ops().ops, async (query) => {
    const r = await query([{ guid: "123", window_idx: 0, lines: window }]);
    assert.equal(r.dendrite.status_code, 200);
    const out = (r.cgp_output as Array<Record<string, unknown>>)[0];
    assert.deepEqual(out.tags, ["hiking", "mountains"]);
    assert.deepEqual((out.vectors as Record<string, unknown>).hiking, { vectors: [1, 2, 3] });
  });
});

Deno.test("miner axon: garbage input and LLM failure give empty tags, not errors", async () => {
  const failing = ops({ conversationTags: () => Promise.reject(new Error("LLM down")) }).ops;
  await withMiner(failing, async (query) => {
    const bad = await query([{ nonsense: true }]);
    assert.equal(bad.dendrite.status_code, 200);
    assert.deepEqual(bad.cgp_output, [{ tags: [], vectors: null }]);
    const down = await query([taskInput]);
    assert.equal(down.dendrite.status_code, 200);
    assert.deepEqual(down.cgp_output, [{ tags: [], vectors: null }]);
  });
});

Deno.test("miner axon: unregistered caller refused with 403", async () => {
  await withMiner(ops().ops, async (query) => {
    const r = await query([taskInput], strangerKey);
    assert.equal(r.dendrite.status_code, 403);
    assert.match(String(r.dendrite.status_message), /Unrecognized hotkey/);
  });
});

Deno.test("miner axon: beyond the LLM bound, requests are shed with 503 before the timeout", async () => {
  let release!: () => void;
  const gateOpen = new Promise<void>((r) => (release = r));
  const slow = ops({ conversationTags: async () => (await gateOpen, ["slow"]) }).ops;
  await withMiner(slow, async (query) => {
    const first = query([taskInput], validatorKey, 20);
    await new Promise((r) => setTimeout(r, 200));
    const other = {
      task: {
        ...taskInput.task,
        input: { ...taskInput.task.input, data: { window_idx: -1, window: [[0, "other"]] } },
      },
    };
    // timeout 2 s, margin 1.5 s: it may wait 0.5 s for the busy slot, then it is shed.
    const shed = await query([other], validatorKey, 2);
    assert.equal(shed.dendrite.status_code, 503);
    release();
    assert.equal((await first).dendrite.status_code, 200);
  }, { llmConcurrency: 1 });
});
