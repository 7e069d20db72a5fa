/**
 * @module
 * `readyai_api_data.json`, where upstream validators keep their CGP API key
 * (`{"api_key": "...", ...}` in the working directory). Written with mode 0600.
 */
import { ApiKeyResponseSchema } from "./schemas.ts";

/** Upstream's file name, relative to the working directory. */
export const API_KEY_FILE = "readyai_api_data.json";

/** The key in `path`, or null when the file is missing; throws with a message when malformed. */
export async function readApiKeyFile(path: string = API_KEY_FILE): Promise<string | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${path}: not JSON`);
  }
  const p = ApiKeyResponseSchema.safeParse(raw);
  if (!p.success) throw new Error(`${path}: expected {"api_key": "..."}`);
  return p.data.api_key;
}

/** Writes the key data (owner read/write only), replacing the file atomically. */
export async function writeApiKeyFile(
  data: { api_key: string } & Record<string, unknown>,
  path: string = API_KEY_FILE,
): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, JSON.stringify(data, null, 2) + "\n", { mode: 0o600 });
  if (Deno.build.os !== "windows") await Deno.chmod(tmp, 0o600);
  await Deno.rename(tmp, path);
}
