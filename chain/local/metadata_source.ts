/**
 * @module
 * Where the local chain's metadata comes from: a file (`--metadata PATH`), bytes, or a live
 * subtensor endpoint (`--metadata-from wss://...`) asked once over JSON-RPC
 * (`Metadata_metadata_at_version(16|15)`, else `state_getMetadata`) and cached under `~/.cache/cgp-node/metadata-<genesis>-<spec>.scale`.
 */
import { compactFromU8a, hexToU8a, u8aToHex } from "@polkadot/util";
import { ChainTimeoutError, ChainUnavailableError } from "../errors.ts";
import { RpcSocket } from "../rpc_socket.ts";

/** Raised when metadata cannot be read or fetched. */
export class MetadataSourceError extends Error {
  override name = "MetadataSourceError";
}

/** Default cache folder: `$XDG_CACHE_HOME/cgp-node` or `~/.cache/cgp-node`. */
export function defaultCacheDir(): string {
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  return `${xdg ?? `${home}/.cache`}/cgp-node`;
}

/** Reads a metadata blob from a file. */
export async function readMetadataFile(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    throw new MetadataSourceError(`cannot read metadata file ${path}: ${(e as Error).message}`);
  }
}

/** Sends JSON-RPC calls over one WebSocket and returns their results, in order. */
async function rpcCalls(
  url: string,
  calls: Array<[string, unknown[]]>,
  timeoutMs: number,
): Promise<unknown[]> {
  const rpc = new RpcSocket(url, { callTimeoutMs: timeoutMs });
  try {
    return await Promise.all(calls.map(([method, params]) => rpc.request(method, params)));
  } catch (e) {
    if (e instanceof ChainTimeoutError) throw new MetadataSourceError(`timeout talking to ${url}`);
    if (e instanceof ChainUnavailableError) {
      throw new MetadataSourceError(`cannot connect to ${url}`);
    }
    throw new MetadataSourceError(`${url}: ${(e as Error).message}`);
  } finally {
    rpc.close();
  }
}

/** Decodes `Option<OpaqueMetadata>` (state_call result hex); undefined for None. */
export function decodeOptionalOpaqueMetadata(hex: string): Uint8Array | undefined {
  const bytes = hexToU8a(hex);
  if (bytes.length === 0 || bytes[0] === 0) return undefined;
  const [offset, length] = compactFromU8a(bytes.subarray(1));
  return bytes.subarray(1 + offset, 1 + offset + length.toNumber());
}

/**
 * A substrate node answers `state_getMetadata` with V14, which has no runtime-API types; V16
 * and V15 come only through `Metadata_metadata_at_version`. So ask for 16, then 15, and fall back
 * to `state_getMetadata` for old nodes.
 */
async function fetchNewestMetadata(url: string, timeoutMs: number): Promise<string> {
  for (const version of ["0x10000000", "0x0f000000"]) {
    try {
      const [result] = await rpcCalls(url, [["state_call", [
        "Metadata_metadata_at_version",
        version,
      ]]], timeoutMs) as [string];
      const bytes = typeof result === "string" ? decodeOptionalOpaqueMetadata(result) : undefined;
      if (bytes) return u8aToHex(bytes);
    } catch (e) {
      if (e instanceof MetadataSourceError && /timeout|cannot connect/.test(e.message)) throw e;
    }
  }
  const [hex] = await rpcCalls(url, [["state_getMetadata", []]], timeoutMs) as [string];
  return hex;
}

/** Options of `fetchMetadata`. */
export interface FetchMetadataOptions {
  cacheDir?: string;
  timeoutMs?: number;
}

/** Result of `fetchMetadata`: the bytes, the cache file, and whether it came from the cache. */
export interface FetchedMetadata {
  bytes: Uint8Array;
  path: string;
  fromCache: boolean;
}

/**
 * Fetches the metadata of a subtensor endpoint once and caches it by genesis hash and spec
 * version; later calls with the same chain and runtime read the cache.
 */
export async function fetchMetadata(
  url: string,
  opts: FetchMetadataOptions = {},
): Promise<FetchedMetadata> {
  const dir = opts.cacheDir ?? defaultCacheDir();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const [genesis, version] = await rpcCalls(url, [["chain_getBlockHash", [0]], [
    "state_getRuntimeVersion",
    [],
  ]], timeoutMs) as [
    string,
    { specVersion: number },
  ];
  if (typeof genesis !== "string" || typeof version?.specVersion !== "number") {
    throw new MetadataSourceError(`${url} did not return a genesis hash and runtime version`);
  }
  const path = `${dir}/metadata-${genesis.slice(2, 18)}-${version.specVersion}.scale`;
  try {
    return { bytes: await Deno.readFile(path), path, fromCache: true };
  } catch { /* not cached yet */ }
  const hex = await fetchNewestMetadata(url, timeoutMs);
  const bytes = hexToU8a(hex);
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  await Deno.writeFile(tmp, bytes);
  await Deno.rename(tmp, path);
  return { bytes, path, fromCache: false };
}
