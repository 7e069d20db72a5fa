import assert from "node:assert/strict";
import { bodyHashOfStrings, EMPTY_BODY_HASH, sha3Hex } from "../../protocol/body_hash.ts";
import { CgSynapse } from "../../protocol/cg_synapse.ts";
import { py } from "../../protocol/py_types.ts";
import {
  bodyHashOf,
  createSynapse,
  defineSynapse,
  field,
  hashFieldStrings,
  parseSynapseJson,
  synapseToJson,
} from "../../protocol/synapse.ts";
import { parsePyJson } from "../../protocol/py_json.ts";
import type { PyDict } from "../../protocol/py_value.ts";

const hashedFields = {
  a: field.required(py.int),
  b: field.required(py.int),
  c: field.optional(py.optional(py.int), null),
  d: field.optional(py.optional(py.list(py.str)), null),
};
const V2_HASH = "ae06397d08f30f75c91395c59f05c62ac3b62b88250eb78b109213258e6ced0c";

Deno.test("vector 1: SHA3-256 of the empty string; CgSynapse always hashes to it", () => {
  assert.equal(sha3Hex(""), EMPTY_BODY_HASH);
  assert.equal(bodyHashOfStrings([]), EMPTY_BODY_HASH);
  const s = createSynapse(CgSynapse, { cgp_input: [{ a: 1 }], cgp_output: [{ x: "y" }] });
  assert.equal(bodyHashOf(CgSynapse, s), EMPTY_BODY_HASH);
});

Deno.test("vector 2: modern and legacy hash-field forms", async (t) => {
  const modern = defineSynapse("HashedSynapse", hashedFields, {
    requiredHashFields: ["a", "b", "d"],
  });
  const legacy = defineSynapse("HashedSynapse", hashedFields, {
    legacyHashFields: ["b", "a", "d"],
  });
  await t.step("modern tuple order", () => {
    const s = createSynapse(modern, { a: 1, b: 2, d: ["foobar"] });
    assert.deepEqual(
      hashFieldStrings(modern, parsePyJson(synapseToJson(modern, s)) as PyDict),
      ["1", "2", "['foobar']"],
    );
    assert.equal(bodyHashOf(modern, s), V2_HASH);
  });
  await t.step("legacy list falls back to declaration order and is serialized", () => {
    assert.deepEqual(legacy.hashFields, ["a", "b", "d"]);
    const s = createSynapse(legacy, { a: 1, b: 2, d: ["foobar"] });
    assert.equal(bodyHashOf(legacy, s), V2_HASH);
    assert.match(synapseToJson(legacy, s), /"required_hash_fields":\["b","a","d"\]/);
  });
  await t.step("an unhashed field does not change the hash; a missing hashed one does", () => {
    const s = createSynapse(modern, { a: 1, b: 2, c: 99, d: ["foobar"] });
    assert.equal(bodyHashOf(modern, s), V2_HASH);
    const noD = createSynapse(modern, { a: 1, b: 2 });
    assert.notEqual(bodyHashOf(modern, noD), V2_HASH);
    assert.equal(bodyHashOf(modern, noD), bodyHashOfStrings(["1", "2", "None"]));
  });
});

Deno.test("vector 3: str() follows the Python field types", () => {
  const def = defineSynapse("Gen", {
    prompt: field.required(py.str),
    temperature: field.required(py.float),
    seeds: field.required(py.list(py.int)),
    meta: field.required(py.dict()),
  }, { requiredHashFields: ["prompt", "temperature", "seeds", "meta"] });
  // The body as a Python dendrite would send it: temperature as the JSON int 1.
  const body = `{"name": "Gen", "timeout": 12.0, "prompt": "h\\u00e9llo 'world'", ` +
    `"temperature": 1, "seeds": [1, 2, 3], "meta": {"k": "v", "n": 1.5e-05, "b": true, "z": null}}`;
  const { raw } = parseSynapseJson(def, body);
  assert.deepEqual(hashFieldStrings(def, raw), [
    "héllo 'world'",
    "1.0",
    "[1, 2, 3]",
    "{'k': 'v', 'n': 1.5e-05, 'b': True, 'z': None}",
  ]);
  const want = "be31853eb96a321d1833feb91f76775eb8941458093eb03365061cdb166a931d";
  assert.equal(bodyHashOfStrings(hashFieldStrings(def, raw)), want);
  // The same synapse built in TS hashes the same over the JSON we send.
  const s = createSynapse(def, {
    prompt: "héllo 'world'",
    temperature: 1,
    seeds: [1, 2, 3],
    meta: { k: "v", n: 1.5e-5, b: true, z: null },
  });
  assert.equal(bodyHashOf(def, s), want);
});

Deno.test("CgSynapse: fields, defaults and JSON in upstream order", () => {
  assert.deepEqual(CgSynapse.requiredFields, ["cgp_input"]);
  assert.deepEqual(CgSynapse.hashFields, []);
  const s = createSynapse(CgSynapse, { cgp_input: [{ convo: [1, 2] }] });
  assert.equal(s.cgp_output, null);
  assert.equal(s.time_elapsed, 0);
  assert.equal(s.timeout, 12);
  const json = synapseToJson(CgSynapse, s);
  assert.ok(json.startsWith('{"name":"CgSynapse","timeout":12.0,"total_size":0,"header_size":0,'));
  assert.ok(json.endsWith(
    '"computed_body_hash":"","cgp_input":[{"convo":[1,2]}],' +
      '"cgp_output":null,"time_elapsed":0}',
  ));
  assert.throws(() => parseSynapseJson(CgSynapse, '{"name":"CgSynapse"}'), /cgp_input/);
  assert.throws(() => parseSynapseJson(CgSynapse, '{"cgp_input": [1]}'), /cgp_input\.0/);
  const big = parseSynapseJson(
    CgSynapse,
    '{"cgp_input": [], "dendrite": {"nonce": 1767225600000000001}}',
  );
  assert.equal(big.synapse.dendrite.nonce, 1767225600000000001n);
  assert.equal(big.synapse.name, "CgSynapse");
});
