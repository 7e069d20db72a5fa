/**
 * @module
 * Which websocket to connect to, from the flags the Python neurons take:
 * `--subtensor.network` (`finney`, `test`, `archive`, `local`, `latent-lite` or a `ws(s)://` URL)
 * and `--subtensor.chain_endpoint` (wins when given), as the SDK's `determine_chain_endpoint_and_network`.
 */

/** Named networks and their endpoints (bittensor `core/settings.py`). */
export const NETWORK_ENDPOINTS: Readonly<Record<string, string>> = Object.freeze({
  finney: "wss://entrypoint-finney.opentensor.ai:443",
  test: "wss://test.finney.opentensor.ai:443",
  archive: "wss://archive.chain.opentensor.ai:443",
  local: "ws://127.0.0.1:9944",
  "latent-lite": "wss://lite.sub.latent.to:443",
});

/** Raised for a network name or URL that cannot be used. */
export class EndpointError extends Error {
  override name = "EndpointError";
}

/** A resolved endpoint and the network name it is known by. */
export interface ResolvedEndpoint {
  /** `finney`, `test`, `archive`, `local`, `latent-lite` or `custom`. */
  network: string;
  /** The websocket URL. */
  url: string;
}

/**
 * Resolves `--subtensor.network` / `--subtensor.chain_endpoint`. `local` honours
 * `BT_SUBTENSOR_CHAIN_ENDPOINT` when given in `env`. Defaults to finney.
 *
 * @example
 * ```ts
 * resolveEndpoint({ network: "test" }).url; // "wss://test.finney.opentensor.ai:443"
 * ```
 */
export function resolveEndpoint(
  opts: { network?: string; chainEndpoint?: string; env?: Record<string, string | undefined> } = {},
): ResolvedEndpoint {
  const explicit = opts.chainEndpoint?.trim();
  if (explicit) {
    const url = checkUrl(explicit);
    return { network: networkOfUrl(url), url };
  }
  const name = (opts.network ?? "finney").trim();
  if (name === "local" && opts.env?.BT_SUBTENSOR_CHAIN_ENDPOINT) {
    return { network: "local", url: checkUrl(opts.env.BT_SUBTENSOR_CHAIN_ENDPOINT) };
  }
  if (Object.hasOwn(NETWORK_ENDPOINTS, name)) {
    return { network: name, url: NETWORK_ENDPOINTS[name] };
  }
  if (/^wss?:\/\//i.test(name)) {
    const url = checkUrl(name);
    return { network: networkOfUrl(url), url };
  }
  throw new EndpointError(
    `unknown --subtensor.network ${JSON.stringify(name)}: use one of ${
      Object.keys(NETWORK_ENDPOINTS).join(", ")
    } or a ws:// / wss:// URL`,
  );
}

function checkUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new EndpointError(`not a URL: ${JSON.stringify(raw)}`);
  }
  if (u.protocol !== "ws:" && u.protocol !== "wss:") {
    throw new EndpointError(`chain endpoint must be ws:// or wss://, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

function networkOfUrl(url: string): string {
  const norm = (s: string) => s.replace(/\/+$/, "").toLowerCase();
  for (const [name, known] of Object.entries(NETWORK_ENDPOINTS)) {
    if (norm(known) === norm(url) || norm(known.replace(/:443$/, "")) === norm(url)) return name;
  }
  const host = new URL(url).hostname;
  if (host === "127.0.0.1" || host === "localhost" || host === "[::1]") return "local";
  return "custom";
}
