/**
 * @module
 * Everything the local chain encodes goes through the runtime's own metadata: a `TypeRegistry`
 * built from the served blob, storage keys computed with each item's declared hashers, values,
 * events, errors and runtime-API results encoded with the metadata's lookup types. Nothing here
 * knows about subtensor logic; it only speaks SCALE the way the runtime does.
 */
import { Metadata, TypeRegistry } from "@polkadot/types";
import type { Registry } from "@polkadot/types/types";
import { compactToU8a, hexToU8a, u8aConcat, u8aToHex } from "@polkadot/util";
import { blake2AsU8a, xxhashAsU8a } from "@polkadot/util-crypto";
import { metadataV16toV14, metadataV16toV15 } from "./metadata_v15.ts";

/** Raised when the metadata lacks something the local chain needs, or a value cannot be encoded. */
export class CodecError extends Error {
  override name = "CodecError";
}

interface StorageItemInfo {
  prefix: Uint8Array;
  hashers: string[];
  keyTypes: number[];
  valueType: number;
  optional: boolean;
}

/** A runtime-API method as the metadata declares it. */
export interface RuntimeApiMethod {
  api: string;
  method: string;
  inputs: number[];
  output: number;
}

/** Runtime version JSON in the shape `state_getRuntimeVersion` returns. */
export interface RuntimeVersionJson {
  specName: string;
  implName: string;
  authoringVersion: number;
  specVersion: number;
  implVersion: number;
  apis: Array<[string, number]>;
  transactionVersion: number;
  stateVersion: number;
}

/** The metadata blob plus everything derived from it that the local chain needs. */
export class ChainCodec {
  readonly registry: TypeRegistry;
  readonly metadata: Metadata;
  /** The raw metadata blob (`0x6d657461` magic + version + body), as `state_getMetadata` serves it. */
  readonly metadataBytes: Uint8Array;
  readonly version: RuntimeVersionJson;
  readonly #items = new Map<string, StorageItemInfo>();
  readonly #typeNames = new Map<number, string>();
  readonly #apis = new Map<string, RuntimeApiMethod>();

  constructor(metadataBytes: Uint8Array) {
    if (metadataBytes.length < 5 || u8aToHex(metadataBytes.subarray(0, 4)) !== "0x6d657461") {
      throw new CodecError("metadata blob does not start with the 'meta' magic 0x6d657461");
    }
    this.metadataBytes = metadataBytes;
    this.registry = new TypeRegistry();
    this.metadata = new Metadata(this.registry, metadataBytes);
    // The PhantomData extensions encode to zero bytes; declaring them silences the warning.
    const none = { extrinsic: {}, payload: {} };
    this.registry.setMetadata(this.metadata, undefined, {
      SudoTransactionExtension: none,
      CheckShieldedTxValidity: none,
      SubtensorTransactionExtension: none,
      DrandPriority: none,
    });
    if (this.metadata.version < 15) {
      throw new CodecError(
        `metadata V${this.metadata.version} has no runtime-API types; need V15 or V16`,
      );
    }
    const latest = this.metadata.asLatest;
    for (const pallet of latest.pallets) {
      if (pallet.storage.isNone) continue;
      const storage = pallet.storage.unwrap();
      const palletHash = xxhashAsU8a(storage.prefix.toString(), 128);
      for (const item of storage.items) {
        const name = `${pallet.name.toString()}.${item.name.toString()}`;
        const prefix = u8aConcat(palletHash, xxhashAsU8a(item.name.toString(), 128));
        if (item.type.isPlain) {
          this.#items.set(name, {
            prefix,
            hashers: [],
            keyTypes: [],
            valueType: item.type.asPlain.toNumber(),
            optional: item.modifier.isOptional,
          });
        } else {
          const map = item.type.asMap;
          const hashers = map.hashers.map((h) => h.toString());
          const keyId = map.key.toNumber();
          const keyDef = this.registry.lookup.getSiType(keyId).def;
          const keyTypes = hashers.length > 1 && keyDef.isTuple
            ? keyDef.asTuple.map((t) => t.toNumber())
            : [keyId];
          this.#items.set(name, {
            prefix,
            hashers,
            keyTypes,
            valueType: map.value.toNumber(),
            optional: item.modifier.isOptional,
          });
        }
      }
    }
    // deno-lint-ignore no-explicit-any
    const apis = (latest as any).apis as Array<any>;
    for (const api of apis) {
      for (const m of api.methods) {
        const name = `${api.name.toString()}_${m.name.toString()}`;
        this.#apis.set(name, {
          api: api.name.toString(),
          method: m.name.toString(),
          // deno-lint-ignore no-explicit-any
          inputs: m.inputs.map((i: any) => i.type.toNumber()),
          output: m.output.toNumber(),
        });
      }
    }
    this.version = this.#runtimeVersion(apis);
  }

  #runtimeVersion(
    // deno-lint-ignore no-explicit-any
    apis: Array<any>,
  ): RuntimeVersionJson {
    const system = this.metadata.asLatest.pallets.find((p) => p.name.eq("System"));
    const constant = system?.constants.find((c) => c.name.eq("Version"));
    // deno-lint-ignore no-explicit-any
    let base: any = {
      specName: "node-subtensor",
      implName: "node-subtensor",
      authoringVersion: 1,
      specVersion: 1,
      implVersion: 1,
      apis: [],
      transactionVersion: 1,
      systemVersion: 1,
    };
    if (constant) {
      base = this.registry.createType(
        this.typeName(constant.type.toNumber()),
        constant.value.toU8a(true),
      )
        .toJSON();
    }
    const declared = new Map<string, number>(base.apis.map((a: [string, number]) => [a[0], a[1]]));
    // Every API the metadata describes is advertised, with the version the metadata gives.
    for (const api of apis) {
      const hash = u8aToHex(blake2AsU8a(api.name.toString(), 64));
      declared.set(hash, api.version ? Number(api.version.toString()) : declared.get(hash) ?? 1);
    }
    return {
      specName: base.specName,
      implName: base.implName,
      authoringVersion: base.authoringVersion,
      specVersion: base.specVersion,
      implVersion: base.implVersion,
      apis: [...declared.entries()],
      transactionVersion: base.transactionVersion,
      stateVersion: base.systemVersion ?? base.stateVersion ?? 1,
    };
  }

  readonly #converted = new Map<number, Uint8Array | null>();

  #downConverted(version: 14 | 15): Uint8Array | null {
    if (!this.#converted.has(version)) {
      let bytes: Uint8Array | null = null;
      try {
        if (this.metadata.version === 16) {
          bytes = version === 15
            ? metadataV16toV15(this.metadata)
            : metadataV16toV14(this.metadata);
        }
      } catch {
        bytes = null;
      }
      this.#converted.set(version, bytes);
    }
    return this.#converted.get(version)!;
  }

  /** Metadata versions this chain can serve (`Metadata_metadata_versions`). */
  metadataVersions(): number[] {
    const out = [this.metadata.version];
    if (this.#downConverted(15)) out.unshift(15);
    if (this.#downConverted(14)) out.unshift(14);
    return out;
  }

  /** The metadata blob at `version` (`Metadata_metadata_at_version`), if it can be served. */
  metadataAtVersion(version: number): Uint8Array | undefined {
    if (version === this.metadata.version) return this.metadataBytes;
    if (version === 14 || version === 15) return this.#downConverted(version) ?? undefined;
    return undefined;
  }

  /**
   * What `state_getMetadata` and `Metadata_metadata` return: V14 like a substrate node (when
   * the blob converts), else the blob itself.
   */
  defaultMetadata(): Uint8Array {
    return this.metadataAtVersion(14) ?? this.metadataBytes;
  }

  /** The registry type name for a lookup id (cached). */
  typeName(id: number): string {
    let name = this.#typeNames.get(id);
    if (!name) {
      name = this.registry.createLookupType(id);
      this.#typeNames.set(id, name);
    }
    return name;
  }

  /** SCALE-encodes `value` as lookup type `id`. */
  encode(id: number, value: unknown): Uint8Array {
    return this.registry.createType(this.typeName(id), value).toU8a();
  }

  /** Decodes SCALE bytes as lookup type `id`. */
  decode(id: number, bytes: Uint8Array) {
    return this.registry.createType(this.typeName(id), bytes);
  }

  #item(name: string): StorageItemInfo {
    const item = this.#items.get(name);
    if (!item) throw new CodecError(`metadata has no storage item ${name}`);
    return item;
  }

  /** The metadata's default (fallback) value of `Pallet.Item`, decoded; undefined if absent. */
  storageDefault(name: string) {
    const [pallet, item] = name.split(".");
    const p = this.metadata.asLatest.pallets.find((x) => x.name.eq(pallet));
    const entry = p?.storage.unwrapOr(undefined)?.items.find((i) => i.name.eq(item));
    if (!entry) return undefined;
    return this.decode(this.#item(name).valueType, entry.fallback.toU8a(true));
  }

  /** Whether the metadata declares storage item `Pallet.Item`. */
  hasStorage(name: string): boolean {
    return this.#items.has(name);
  }

  /** The 32-byte prefix of a storage item (twox128(pallet) ++ twox128(item)), hex. */
  storagePrefix(name: string): string {
    return u8aToHex(this.#item(name).prefix);
  }

  #encodeKey(id: number, value: unknown): Uint8Array {
    const t = this.typeName(id);
    if (t === "u16" && typeof value === "number") return new Uint8Array([value & 0xff, value >> 8]);
    if (t === "AccountId32" && value instanceof Uint8Array) return value;
    if (t === "AccountId32" && typeof value === "string" && value.startsWith("0x")) {
      return hexToU8a(value);
    }
    return this.registry.createType(t, value).toU8a();
  }

  /** Full storage key (hex) of `Pallet.Item` for map keys `keys`, using the declared hashers. */
  storageKey(name: string, ...keys: unknown[]): string {
    const item = this.#item(name);
    if (keys.length !== item.hashers.length) {
      throw new CodecError(`${name} takes ${item.hashers.length} keys, got ${keys.length}`);
    }
    const parts: Uint8Array[] = [item.prefix];
    keys.forEach((k, i) =>
      parts.push(hashKey(item.hashers[i], this.#encodeKey(item.keyTypes[i], k)))
    );
    return u8aToHex(u8aConcat(...parts));
  }

  /** Encodes a storage value of `Pallet.Item` (the bare value, also for OptionQuery items). */
  storageValue(name: string, value: unknown): string {
    const id = this.#item(name).valueType;
    return fastEncode(this.typeName(id), value) ?? u8aToHex(this.encode(id, value));
  }

  /** Decodes a stored value of `Pallet.Item`. */
  decodeStorageValue(name: string, hex: string) {
    return this.decode(this.#item(name).valueType, hexToU8a(hex));
  }

  /** Pallet index by name. */
  palletIndex(pallet: string): number {
    const p = this.metadata.asLatest.pallets.find((x) => x.name.eq(pallet));
    if (!p) throw new CodecError(`metadata has no pallet ${pallet}`);
    return p.index.toNumber();
  }

  #variant(pallet: string, kind: "events" | "errors" | "calls", name: string) {
    const p = this.metadata.asLatest.pallets.find((x) => x.name.eq(pallet));
    if (!p) throw new CodecError(`metadata has no pallet ${pallet}`);
    const opt = p[kind];
    if (opt.isNone) throw new CodecError(`pallet ${pallet} has no ${kind}`);
    const def = this.registry.lookup.getSiType(opt.unwrap().type).def;
    const v = def.asVariant.variants.find((x) => x.name.eq(name));
    if (!v) throw new CodecError(`pallet ${pallet} has no ${kind.slice(0, -1)} ${name}`);
    return {
      pallet: p.index.toNumber(),
      index: v.index.toNumber(),
      fields: v.fields.map((f) => f.type.toNumber()),
    };
  }

  /** The metadata index of error `name` in `pallet` (what `DispatchError::Module.error[0]` carries). */
  errorIndex(pallet: string, name: string): number {
    return this.#variant(pallet, "errors", name).index;
  }

  /** `[palletIndex, callIndex]` of a call by name. */
  callIndex(pallet: string, name: string): [number, number] {
    const v = this.#variant(pallet, "calls", name);
    return [v.pallet, v.index];
  }

  /** SCALE bytes of a `RuntimeEvent` value: pallet index, variant index, then each field. */
  event(pallet: string, name: string, fields: unknown[]): Uint8Array {
    const v = this.#variant(pallet, "events", name);
    if (fields.length !== v.fields.length) {
      throw new CodecError(`${pallet}.${name} has ${v.fields.length} fields, got ${fields.length}`);
    }
    return u8aConcat(
      new Uint8Array([v.pallet, v.index]),
      ...fields.map((f, i) => this.encode(v.fields[i], f)),
    );
  }

  /** Field type ids of an event (for callers that need to encode a field themselves). */
  eventFields(pallet: string, name: string): number[] {
    return this.#variant(pallet, "events", name).fields;
  }

  /** A runtime-API method by its `state_call` name (`Api_method`), or undefined. */
  runtimeApi(name: string): RuntimeApiMethod | undefined {
    return this.#apis.get(name);
  }

  /**
   * A zero/empty value of lookup type `id` in the shape `createType` accepts: structs become
   * objects with every field, enums their first variant, sequences `[]`. Runtime-API results
   * start from this so that fields the local chain does not model are still present.
   */
  zero(id: number): unknown {
    const t = this.registry.lookup.getSiType(id);
    const def = t.def;
    if (def.isComposite) {
      const fields = def.asComposite.fields;
      if (fields.length === 0) return {};
      if (fields[0].name.isNone) {
        return fields.length === 1
          ? this.zero(fields[0].type.toNumber())
          : fields.map((f) => this.zero(f.type.toNumber()));
      }
      const out: Record<string, unknown> = {};
      for (const f of fields) out[f.name.unwrap().toString()] = this.zero(f.type.toNumber());
      return out;
    }
    if (def.isVariant) {
      const path = t.path.map((p) => p.toString()).join("::");
      if (path === "Option") return null;
      const v0 = def.asVariant.variants[0];
      if (!v0) return null;
      if (v0.fields.length === 0) return v0.name.toString();
      return {
        [v0.name.toString()]: v0.fields.length === 1
          ? this.zero(v0.fields[0].type.toNumber())
          : v0.fields.map((f) => this.zero(f.type.toNumber())),
      };
    }
    if (def.isSequence) return [];
    if (def.isArray) return new Uint8Array(def.asArray.len.toNumber());
    if (def.isTuple) return def.asTuple.map((x) => this.zero(x.toNumber()));
    if (def.isPrimitive) {
      const p = def.asPrimitive.toString();
      if (p === "Bool") return false;
      if (p === "Str") return "";
      return 0;
    }
    if (def.isCompact) return 0;
    if (def.isBitSequence) return new Uint8Array();
    return null;
  }

  /** The registry as the `Registry` interface (for `createType` callers). */
  get types(): Registry {
    return this.registry;
  }
}

/** Applies a substrate storage hasher to an encoded key part. */
export function hashKey(hasher: string, data: Uint8Array): Uint8Array {
  switch (hasher) {
    case "Blake2_128":
      return blake2AsU8a(data, 128);
    case "Blake2_256":
      return blake2AsU8a(data, 256);
    case "Blake2_128Concat":
      return u8aConcat(blake2AsU8a(data, 128), data);
    case "Twox128":
      return xxhashAsU8a(data, 128);
    case "Twox256":
      return xxhashAsU8a(data, 256);
    case "Twox64Concat":
      return u8aConcat(xxhashAsU8a(data, 64), data);
    case "Identity":
      return data;
    default:
      throw new CodecError(`unknown storage hasher ${hasher}`);
  }
}

/** SCALE `Vec<T>` from already-encoded items. */
export function encodeVec(items: Uint8Array[]): Uint8Array {
  return u8aConcat(compactToU8a(items.length), ...items);
}

const hexByte = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function uintLe(value: number | bigint, bytes: number): string {
  let v = BigInt(value);
  let out = "";
  for (let i = 0; i < bytes; i++) {
    out += hexByte[Number(v & 0xffn)];
    v >>= 8n;
  }
  return out;
}

function compactHex(n: number): string {
  return u8aToHex(compactToU8a(n)).slice(2);
}

/**
 * Direct SCALE encoding (hex) of the primitive shapes that dominate subtensor storage (u16, u64,
 * bool, AccountId32, and vectors of them); undefined for anything else, which then goes through
 * the registry. Exactly what `createType(...).toHex()` gives for these types, only faster.
 */
export function fastEncode(type: string, value: unknown): string | undefined {
  const isInt = (x: unknown) =>
    (typeof x === "number" && Number.isInteger(x) && x >= 0) || (typeof x === "bigint" && x >= 0n);
  switch (type) {
    case "u8":
      return isInt(value) ? "0x" + uintLe(value as number, 1) : undefined;
    case "u16":
      return isInt(value) ? "0x" + uintLe(value as number, 2) : undefined;
    case "u32":
      return isInt(value) ? "0x" + uintLe(value as number, 4) : undefined;
    case "u64":
      return isInt(value) ? "0x" + uintLe(value as number, 8) : undefined;
    case "bool":
      return typeof value === "boolean" ? (value ? "0x01" : "0x00") : undefined;
    case "AccountId32":
      return typeof value === "string" && /^0x[0-9a-f]{64}$/.test(value) ? value : undefined;
    case "Vec<u16>":
    case "Vec<u64>":
    case "Vec<bool>": {
      if (!Array.isArray(value)) return undefined;
      const width = type === "Vec<u16>" ? 2 : type === "Vec<u64>" ? 8 : 0;
      let out = "0x" + compactHex(value.length);
      for (const x of value) {
        if (width === 0) {
          if (typeof x !== "boolean") return undefined;
          out += x ? "01" : "00";
        } else {
          if (!isInt(x)) return undefined;
          out += uintLe(x, width);
        }
      }
      return out;
    }
    default:
      return undefined;
  }
}
