/**
 * @module
 * Runtime API calls through `state_call`, typed by the live metadata (V15/V16 carry the runtime
 * API signatures): which methods exist, the raw SCALE result at a given block, and a
 * registry decode of it when no fast decoder applies.
 */
import type { ApiPromise } from "@polkadot/api";
import type { Codec, Registry } from "@polkadot/types/types";
import type { SubtensorClient } from "./client.ts";
import { hexToU8a, isHex, u8aToHex } from "@polkadot/util";
import { ChainDataError, ChainUnsupportedError } from "./errors.ts";

interface ApiMethodMeta {
  inputs: { name: string; typeId: number }[];
  outputTypeId: number;
}

const cache = new WeakMap<object, Map<string, ApiMethodMeta>>();

function methods(api: ApiPromise): Map<string, ApiMethodMeta> {
  const md = api.runtimeMetadata;
  let m = cache.get(md);
  if (m) return m;
  m = new Map();
  for (const a of md.asLatest.apis) {
    for (const meth of a.methods) {
      m.set(`${a.name.toString()}_${meth.name.toString()}`, {
        inputs: meth.inputs.map((i) => ({ name: i.name.toString(), typeId: i.type.toNumber() })),
        outputTypeId: meth.output.toNumber(),
      });
    }
  }
  cache.set(md, m);
  return m;
}

/** True when the runtime's metadata declares `Api_method` (e.g. `SubnetInfoRuntimeApi_get_metagraph`). */
export function hasRuntimeApi(api: ApiPromise, name: string): boolean {
  return methods(api).has(name);
}

/** The registry type name of a runtime API method's output, e.g. `Option<PalletSubtensor…>`. */
export function runtimeApiOutputType(api: ApiPromise, name: string): string {
  const m = methods(api).get(name);
  if (!m) throw new ChainUnsupportedError(`the runtime has no ${name}`);
  return api.registry.lookup.getTypeDef(m.outputTypeId).type;
}

/** The registry raw type (`toRawType`) of the element/inner type of a method's output. */
export function runtimeApiOutputRawType(api: ApiPromise, name: string): string {
  return api.registry.createType(runtimeApiOutputType(api, name)).toRawType();
}

/** Calls `Api_method` with SCALE-encoded args at `at` (a block hash) and returns the raw result. */
export async function runtimeCallRaw(
  client: SubtensorClient,
  name: string,
  args: Uint8Array,
  at?: string,
): Promise<Uint8Array> {
  if (!hasRuntimeApi(client.api, name)) {
    throw new ChainUnsupportedError(`the runtime has no ${name}`);
  }
  // straight JSON-RPC: the decorated `state.call(.., at)` would rebuild a registry for `at`
  const params: unknown[] = [name, u8aToHex(args)];
  if (at) params.push(at);
  const res = await client.rawRpc("state_call", params);
  if (typeof res !== "string" || !isHex(res)) {
    throw new ChainDataError(`${name} returned no hex bytes`);
  }
  return hexToU8a(res);
}

/** Decodes a raw result of `Api_method` with the metadata's output type. */
export function decodeRuntimeOutput<T extends Codec = Codec>(
  api: ApiPromise,
  name: string,
  bytes: Uint8Array,
): T {
  return api.registry.createType(runtimeApiOutputType(api, name), bytes) as unknown as T;
}

/** SCALE `u16` little-endian (the `netuid` argument of most subnet APIs). */
export function u16Arg(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError(`not a u16: ${n}`);
  return Uint8Array.of(n & 0xff, n >> 8);
}

/**
 * A structural description of a metadata type, independent of registry naming (which can
 * change with registry state): `u16`, `Compact<u64>`, `Vec<…>`, `(…)`, `[u8;32]`,
 * `AccountId32`, `{field:type,…}` for other composites.
 */
export function describeType(registry: Registry, id: number, depth = 0): string {
  if (depth > 12) return "…";
  const t = registry.lookup.getSiType(id);
  const d = t.def;
  const sub = (x: { toNumber(): number }) => describeType(registry, x.toNumber(), depth + 1);
  if (d.isPrimitive) return d.asPrimitive.type.toLowerCase();
  if (d.isCompact) return `Compact<${sub(d.asCompact.type)}>`;
  if (d.isSequence) return `Vec<${sub(d.asSequence.type)}>`;
  if (d.isArray) return `[${sub(d.asArray.type)};${d.asArray.len.toNumber()}]`;
  if (d.isTuple) return `(${d.asTuple.map(sub).join(",")})`;
  if (d.isComposite) {
    if (t.path.length && t.path[t.path.length - 1].toString() === "AccountId32") {
      return "AccountId32";
    }
    return `{${
      d.asComposite.fields.map((f) => `${f.name.unwrapOr("").toString()}:${sub(f.type)}`).join(",")
    }}`;
  }
  return `?${d.type}`;
}

/** {@link describeType} of a runtime API method's output. */
export function runtimeApiOutputShape(api: ApiPromise, name: string): string {
  const m = methods(api).get(name);
  if (!m) throw new ChainUnsupportedError(`the runtime has no ${name}`);
  return describeType(api.registry, m.outputTypeId);
}
