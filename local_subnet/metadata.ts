/**
 * @module
 * Where the local chain's runtime metadata comes from, in order: an explicit file; the copy in a
 * development checkout (`../shared/chain/subtensor-metadata-v16.scale`); a cached copy; or, once,
 * a fetch from a public subtensor endpoint (`CGP_METADATA_ENDPOINT`, default finney), cached for
 * every later run.
 */
import { defaultCacheDir, fetchMetadata, readMetadataFile } from "../chain/local/mod.ts";
import { NETWORK_ENDPOINTS } from "../chain/endpoints.ts";

/** The shared copy next to a development checkout. */
export const SHARED_METADATA = new URL(
  "../../shared/chain/subtensor-metadata-v16.scale",
  import.meta.url,
);

/** Reads or fetches the metadata blob. */
export async function resolveMetadata(path?: string): Promise<Uint8Array> {
  if (path) return await readMetadataFile(path);
  const fromEnv = Deno.env.get("CGP_METADATA_FILE");
  if (fromEnv) return await readMetadataFile(fromEnv);
  try {
    return await Deno.readFile(SHARED_METADATA);
  } catch { /* not a development checkout */ }
  const url = Deno.env.get("CGP_METADATA_ENDPOINT") ?? NETWORK_ENDPOINTS.finney;
  const fetched = await fetchMetadata(url, { cacheDir: defaultCacheDir() });
  return fetched.bytes;
}
