import assert from "node:assert/strict";
import { CgSynapse } from "../../protocol/cg_synapse.ts";
import { EMPTY_BODY_HASH } from "../../protocol/body_hash.ts";
import {
  HeaderError,
  inputObjHeaderValue,
  parseSynapseHeaders,
  synapseHeaders,
} from "../../protocol/headers.ts";
import { py } from "../../protocol/py_types.ts";
import { createSynapse } from "../../protocol/synapse.ts";

Deno.test("vector 4: input_obj encodings of empty values by type", () => {
  assert.equal(inputObjHeaderValue(py.int, 5), "MA==");
  assert.equal(inputObjHeaderValue(py.str, "x"), "IiI=");
  assert.equal(inputObjHeaderValue(py.list(py.int), [1]), "W10=");
  assert.equal(inputObjHeaderValue(py.dict(), { a: 1 }), "e30=");
  assert.equal(inputObjHeaderValue(py.float, 2.5), "MC4w");
  assert.equal(inputObjHeaderValue(py.bool, true), "ZmFsc2U=");
  assert.equal(inputObjHeaderValue(py.any, [1, 2]), "W10=");
  assert.equal(inputObjHeaderValue(py.optional(py.dict()), {}), "e30=");
});

Deno.test("headers: upstream order, ints as int strings, input_obj for required fields", () => {
  const s = createSynapse(CgSynapse, { cgp_input: [{ a: 1 }] });
  s.axon = { ...s.axon, ip: "198.51.100.20", port: 8091, hotkey: "5Grw" };
  s.dendrite = {
    ...s.dendrite,
    ip: "203.0.113.7",
    version: 10002000,
    nonce: 1767225600000000000n,
    uuid: "5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a",
    hotkey: "5HDv",
    signature: "0xab",
  };
  const h = synapseHeaders(CgSynapse, s, { bodyHash: EMPTY_BODY_HASH, totalSize: 321 });
  assert.deepEqual(Object.keys(h), [
    "name",
    "timeout",
    "bt_header_axon_ip",
    "bt_header_axon_port",
    "bt_header_axon_hotkey",
    "bt_header_dendrite_ip",
    "bt_header_dendrite_version",
    "bt_header_dendrite_nonce",
    "bt_header_dendrite_uuid",
    "bt_header_dendrite_hotkey",
    "bt_header_dendrite_signature",
    "bt_header_input_obj_cgp_input",
    "header_size",
    "total_size",
    "computed_body_hash",
  ]);
  assert.equal(h.timeout, "12.0");
  assert.equal(h.bt_header_dendrite_nonce, "1767225600000000000");
  assert.equal(h.bt_header_axon_port, "8091");
  assert.equal(h.bt_header_input_obj_cgp_input, "W10=");
  assert.equal(h.total_size, "321");
  assert.match(h.header_size, /^\d+$/);

  const back = parseSynapseHeaders(new Headers(h));
  assert.equal(back.name, "CgSynapse");
  assert.equal(back.timeout, 12);
  assert.equal(back.dendrite.nonce, 1767225600000000000n);
  assert.equal(back.dendrite.version, 10002000);
  assert.equal(back.axon.port, 8091);
  assert.equal(back.axon.status_code, null);
  assert.deepEqual(back.inputObj, { cgp_input: [] });
  assert.equal(back.computed_body_hash, EMPTY_BODY_HASH);
});

Deno.test("headers: values that do not fit their type are named in the error", () => {
  const bad = (name: string, value: string) =>
    assert.throws(() => parseSynapseHeaders(new Headers({ [name]: value })), (e) => {
      assert.ok(e instanceof HeaderError);
      assert.match(e.message, new RegExp(name));
      return true;
    });
  bad("bt_header_dendrite_nonce", "12.0");
  bad("bt_header_dendrite_nonce", "1.5e18");
  bad("bt_header_dendrite_version", "abc");
  bad("bt_header_axon_port", "80x");
  bad("timeout", "soon");
  bad("total_size", "1.0");
  // float() accepts ints and exponents; undecodable input_obj values are skipped
  const ok = parseSynapseHeaders(
    new Headers({
      timeout: "5",
      bt_header_input_obj_x: "%%%",
      bt_header_axon_process_time: "1e-05",
    }),
  );
  assert.equal(ok.timeout, 5);
  assert.equal(ok.axon.process_time, 1e-5);
  assert.deepEqual(ok.inputObj, {});
});

Deno.test("headers: looked up by name (no input_obj) they parse the same, first bad one first", () => {
  const h = new Headers({
    name: "CgSynapse",
    timeout: "12.0",
    total_size: "10",
    bt_header_axon_status_code: "200",
    bt_header_axon_process_time: "0.5",
    BT_HEADER_DENDRITE_NONCE: "1795587955080000000",
    bt_header_dendrite_uuid: "u",
    bt_header_input_obj_cgp_input: "W10=",
    bt_header_axon_bogus: "x",
  });
  h.append("bt_header_dendrite_hotkey", "second");
  const full = parseSynapseHeaders(h);
  assert.deepEqual(full.inputObj, { cgp_input: [] });
  const named = parseSynapseHeaders(h, { inputObj: false });
  assert.deepEqual(named, { ...full, inputObj: {} });
  assert.equal(named.dendrite.nonce, 1795587955080000000n);
  // Two bad values: both ways name the one that comes first by header name.
  const bad = new Headers({ bt_header_dendrite_port: "x", bt_header_axon_version: "y" });
  for (const opts of [{}, { inputObj: false }]) {
    assert.throws(() => parseSynapseHeaders(bad, opts), /bt_header_axon_version/);
  }
});
