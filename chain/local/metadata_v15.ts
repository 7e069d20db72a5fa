// deno-lint-ignore-file no-explicit-any -- walks the decoded metadata structures generically
/**
 * @module
 * Metadata V16 → V15 and V14 down-conversion, so clients that only read V14/V15 (the Python SDK's
 * `bt-decode` runtime asks `Metadata_metadata_at_version(15)`) can talk to a chain whose blob is
 * V16. V15 and V16 share the type registry; V16 only adds deprecation info, associated types,
 * view functions, API versions and versioned transaction extensions, which V15 drops. The V15
 * extrinsic section needs the `Extra` tuple type and the runtime type, both found in the lookup.
 */
import type { Metadata } from "@polkadot/types";
import { compactToU8a, stringToU8a, u8aConcat } from "@polkadot/util";

/** Raised when a blob cannot be converted. */
export class MetadataConversionError extends Error {
  override name = "MetadataConversionError";
}

type Bytes = Uint8Array;
const c = (n: number | { toNumber(): number }) =>
  compactToU8a(typeof n === "number" ? n : n.toNumber());
const vec = <T>(items: Iterable<T>, f: (x: T) => Bytes): Bytes => {
  const parts = [...items].map(f);
  return u8aConcat(compactToU8a(parts.length), ...parts);
};
const opt = (
  o: any,
  f: (x: any) => Bytes,
): Bytes => (o.isSome ? u8aConcat(new Uint8Array([1]), f(o.unwrap())) : new Uint8Array([0]));

/** The SCALE bytes of `meta` + V15 for a V16 `Metadata`. */
export function metadataV16toV15(metadata: Metadata): Uint8Array {
  return convert(metadata, 15);
}

/**
 * The SCALE bytes of `meta` + V14 for a V16 `Metadata`: what a substrate node answers to
 * `state_getMetadata` / `Metadata_metadata` (V14 for compatibility; newer versions only through
 * `Metadata_metadata_at_version`). V14 has no runtime-API section and no pallet docs.
 */
export function metadataV16toV14(metadata: Metadata): Uint8Array {
  return convert(metadata, 14);
}

function convert(metadata: Metadata, target: 14 | 15): Uint8Array {
  if (metadata.version !== 16) {
    throw new MetadataConversionError(`expected V16 metadata, got V${metadata.version}`);
  }
  const m = metadata.asV16 as any;
  const types = m.lookup.types as Array<any>;
  const runtime = types.find((t) => t.type.path.map(String).join("::").endsWith("::Runtime"));
  if (!runtime) throw new MetadataConversionError("no ::Runtime type in the lookup");
  const extrinsicType = types.find((t) => {
    const path = t.type.path.map(String);
    return path[path.length - 1] === "UncheckedExtrinsic" &&
      t.type.params.some((p: any) =>
        p.name.eq("Call") && p.type.isSome && p.type.unwrap().eq(m.extrinsic.callType)
      );
  });
  const extraParam = extrinsicType?.type.params.find((p: any) =>
    p.name.eq("Extra") || p.name.eq("Extension")
  );
  if (!extraParam || extraParam.type.isNone) {
    throw new MetadataConversionError("no UncheckedExtrinsic Extra type in the lookup");
  }
  const ext = m.extrinsic;
  const byVersion = ext.transactionExtensionsByVersion;
  let indices: number[] = ext.transactionExtensions.map((_: any, i: number) => i);
  for (const [k, v] of byVersion.entries()) {
    if (k.toNumber() === 0) indices = v.map((x: any) => x.toNumber());
  }
  const pallets = vec(m.pallets, (p: any) =>
    u8aConcat(
      p.name.toU8a(),
      opt(p.storage, (s) =>
        u8aConcat(
          s.prefix.toU8a(),
          vec(s.items, (i: any) =>
            u8aConcat(
              i.name.toU8a(),
              i.modifier.toU8a(),
              i.type.toU8a(),
              i.fallback.toU8a(),
              i.docs.toU8a(),
            )),
        )),
      opt(p.calls, (x) => c(x.type)),
      opt(p.events, (x) => c(x.type)),
      vec(p.constants, (k: any) =>
        u8aConcat(k.name.toU8a(), c(k.type), k.value.toU8a(), k.docs.toU8a())),
      opt(p.errors, (x) =>
        c(x.type)),
      p.index.toU8a(),
      target === 15 ? p.docs.toU8a() : new Uint8Array(),
    ));
  const signedExtensions = vec(indices, (i) => {
    const e = ext.transactionExtensions[i];
    return u8aConcat(e.identifier.toU8a(), c(e.type), c(e.implicit));
  });
  if (target === 14) {
    return u8aConcat(
      stringToU8a("meta"),
      new Uint8Array([14]),
      m.lookup.toU8a(),
      pallets,
      u8aConcat(c(extrinsicType.id), new Uint8Array([4]), signedExtensions),
      c(runtime.id),
    );
  }
  const extrinsic = u8aConcat(
    new Uint8Array([4]),
    c(ext.addressType),
    c(ext.callType),
    c(ext.signatureType),
    c(extraParam.type.unwrap()),
    signedExtensions,
  );
  const apis = vec(m.apis, (a: any) =>
    u8aConcat(
      a.name.toU8a(),
      vec(a.methods, (x: any) =>
        u8aConcat(x.name.toU8a(), x.inputs.toU8a(), c(x.output), x.docs.toU8a())),
      a.docs.toU8a(),
    ));
  return u8aConcat(
    stringToU8a("meta"),
    new Uint8Array([15]),
    m.lookup.toU8a(),
    pallets,
    extrinsic,
    c(runtime.id),
    apis,
    m.outerEnums.toU8a(),
    m.custom.toU8a(),
  );
}
