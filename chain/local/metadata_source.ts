/**
 * @module
 * Where the local chain's metadata comes from: a file (`--metadata PATH`), bytes, or a live
 * subtensor endpoint (`--metadata-from wss://...`) asked once with `state_getMetadata` over
 * JSON-RPC and cached under `~/.cache/cgp-node/metadata-<genesis>-<spec>.scale`.
 */
import { hexToU8a } from "@polkadot/util";

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
  const ws = new WebSocket(url);
  const results = new Map<number, unknown>();
  try {
    return await new Promise<unknown[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new MetadataSourceError(`timeout talking to ${url}`)),
        timeoutMs,
      );
      ws.onerror = () => {
        clearTimeout(timer);
        reject(new MetadataSourceError(`cannot connect to ${url}`));
      };
      ws.onopen = () =>
        calls.forEach(([method, params], id) =>
          ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }))
        );
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data));
        if (msg.error) {
          clearTimeout(timer);
          reject(new MetadataSourceError(`${url}: ${msg.error.message}`));
          return;
        }
        results.set(msg.id, msg.result);
        if (results.size === calls.length) {
          clearTimeout(timer);
          resolve(calls.map((_, i) => results.get(i)));
        }
      };
    });
  } finally {
    ws.close();
  }
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
  const [hex] = await rpcCalls(url, [["state_getMetadata", []]], timeoutMs) as [string];
  if (typeof hex !== "string" || !hex.startsWith("0x6d657461")) {
    throw new MetadataSourceError(`${url} returned no metadata blob`);
  }
  const bytes = hexToU8a(hex);
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  await Deno.writeFile(tmp, bytes);
  await Deno.rename(tmp, path);
  return { bytes, path, fromCache: false };
}
