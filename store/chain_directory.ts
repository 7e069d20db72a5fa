/**
 * @module
 * A {@link ValidatorDirectory} backed by the subnet's metagraph: a hotkey is registered when it
 * holds a uid, has a validator permit when `validator_permit[uid]`, and its stake is the
 * metagraph's stake weight `S[uid]` in TAO, as upstream's `get_validator_api_key.py` reads them.
 * The metagraph is loaded through a function (so any chain client, or a fixture, can supply it)
 * and cached for `refreshMs`; a failed refresh keeps serving the last snapshot while it is
 * younger than `maxStaleMs`.
 */
import type { ValidatorDirectory, ValidatorInfo } from "./api_keys.ts";

/** The columns of a metagraph the directory needs (a subset of `chain/`'s `Metagraph`). */
export interface MetagraphView {
  hotkeys: readonly string[];
  validatorPermit: readonly boolean[];
  /** Stake weight per uid, TAO. */
  stake: readonly number[];
}

/** Options of {@link MetagraphDirectory}. */
export interface MetagraphDirectoryOptions {
  /** Reads the current metagraph. */
  load: () => Promise<MetagraphView>;
  /** How long a snapshot is used before reloading (default 5 minutes). */
  refreshMs?: number;
  /** How old a snapshot may get when reloading fails (default 1 hour). */
  maxStaleMs?: number;
  now?: () => number;
}

/**
 * Validator lookups on a cached metagraph.
 *
 * @example
 * ```ts ignore
 * const dir = new MetagraphDirectory({ load: async () => readMetagraph(client, 33) });
 * await dir.lookup("5F...");
 * ```
 */
export class MetagraphDirectory implements ValidatorDirectory {
  readonly #o: Required<MetagraphDirectoryOptions>;
  #snapshot: { at: number; byHotkey: Map<string, ValidatorInfo> } | null = null;
  #loading: Promise<Map<string, ValidatorInfo>> | null = null;

  constructor(options: MetagraphDirectoryOptions) {
    this.#o = { refreshMs: 5 * 60_000, maxStaleMs: 60 * 60_000, now: Date.now, ...options };
  }

  async lookup(hotkeySs58: string): Promise<ValidatorInfo | null> {
    const map = await this.#current();
    return map.get(hotkeySs58) ?? null;
  }

  async #current(): Promise<Map<string, ValidatorInfo>> {
    const now = this.#o.now();
    const snap = this.#snapshot;
    if (snap && now - snap.at < this.#o.refreshMs) return snap.byHotkey;
    this.#loading ??= this.#load().finally(() => (this.#loading = null));
    try {
      return await this.#loading;
    } catch (e) {
      if (snap && now - snap.at < this.#o.maxStaleMs) return snap.byHotkey;
      throw e;
    }
  }

  async #load(): Promise<Map<string, ValidatorInfo>> {
    const m = await this.#o.load();
    const byHotkey = new Map<string, ValidatorInfo>();
    m.hotkeys.forEach((hk, uid) =>
      byHotkey.set(hk, {
        registered: true,
        validatorPermit: m.validatorPermit[uid] === true,
        stakeTao: Number(m.stake[uid] ?? 0),
      })
    );
    this.#snapshot = { at: this.#o.now(), byHotkey };
    return byHotkey;
  }
}

/** Where the chain is, for {@link connectChainDirectory}. */
export interface ChainDirectoryOptions {
  /** `--subtensor.network`: finney, test, local, or a ws(s) URL. */
  network?: string;
  /** `--subtensor.chain_endpoint` (wins over `network`). */
  chainEndpoint?: string;
  /** Subnet to read (33 on mainnet, 138 on testnet). */
  netuid: number;
  refreshMs?: number;
  maxStaleMs?: number;
}

/**
 * Connects to subtensor (via `chain/`) and returns a directory over the subnet's metagraph, plus
 * a `close` for the connection.
 */
export async function connectChainDirectory(
  options: ChainDirectoryOptions,
): Promise<{ directory: MetagraphDirectory; close(): Promise<void> }> {
  const { SubtensorClient } = await import("../chain/mod.ts");
  const client = await SubtensorClient.connect({
    network: options.network,
    chainEndpoint: options.chainEndpoint,
  });
  const directory = new MetagraphDirectory({
    load: () => client.metagraph(options.netuid),
    refreshMs: options.refreshMs,
    maxStaleMs: options.maxStaleMs,
  });
  return { directory, close: () => client.close() };
}
