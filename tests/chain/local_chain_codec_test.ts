import assert from "node:assert/strict";
import { u8aToHex } from "@polkadot/util";
import { ChainCodec } from "../../chain/local/mod.ts";
import { fastEncode } from "../../chain/local/codec.ts";
import { METADATA_PATH } from "./local_chain_helpers.ts";

const codec = new ChainCodec(await Deno.readFile(METADATA_PATH));

Deno.test("fast SCALE encoders give the registry's bytes", () => {
  const cases: Array<[string, unknown]> = [
    ["u16", 0],
    ["u16", 65535],
    ["u64", 0n],
    ["u64", 18446744073709551615n],
    ["u64", 123456789],
    ["bool", true],
    ["AccountId32", "0x" + "ab".repeat(32)],
    ["Vec<u16>", Array.from({ length: 70 }, (_, i) => i * 900)],
    ["Vec<u64>", [0, 5n, 2n ** 63n]],
    ["Vec<bool>", [true, false, true]],
    ["Vec<u16>", []],
  ];
  for (const [type, value] of cases) {
    const fast = fastEncode(type, value);
    assert.equal(
      fast,
      u8aToHex(codec.registry.createType(type, value).toU8a()),
      `${type} ${value}`,
    );
  }
  assert.equal(fastEncode("u16", -1), undefined);
  assert.equal(fastEncode("Vec<u16>", [1, "x"]), undefined);
});

Deno.test("storage keys use the metadata hashers (reference key for Uids(1, Alice))", () => {
  const alice = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
  const key = codec.storageKey("SubtensorModule.Uids", 1, alice);
  assert.equal(
    key,
    "0x658faa385070e074c85bf6b568cf0555aab1b4e78e1ea8305462ee53b3686dc80100de1e86a9a8c739864cf3cc5ec2bea59f" +
      alice.slice(2),
  );
  assert.throws(() => codec.storageKey("SubtensorModule.Uids", 1), /takes 2 keys/);
  assert.throws(() => codec.storageKey("SubtensorModule.NoSuchItem"), /no storage item/);
});

Deno.test("runtime version and error indices come from the metadata", () => {
  assert.equal(codec.version.specName, "node-subtensor");
  assert.ok(codec.version.apis.length >= 20);
  assert.equal(codec.palletIndex("SubtensorModule"), 7);
  const idx = codec.errorIndex("SubtensorModule", "SettingWeightsTooFast");
  const meta = codec.registry.findMetaError(new Uint8Array([7, idx]));
  assert.equal(meta.name, "SettingWeightsTooFast");
  assert.deepEqual(codec.callIndex("SubtensorModule", "set_weights"), [7, 0]);
  assert.deepEqual(codec.callIndex("SubtensorModule", "commit_timelocked_weights"), [7, 113]);
  assert.throws(() => new ChainCodec(new Uint8Array([1, 2, 3, 4, 5])), /magic/);
});

Deno.test("V16 converts down to V15 and V14 that @polkadot/types decodes to the same pallets", async () => {
  const { Metadata, TypeRegistry } = await import("@polkadot/types");
  assert.deepEqual(codec.metadataVersions(), [14, 15, 16]);
  assert.equal(codec.metadataAtVersion(16), codec.metadataBytes);
  assert.equal(codec.metadataAtVersion(13), undefined);
  for (const version of [14, 15]) {
    const bytes = codec.metadataAtVersion(version)!;
    const registry = new TypeRegistry();
    const m = new Metadata(registry, bytes);
    assert.equal(m.version, version);
    // Re-encoding gives the same bytes: nothing was left undecoded.
    assert.equal(m.toU8a().length, bytes.length);
    const names = m.asLatest.pallets.map((p) => p.name.toString());
    assert.deepEqual(names, codec.metadata.asLatest.pallets.map((p) => p.name.toString()));
    registry.setMetadata(m);
    assert.equal(registry.findMetaCall(new Uint8Array([7, 0])).method, "setWeights");
  }
  // V15 keeps the runtime APIs the clients call.
  const v15 = new Metadata(new TypeRegistry(), codec.metadataAtVersion(15)!);
  // deno-lint-ignore no-explicit-any
  const apis = (v15.asV15 as any).apis.map((a: any) => a.name.toString());
  assert.ok(apis.includes("NeuronInfoRuntimeApi") && apis.includes("SubnetInfoRuntimeApi"));
  // A node answers state_getMetadata with V14.
  assert.equal(codec.defaultMetadata()[4], 14);
});
