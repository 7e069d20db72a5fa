import assert from "node:assert/strict";
import { Keypair } from "../../wallet/keypair.ts";
import {
  AxonError,
  type AxonOptions,
  bodyHashOfStrings,
  type CgInput,
  CgSynapse,
  createAxon,
  defineSynapse,
  Dendrite,
  EMPTY_BODY_HASH,
  field,
  PingSynapse,
  py,
  type SynapseHandler,
} from "../../protocol/mod.ts";

const MNEMONIC = "old leopard transfer rib spatial phone calm indicate online fire caution review";
const axonKey = await Keypair.fromSeed(new Uint8Array(32).fill(7));
const clientKey = await Keypair.fromMnemonic(MNEMONIC);
const otherKey = await Keypair.fromSeed(new Uint8Array(32).fill(9));
const PEER = { remoteAddr: { hostname: "127.0.0.1", port: 40000, transport: "tcp" } };
const target = { ip: "127.0.0.1", port: 8091, hotkey: axonKey.ss58Address };

type Forward = SynapseHandler<typeof CgSynapse["fields"]>["forward"];

function makeAxon(
  forward: Forward = () => ({ cgp_output: [{ ok: true }] }),
  extra: Partial<AxonOptions> = {},
) {
  return createAxon({
    keypair: axonKey,
    synapses: { CgSynapse: { schema: CgSynapse, forward } },
    ...extra,
  });
}

async function send(
  axon: ReturnType<typeof makeAxon>,
  init: { url: string; headers: Record<string, string>; body?: string; method?: string },
) {
  const res = await axon.app.fetch(
    new Request(init.url, {
      method: init.method ?? "POST",
      headers: init.headers,
      body: init.body,
    }),
    PEER,
  );
  const text = await res.text();
  return { res, text, json: text ? JSON.parse(text) : undefined };
}

function signed(
  dendrite = new Dendrite({ keypair: clientKey }),
  input: CgInput = { cgp_input: [{ q: 1 }] },
) {
  return dendrite.prepare(target, CgSynapse, input);
}

Deno.test("vector 11: unknown path → 404 with upstream message and blank-synapse headers", async () => {
  const axon = createAxon({ keypair: axonKey, synapses: {} });
  const { res, json } = await send(axon, {
    url: "http://x/no_such_path",
    headers: {},
    method: "GET",
  });
  assert.equal(res.status, 404);
  assert.deepEqual(json, {
    message: "Synapse name 'no_such_path' not found. Available synapses ['Synapse']",
  });
  assert.equal(res.headers.get("name"), "Synapse");
  assert.equal(res.headers.get("bt_header_axon_status_code"), "404");
  assert.equal(res.headers.get("content-type"), "application/json");
  const two = makeAxon();
  const r2 = await send(two, { url: "http://x/docs", headers: {}, method: "GET" });
  assert.equal(
    r2.json.message,
    "Synapse name 'docs' not found. Available synapses ['Synapse', 'CgSynapse']",
  );
});

Deno.test("vector 11: no dendrite headers → 401 upstream message", async () => {
  const axon = makeAxon();
  const { res, text } = await send(axon, { url: "http://x/Synapse", headers: {}, body: "{}" });
  assert.equal(res.status, 401);
  assert.equal(
    text,
    '{"message":"Not Verified with error: No SS58 formatted address or public key provided."}',
  );
  assert.equal(
    res.headers.get("bt_header_axon_status_message"),
    "Not Verified with error: No SS58 formatted address or public key provided.",
  );
  // error answers carry the axon's signed terminal (upstream preprocess)
  assert.match(res.headers.get("bt_header_axon_signature")!, /^0x[0-9a-f]{128}$/);
  assert.equal(res.headers.get("bt_header_axon_uuid"), axon.uuid);
  assert.equal(res.headers.get("bt_header_axon_version"), "10002000");
  assert.equal(res.headers.get("bt_header_dendrite_ip"), "127.0.0.1");
  assert.equal(res.headers.get("bt_header_dendrite_port"), "40000");
});

Deno.test("success: full synapse echoed, outputs set, upstream headers", async () => {
  let seen: unknown;
  const axon = makeAxon((s, ctx) => {
    seen = { input: s.cgp_input, hotkey: ctx.hotkey, nonce: s.dendrite.nonce };
    return { cgp_output: [{ tags: ["a", "b"], n: 1 }], time_elapsed: 3 };
  });
  const req = signed(undefined, {
    cgp_input: [{ q: 1, "2": "int-like key", nested: { x: [1.5] } }],
  });
  const { res, json, text } = await send(axon, req);
  assert.equal(res.status, 200, text);
  assert.deepEqual(seen, {
    input: [{ q: 1, "2": "int-like key", nested: { x: [1.5] } }],
    hotkey: clientKey.ss58Address,
    nonce: req.synapse.dendrite.nonce,
  });
  assert.equal(json.name, "CgSynapse");
  assert.deepEqual(json.cgp_output, [{ tags: ["a", "b"], n: 1 }]);
  assert.equal(json.time_elapsed, 3);
  assert.deepEqual(json.cgp_input, [{ q: 1, "2": "int-like key", nested: { x: [1.5] } }]);
  assert.equal(json.axon.status_code, 200);
  assert.equal(json.axon.status_message, "Success");
  assert.equal(typeof json.axon.process_time, "number");
  assert.equal(json.dendrite.hotkey, clientKey.ss58Address);
  assert.equal(json.dendrite.signature, req.synapse.dendrite.signature);
  assert.equal(json.computed_body_hash, "");
  // the nonce (> 2^53) is echoed exactly, in the body and the header
  assert.ok(text.includes(`"nonce":${req.synapse.dendrite.nonce}`));
  const h = res.headers;
  assert.equal(h.get("bt_header_dendrite_nonce"), String(req.synapse.dendrite.nonce));
  assert.equal(h.get("bt_header_axon_status_code"), "200");
  assert.equal(h.get("bt_header_axon_status_message"), "Success");
  assert.match(h.get("bt_header_axon_process_time")!, /^\d+\.\d+(e-\d\d)?$/);
  assert.equal(h.get("bt_header_axon_port"), "8091");
  assert.equal(h.get("bt_header_input_obj_cgp_input"), "W10=");
  assert.equal(h.get("computed_body_hash"), EMPTY_BODY_HASH);
  assert.equal(h.get("name"), "CgSynapse");
  assert.equal(h.get("timeout"), "12.0");
  assert.equal(h.get("content-type"), "application/json");
  assert.equal(h.get("bt_header_axon_signature"), null); // success answers are not axon-signed
});

Deno.test("ping route /Synapse echoes after verification", async () => {
  const axon = makeAxon();
  const d = new Dendrite({ keypair: clientKey });
  const req = d.prepare(target, PingSynapse, {});
  const { res, json } = await send(axon, req);
  assert.equal(res.status, 200);
  assert.equal(json.name, "Synapse");
  assert.equal(res.headers.get("bt_header_axon_status_message"), "Success");
});

Deno.test("vector 11: forward errors", async (t) => {
  await t.step("an exception → 500 Internal Server Error #<uuid>, details hidden", async () => {
    const axon = makeAxon(() => {
      throw new Error("secret detail");
    });
    const { res, json } = await send(axon, signed());
    assert.equal(res.status, 500);
    assert.match(json.message, /^Internal Server Error #[0-9a-f-]+$/);
  });
  await t.step("AxonError(409) → 409 with its message", async () => {
    const axon = makeAxon(() => {
      throw new AxonError(409, "Conflicting request");
    });
    const { res, text } = await send(axon, signed());
    assert.equal(res.status, 409);
    assert.equal(text, '{"message":"Conflicting request"}');
  });
  await t.step("explicit status code in the synapse → that status, full synapse body", async () => {
    const axon = makeAxon((s) => {
      s.axon.status_code = 404;
      s.axon.status_message = "nothing here";
      return { cgp_output: [] };
    });
    const { res, json } = await send(axon, signed());
    assert.equal(res.status, 404);
    assert.equal(json.axon.status_code, 404);
    assert.equal(json.axon.status_message, "nothing here");
    assert.deepEqual(json.cgp_output, []);
    assert.equal(res.headers.get("bt_header_axon_status_code"), "404");
  });
  await t.step("an answer that fails the schema → 500", async () => {
    const axon = makeAxon(() => ({ cgp_output: "not a list" as unknown as [] }));
    const { res, json } = await send(axon, signed());
    assert.equal(res.status, 500);
    assert.match(json.message, /^Internal Server Error #/);
  });
});

Deno.test("error table: verification", async (t) => {
  const axon = makeAxon();
  await t.step("blacklisted → 403", async () => {
    const bl = makeAxon(undefined, {
      blacklist: ({ hotkey }) => [hotkey === clientKey.ss58Address, "not registered"],
    });
    const { res, json } = await send(bl, signed());
    assert.equal(res.status, 403);
    assert.equal(json.message, "Forbidden. Key is blacklisted: not registered.");
  });
  await t.step("wrong signature → 401 Signature mismatch", async () => {
    const req = signed();
    const bad = signed(new Dendrite({ keypair: otherKey }));
    req.headers.bt_header_dendrite_signature = bad.headers.bt_header_dendrite_signature;
    const { res, json } = await send(axon, req);
    assert.equal(res.status, 401);
    assert.match(
      json.message,
      /^Not Verified with error: Signature mismatch with \d+\.5HDv.*\.a7ffc6f8.* and 0x/,
    );
  });
  await t.step("missing or empty signature → 401 (upstream skips the check)", async () => {
    for (const sig of [undefined, ""]) {
      const req = signed();
      if (sig === undefined) delete req.headers.bt_header_dendrite_signature;
      else req.headers.bt_header_dendrite_signature = sig;
      const { res, json } = await send(axon, req);
      assert.equal(res.status, 401);
      assert.equal(json.message, "Not Verified with error: Missing signature");
    }
  });
  await t.step("non-hex signature → 401 upstream format message", async () => {
    const req = signed();
    req.headers.bt_header_dendrite_signature = "abc";
    const { res, json } = await send(axon, req);
    assert.equal(res.status, 401);
    assert.equal(
      json.message,
      "Not Verified with error: Invalid signature format. Expected hex string.",
    );
  });
  await t.step("missing nonce → 401 upstream message", async () => {
    const req = signed();
    delete req.headers.bt_header_dendrite_nonce;
    const { res, json } = await send(axon, req);
    assert.equal(res.status, 401);
    assert.equal(json.message, "Not Verified with error: Missing Nonce");
  });
  await t.step("invalid hotkey → 401", async () => {
    const req = signed();
    req.headers.bt_header_dendrite_hotkey = "not-an-address";
    const { res, json } = await send(axon, req);
    assert.equal(res.status, 401);
    assert.match(json.message, /^Not Verified with error: invalid SS58 address/);
  });
  await t.step("replayed nonce → 401", async () => {
    const req = signed();
    assert.equal((await send(axon, req)).res.status, 200);
    const { res, json } = await send(axon, req);
    assert.equal(res.status, 401);
    assert.equal(
      json.message,
      "Not Verified with error: Nonce is too old, a newer one was last processed",
    );
  });
  await t.step("stale first nonce → 401", async () => {
    const d = new Dendrite({ keypair: clientKey });
    const req = signed(d);
    const stale = BigInt(req.headers.bt_header_dendrite_nonce) - 60_000_000_000n;
    req.headers.bt_header_dendrite_nonce = String(stale);
    const { res, json } = await send(axon, req);
    assert.equal(res.status, 401);
    assert.match(
      json.message,
      /^Not Verified with error: Nonce is too old: acceptable delta is 16\.00 seconds but request was 6\d\.\d\d seconds old$/,
    );
  });
  await t.step("a failed verification does not store the nonce", async () => {
    const d = new Dendrite({ keypair: clientKey });
    const good = signed(d);
    const forged = structuredClone(good);
    forged.headers.bt_header_dendrite_nonce = String(
      BigInt(good.headers.bt_header_dendrite_nonce) + 10n,
    );
    assert.equal((await send(axon, forged)).res.status, 401);
    assert.equal((await send(axon, good)).res.status, 200);
  });
});

Deno.test("error table: headers and body are client errors (400/413/415/405), never 500", async (t) => {
  const axon = makeAxon(undefined, { maxBodyBytes: 2048 });
  await t.step("unparsable int header → 400 naming it", async () => {
    const req = signed();
    req.headers.bt_header_dendrite_nonce = "12.0";
    const { res, json } = await send(axon, req);
    assert.equal(res.status, 400);
    assert.match(json.message, /^Invalid headers: header bt_header_dendrite_nonce: not an integer/);
  });
  await t.step("unparsable timeout → 400", async () => {
    const req = signed();
    req.headers.timeout = "soon";
    assert.equal((await send(axon, req)).res.status, 400);
  });
  await t.step(
    "tampered body → 400 body hash mismatch (hash fields) / hotkey mismatch",
    async () => {
      const req = signed();
      req.body = req.body.replace(clientKey.ss58Address, otherKey.ss58Address);
      const { res, json } = await send(axon, req);
      assert.equal(res.status, 400);
      assert.match(
        json.message,
        /^Body dendrite\.hotkey 5.* does not match the signed header hotkey 5HDv/,
      );
    },
  );
  await t.step(
    "body hash header changed after signing → 401; body not matching header → 400",
    async () => {
      const req = signed();
      req.headers.computed_body_hash = "00".repeat(32);
      const { res, json } = await send(axon, req);
      assert.equal(res.status, 401); // the header hash is part of the signed message
      assert.match(json.message, /Signature mismatch/);
    },
  );
  await t.step("invalid JSON → 400", async () => {
    const req = signed();
    req.body = "{not json";
    const { res, json } = await send(axon, req);
    assert.equal(res.status, 400);
    assert.match(json.message, /^Invalid body: body is not JSON: /);
  });
  await t.step("schema-invalid body → 400 naming the field", async () => {
    const req = signed();
    req.body = req.body.replace(/"cgp_input":\[.*?\]\]?/, '"cgp_input":"x"');
    const { res, json } = await send(axon, req);
    assert.equal(res.status, 400);
    assert.match(json.message, /^Invalid body: invalid CgSynapse body: cgp_input: /);
  });
  await t.step("empty body → 400", async () => {
    const req = signed();
    req.body = "";
    const { res, json } = await send(axon, req);
    assert.equal(res.status, 400);
    assert.match(json.message, /^Empty body/);
  });
  await t.step("body over the cap → 413 with a message", async () => {
    const req = signed(undefined, { cgp_input: [{ big: "x".repeat(4000) }] });
    req.headers["content-length"] = String(req.body.length);
    const { res, json } = await send(axon, req);
    assert.equal(res.status, 413);
    assert.equal(
      json.message,
      `Request body too large: ${req.body.length} bytes exceeds the limit of 2048 bytes`,
    );
    // also when no content-length is declared (streamed)
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(req.body));
        c.close();
      },
    });
    const r2 = signed(undefined, { cgp_input: [{ big: "x".repeat(4000) }] });
    const res2 = await axon.app.fetch(
      new Request(r2.url, { method: "POST", headers: r2.headers, body: stream }),
      PEER,
    );
    assert.equal(res2.status, 413);
    assert.match((await res2.json()).message, /^Request body too large: more than 2048 bytes/);
  });
  await t.step("non-JSON content type → 415", async () => {
    const req = signed();
    req.headers["content-type"] = "text/plain";
    assert.equal((await send(axon, req)).res.status, 415);
  });
  await t.step("PUT → 405", async () => {
    const req = signed();
    const { res, json } = await send(axon, { ...req, method: "PUT" });
    assert.equal(res.status, 405);
    assert.equal(json.message, "Method Not Allowed");
  });
});

Deno.test("body hash: a body that does not hash to the signed header → 400", async () => {
  const Hashed = defineSynapse("Hashed", {
    prompt: field.required(py.str),
    temperature: field.optional(py.float, 1.0),
  }, { requiredHashFields: ["prompt", "temperature"] });
  const axon = createAxon({
    keypair: axonKey,
    synapses: { Hashed: { schema: Hashed, forward: (s) => ({ prompt: s.prompt + "!" }) } },
  });
  const d = new Dendrite({ keypair: clientKey });
  const good = d.prepare(target, Hashed, { prompt: "hi", temperature: 1 });
  assert.notEqual(good.headers.computed_body_hash, EMPTY_BODY_HASH);
  const ok = await send(axon, good);
  assert.equal(ok.res.status, 200, ok.text);
  // the answer's computed_body_hash header is recomputed over the answer
  assert.equal(ok.json.prompt, "hi!");
  assert.equal(ok.res.headers.get("computed_body_hash"), bodyHashOfStrings(["hi!", "1.0"]));
  const tampered = d.prepare(target, Hashed, { prompt: "hi" });
  tampered.body = tampered.body.replace('"prompt":"hi"', '"prompt":"bye"');
  const { res, json } = await send(axon, tampered);
  assert.equal(res.status, 400);
  assert.equal(
    json.message,
    `Body hash mismatch: the body hashes to ${bodyHashOfStrings(["bye", "1.0"])}, ` +
      `the signed header says ${tampered.headers.computed_body_hash}`,
  );
  // an int sent for a float field hashes as the float (the Python axon's view)
  const asInt = d.prepare(target, Hashed, { prompt: "x", temperature: 2 });
  assert.ok(asInt.body.includes('"temperature":2.0'));
  const sent = asInt.body.replace('"temperature":2.0', '"temperature":2');
  assert.equal((await send(axon, { ...asInt, body: sent })).res.status, 200);
});

Deno.test("per-hotkey limit: one hotkey cannot starve another; priority orders waiters; 408/429", async () => {
  const gates: (() => void)[] = [];
  const order: string[] = [];
  const axon = makeAxon(async (s) => {
    order.push(String(s.cgp_input[0].who));
    await new Promise<void>((r) => gates.push(r));
    return { cgp_output: [] };
  }, {
    maxConcurrency: 2,
    perHotkeyConcurrency: 1,
    maxQueuePerHotkey: 2,
    priority: (hk) => (hk === otherKey.ss58Address ? 10 : 1),
  });
  const a = new Dendrite({ keypair: clientKey });
  const b = new Dendrite({ keypair: otherKey });
  // hotkey A sends 3 at once: 1 runs, 2 wait (per-hotkey limit 1), a 4th is refused (429)
  const a1 = send(axon, a.prepare(target, CgSynapse, { cgp_input: [{ who: "a1" }] }));
  const a2 = send(axon, a.prepare(target, CgSynapse, { cgp_input: [{ who: "a2" }] }));
  const a3 = send(axon, a.prepare(target, CgSynapse, { cgp_input: [{ who: "a3" }] }));
  await new Promise((r) => setTimeout(r, 50));
  const a4 = await send(axon, a.prepare(target, CgSynapse, { cgp_input: [{ who: "a4" }] }));
  assert.equal(a4.res.status, 429);
  assert.match(a4.json.message, /^Too many requests from hotkey 5HDv/);
  // hotkey B still gets the second slot although A has requests waiting
  const b1 = send(axon, b.prepare(target, CgSynapse, { cgp_input: [{ who: "b1" }] }));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(order, ["a1", "b1"]);
  // B queues behind; when a slot frees, B (higher priority) goes before A's waiters
  const b2 = send(axon, b.prepare(target, CgSynapse, { cgp_input: [{ who: "b2" }] }));
  await new Promise((r) => setTimeout(r, 20));
  gates.shift()!(); // a1 done → B is at its limit (b1 running), so a2 runs
  await new Promise((r) => setTimeout(r, 50));
  gates.shift()!(); // b1 done → b2 (priority 10) before a3
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(order, ["a1", "b1", "a2", "b2"]);
  while (order.length < 5 || gates.length) {
    gates.shift()?.();
    await new Promise((r) => setTimeout(r, 10));
  }
  for (const r of await Promise.all([a1, a2, a3, b1, b2])) assert.equal(r.res.status, 200);
  // a request that cannot get a slot within its timeout → 408 upstream message
  const slow = makeAxon(async () => {
    await new Promise((r) => setTimeout(r, 300));
    return {};
  }, { perHotkeyConcurrency: 1 });
  const first = send(slow, a.prepare(target, CgSynapse, { cgp_input: [] }));
  const late = await send(slow, a.prepare(target, CgSynapse, { cgp_input: [] }, 0.05));
  assert.equal(late.res.status, 408);
  assert.equal(late.json.message, "Response timeout after: 0.05s");
  assert.equal((await first).res.status, 200);
});
