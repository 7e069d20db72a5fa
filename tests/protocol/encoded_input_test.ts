import assert from "node:assert/strict";
import { Keypair } from "../../wallet/keypair.ts";
import {
  CgSynapse,
  createSynapse,
  defineSynapse,
  Dendrite,
  encodedInputFromJson,
  encodeInput,
  field,
  parsePyJson,
  py,
  synapseToJson,
  verifyHexSignature,
} from "../../protocol/mod.ts";
import { parseJsonToJs } from "../../protocol/py_json.ts";
import { toJs } from "../../protocol/py_value.ts";
import { signatureMessage } from "../../protocol/signature.ts";

const me = await Keypair.fromSeed(new Uint8Array(32).fill(5));
const axon = { ip: "10.0.0.9", port: 8091, hotkey: me.ss58Address };

const Hashed = defineSynapse("Hashed", {
  prompt: field.required(py.str),
  temperature: field.optional(py.float, 0.5),
  items: field.optional(py.list(py.dict()), []),
}, { requiredHashFields: ["prompt", "temperature", "items"] });

/** The body of a request rebuilt from its synapse the slow way (one whole synapseToJson). */
// deno-lint-ignore no-explicit-any
function expectedBody(req: { synapse: unknown }, def: any): string {
  return synapseToJson(def, req.synapse as never);
}

Deno.test("encoded input: the same body, headers and a valid signature for every target", () => {
  const d = new Dendrite({ keypair: me });
  const input = {
    cgp_input: [{ task: { window: [[0, "hi"], [1, "ho"]], n: 12345678901234567890n, f: 1.5 } }],
  };
  const enc = encodeInput(CgSynapse, input);
  for (const port of [1, 2, 3]) {
    const target = { ...axon, port };
    const req = d.prepare(target, CgSynapse, enc);
    assert.equal(req.body, expectedBody(req, CgSynapse));
    assert.equal(req.headers.bt_header_axon_port, String(port));
    const message = signatureMessage({
      nonce: BigInt(req.headers.bt_header_dendrite_nonce),
      dendriteHotkey: me.ss58Address,
      axonHotkey: target.hotkey,
      uuid: d.uuid,
      bodyHash: req.headers.computed_body_hash,
    });
    assert.ok(
      verifyHexSignature(message, req.headers.bt_header_dendrite_signature, me.ss58Address),
    );
    // A raw input gives the same request apart from the nonce and signature.
    const raw = d.prepare(target, CgSynapse, input);
    const strip = (s: string) =>
      s.replace(/"nonce":\d+/, "").replace(/"signature":"0x[0-9a-f]+"/, "");
    assert.equal(strip(raw.body), strip(req.body));
  }
});

Deno.test("encoded input: the body hash covers the hash fields as a whole-body hash does", () => {
  const d = new Dendrite({ keypair: me });
  const input = { prompt: "p", temperature: 1, items: [{ k: [1, 2.5, "x"] }] };
  const req = d.prepare(axon, Hashed, encodeInput(Hashed, input));
  assert.equal(req.body, expectedBody(req, Hashed));
  const whole = d.prepare(axon, Hashed, input);
  assert.equal(req.headers.computed_body_hash, whole.headers.computed_body_hash);
  assert.equal(req.headers.computed_body_hash.length, 64);
  // total_size: the body's length before it carried its size and signature, as before.
  const s = createSynapse(Hashed, input);
  Object.assign(s, { timeout: 12, dendrite: { ...req.synapse.dendrite, signature: null } });
  Object.assign(s, { axon: req.synapse.axon });
  assert.equal(req.headers.total_size, String(synapseToJson(Hashed, s).length));
});

Deno.test("encoded input: text written in another isolate sends the same bytes", () => {
  const d = new Dendrite({ keypair: me });
  for (
    const [def, input] of [
      [CgSynapse, { cgp_input: [{ task: { a: [1, { b: null }], s: 'é\n"' } }], time_elapsed: 3 }],
      [Hashed, { prompt: "q", items: [] }],
    ] as const
  ) {
    const enc = encodeInput(def as typeof Hashed, input as never);
    const back = encodedInputFromJson(def as typeof Hashed, enc.fieldsJson);
    assert.equal(back.fieldsJson, enc.fieldsJson);
    assert.equal(back.bodyHash, enc.bodyHash);
    const a = d.prepare(axon, def as typeof Hashed, back);
    assert.equal(a.body, expectedBody(a, def as typeof Hashed));
  }
  assert.throws(() => encodeInput(CgSynapse, { cgp_input: "no" as never }));
  assert.throws(() => d.prepare(axon, Hashed, encodeInput(CgSynapse, { cgp_input: [] }) as never));
});

Deno.test("parseJsonToJs: the value or error of toJs(parsePyJson(text))", () => {
  const texts = [
    '{"a":1,"a":2,"b":[1.0,-0,-0.0,1e400,9007199254740993,12345678901234567890,-7]}',
    '{"2":1,"1":2,"__proto__":{"x":1}}',
    '"\\u00e9\\n\\ud83d\\ude00 plain"',
    "[NaN, Infinity, -Infinity]",
    ' {"nonce": 1795587955080000000, "f": 1.5e-7} ',
    "[1,]",
    '"\\x"',
    '"open',
    '{"a" 1}',
    "01",
    "[".repeat(513) + "]".repeat(513),
    "[".repeat(512) + "]".repeat(512),
    // Texts JSON.parse reads (parseJsonToJs' fast path) next to ones it must leave to Python's
    // reading: dates, "-0" in strings, floats, 15- and 16-digit ints, raw control characters.
    '{"d":"2024-01-05","s":"x-0","f":[1.0,2.50,1E5,-0.0,1e400,-1e400],"u":"\\u0000"}',
    '[123456789012345, 1234567890123456, -123456789012345, "1234567890123456"]',
    '["tab\there"]',
    '{"cgp_output":[{"tags":["a","b"]}],"axon":{"status_code":200,"process_time":0.01}}',
  ];
  for (const t of texts) {
    let want: unknown, wantErr: string | undefined;
    try {
      want = toJs(parsePyJson(t));
    } catch (e) {
      wantErr = (e as Error).message;
    }
    if (wantErr !== undefined) {
      assert.throws(() => parseJsonToJs(t), { message: wantErr }, t);
      continue;
    }
    const got = parseJsonToJs(t);
    assert.deepEqual(got, want, t);
    if (got && typeof got === "object" && !Array.isArray(got)) {
      assert.deepEqual(Object.keys(got), Object.keys(want as object), t);
      assert.equal(Object.getPrototypeOf(got), Object.prototype);
    }
  }
  const v = parseJsonToJs('{"n":12345678901234567890,"z":-0}') as Record<string, unknown>;
  assert.equal(v.n, 12345678901234567890n);
  assert.ok(Object.is(v.z, 0));
});
