/**
 * @module
 * The connection to a subtensor node: `@polkadot/api` over a websocket that reconnects with
 * exponential backoff, logs clearly while the chain is unreachable, and gives every call a
 * deadline (a typed {@link ChainTimeoutError} instead of a hang). Feature modules (metagraph,
 * serving, weights) build on {@link SubtensorClient}.
 */
import { ApiPromise, WsProvider } from "@polkadot/api";
import type { ApiOptions, SubmittableExtrinsic } from "@polkadot/api/types";
import type { EventRecord } from "@polkadot/types/interfaces";
import type { ISubmittableResult } from "@polkadot/types/types";
import { logger } from "../config/logging.ts";
import { cryptoReady, type Signer as WalletSigner } from "../wallet/keypair.ts";
import { resolveEndpoint } from "./endpoints.ts";
import {
  ChainError,
  ChainTimeoutError,
  ChainUnavailableError,
  dispatchFailure,
  poolRejection,
  TransactionRejectedError,
} from "./errors.ts";
import { KeypairTxSigner } from "./signer.ts";
import {
  type Metagraph,
  readHyperparameters,
  readMetagraph,
  type SubnetHyperparameters,
} from "./metagraph.ts";
import {
  burnedRegister,
  type BurnedRegisterResult,
  serveAxon,
  type ServeAxonOptions,
  type ServeAxonResult,
  uidOf,
} from "./serving.ts";
import { setWeights, type SetWeightsOptions, type SetWeightsResult } from "./weights.ts";

const log = logger("chain", "client");

/** A JSON-RPC provider @polkadot/api can use (WsProvider or an in-process one). */
export type ProviderInterface = NonNullable<ApiOptions["provider"]>;

/**
 * The PhantomData transaction extensions of subtensor: they carry no bytes. Declaring them
 * silences @polkadot/api's "Unknown signed extensions" warning.
 */
export const SUBTENSOR_SIGNED_EXTENSIONS = {
  SudoTransactionExtension: { extrinsic: {}, payload: {} },
  CheckShieldedTxValidity: { extrinsic: {}, payload: {} },
  SubtensorTransactionExtension: { extrinsic: {}, payload: {} },
  DrandPriority: { extrinsic: {}, payload: {} },
} as const;

/** How to reach the chain; every field is optional. */
export interface ConnectOptions {
  /** `--subtensor.network`: `finney` (default), `test`, `archive`, `local`, or a ws(s) URL. */
  network?: string;
  /** `--subtensor.chain_endpoint`: a ws(s) URL that wins over `network`. */
  chainEndpoint?: string;
  /** A ready provider instead of a websocket (tests, in-process chains). */
  provider?: ProviderInterface;
  /** Deadline of each read/query, ms (default 30 000). */
  callTimeoutMs?: number;
  /** Deadline of the first connection, ms (default 30 000). */
  connectTimeoutMs?: number;
  /** Deadline from submission to inclusion of an extrinsic, ms (default 120 000). */
  inclusionTimeoutMs?: number;
  /** Reconnect backoff: first delay and cap, ms (defaults 500 and 30 000). */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Seconds per block for reveal-round arithmetic (default 12; fast-runtime localnets 0.25). */
  blockTimeS?: number;
}

/** One event of an included extrinsic, in plain JSON-able form. */
export interface ChainEvent {
  /** Pallet, camelCase (`subtensorModule`). */
  section: string;
  /** Event name (`WeightsSet`). */
  method: string;
  /** Event fields as human-readable JSON. */
  data: unknown;
}

/** Where and how an extrinsic landed. */
export interface Inclusion {
  /** Hash of the block that includes it. */
  blockHash: string;
  /** Number of that block. */
  blockNumber: number;
  /** Extrinsic hash. */
  txHash: string;
  /** This extrinsic's events (`ExtrinsicSuccess` among them). */
  events: ChainEvent[];
}

/** Options of {@link SubtensorClient.submit}. */
export interface SubmitOptions {
  /** Wait for `inBlock` (default) or `finalized`. */
  waitFor?: "inBlock" | "finalized";
  /** Overrides the client's inclusion deadline. */
  timeoutMs?: number;
}

/** A WsProvider whose retries back off exponentially and are logged. */
class BackoffWsProvider extends WsProvider {
  // assigned after super(): the base constructor already calls connectWithRetry()
  declare backoff: {
    initial: number;
    max: number;
    attempt: number;
    onRetry: (ms: number, n: number) => void;
  };

  constructor(
    url: string,
    callTimeoutMs: number,
    backoff: { initial: number; max: number; onRetry: (ms: number, n: number) => void },
  ) {
    super(url, 1, {}, callTimeoutMs);
    this.backoff = { ...backoff, attempt: 0 };
    this.on("connected", () => {
      this.backoff.attempt = 0;
    });
  }

  override async connectWithRetry(): Promise<void> {
    if (!this.backoff) return super.connectWithRetry();
    const b = this.backoff;
    const delay = Math.min(b.max, b.initial * 2 ** Math.min(b.attempt, 16));
    b.attempt++;
    b.onRetry(delay, b.attempt);
    await new Promise((r) => setTimeout(r, delay));
    if (this.isConnected) return;
    return super.connectWithRetry();
  }
}

/** A connected subtensor client. Create it with {@link SubtensorClient.connect}. */
export class SubtensorClient {
  /** The underlying @polkadot/api instance (metadata-decorated). */
  readonly api: ApiPromise;
  /** The websocket URL (or `provider` for injected providers). */
  readonly endpoint: string;
  /** The network name the endpoint is known by. */
  readonly network: string;
  /** Per-call deadline, ms. */
  readonly callTimeoutMs: number;
  /** Submission-to-inclusion deadline, ms. */
  readonly inclusionTimeoutMs: number;
  /** Seconds per block used for reveal-round arithmetic. */
  readonly blockTimeS: number;
  #closed = false;
  readonly #provider: ProviderInterface;

  private constructor(
    api: ApiPromise,
    provider: ProviderInterface,
    endpoint: string,
    network: string,
    o: ConnectOptions,
  ) {
    this.api = api;
    this.#provider = provider;
    this.endpoint = endpoint;
    this.network = network;
    this.callTimeoutMs = o.callTimeoutMs ?? 30_000;
    this.inclusionTimeoutMs = o.inclusionTimeoutMs ?? 120_000;
    this.blockTimeS = o.blockTimeS ?? 12;
  }

  /**
   * Connects and loads the runtime metadata. Throws {@link ChainUnavailableError} when the chain
   * cannot be reached within `connectTimeoutMs`; after that, drops are retried forever with
   * backoff and every call waits for the link (bounded by its own deadline).
   *
   * @example
   * ```ts
   * const chain = await SubtensorClient.connect({ network: "test" });
   * const mg = await chain.metagraph(138);
   * ```
   */
  static async connect(opts: ConnectOptions = {}): Promise<SubtensorClient> {
    await cryptoReady();
    const connectTimeoutMs = opts.connectTimeoutMs ?? 30_000;
    let provider: ProviderInterface;
    let endpoint: string;
    let network: string;
    if (opts.provider) {
      provider = opts.provider;
      endpoint = "provider";
      network = opts.network ?? "custom";
    } else {
      const r = resolveEndpoint({
        network: opts.network,
        chainEndpoint: opts.chainEndpoint,
        env: Deno.env.toObject(),
      });
      endpoint = r.url;
      network = r.network;
      let everConnected = false;
      const ws = new BackoffWsProvider(endpoint, opts.callTimeoutMs ?? 30_000, {
        initial: opts.reconnect?.initialDelayMs ?? 500,
        max: opts.reconnect?.maxDelayMs ?? 30_000,
        onRetry: (ms, n) =>
          log.warn(
            "subtensor at {endpoint} is unreachable; reconnecting in {ms} ms (attempt {n})",
            {
              endpoint,
              ms,
              n,
            },
          ),
      });
      ws.on("connected", () => {
        if (everConnected) log.info("reconnected to subtensor at {endpoint}", { endpoint });
        everConnected = true;
      });
      ws.on("disconnected", () => {
        if (everConnected) log.warn("lost the connection to subtensor at {endpoint}", { endpoint });
      });
      provider = ws;
    }
    log.info("connecting to subtensor {network} at {endpoint}", { network, endpoint });
    const api = new ApiPromise({
      provider,
      signedExtensions: SUBTENSOR_SIGNED_EXTENSIONS,
      noInitWarn: true,
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        api.isReadyOrError,
        new Promise((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new ChainUnavailableError(endpoint, `no connection within ${connectTimeoutMs} ms`),
              ),
            connectTimeoutMs,
          );
        }),
      ]);
    } catch (e) {
      await api.disconnect().catch(() => {});
      if (e instanceof ChainError) throw e;
      throw new ChainUnavailableError(endpoint, errText(e), { cause: e });
    } finally {
      clearTimeout(timer);
    }
    const client = new SubtensorClient(api, provider, endpoint, network, opts);
    log.info("connected to {chain} (spec {spec}) at {endpoint}", {
      chain: api.runtimeChain.toString(),
      spec: api.runtimeVersion.specVersion.toNumber(),
      endpoint,
    });
    return client;
  }

  /** True while the socket is up. */
  get isConnected(): boolean {
    return this.api.isConnected;
  }

  /** Closes the connection and stops reconnecting. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.api.disconnect().catch(() => {});
  }

  /**
   * Runs `fn` once the link is up, within the call deadline; maps transport failures to
   * {@link ChainUnavailableError} and overruns to {@link ChainTimeoutError}.
   */
  async call<T>(
    what: string,
    fn: () => Promise<T>,
    timeoutMs = this.callTimeoutMs,
    opts: { retryOnDisconnect?: boolean } = {},
  ): Promise<T> {
    if (this.#closed) throw new ChainUnavailableError(this.endpoint, "client is closed");
    const deadline = Date.now() + timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ChainTimeoutError(what, timeoutMs)), timeoutMs);
    });
    const retry = opts.retryOnDisconnect ?? true;
    try {
      for (let attempt = 0;; attempt++) {
        if (!this.api.isConnected) await Promise.race([this.#waitConnected(deadline), timeout]);
        try {
          return await Promise.race([fn(), timeout]);
        } catch (e) {
          // a read that met a dropped socket is repeated once the link is back (within the deadline)
          if (retry && attempt < 3 && isDisconnect(e) && Date.now() < deadline && !this.#closed) {
            log.warn("{what}: connection dropped, retrying after reconnect", { what });
            await new Promise((r) => setTimeout(r, 50));
            continue;
          }
          throw e;
        }
      }
    } catch (e) {
      if (e instanceof ChainError) throw e;
      const msg = errText(e);
      if (isDisconnect(e)) {
        throw new ChainUnavailableError(this.endpoint, `${what}: ${msg}`, { cause: e });
      }
      if (/No response received from RPC endpoint/i.test(msg)) {
        throw new ChainTimeoutError(what, timeoutMs);
      }
      throw new ChainError("call_failed", `${what} failed: ${msg}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
  }

  #waitConnected(deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.api.isConnected || Date.now() >= deadline || this.#closed) {
          resolve();
        } else setTimeout(check, 50);
      };
      check();
    });
  }

  /** The metagraph of `netuid` (see `metagraph.ts`). */
  metagraph(netuid: number): Promise<Metagraph> {
    return readMetagraph(this, netuid);
  }

  /** Hyperparameters of `netuid`. */
  hyperparameters(netuid: number): Promise<SubnetHyperparameters> {
    return readHyperparameters(this, netuid);
  }

  /** The uid of `hotkey` (SS58) on `netuid`, or null when not registered. */
  uidOf(netuid: number, hotkey: string): Promise<number | null> {
    return uidOf(this, netuid, hotkey);
  }

  /** `serve_axon`, signed by `hotkey`; skipped when unchanged (see `serving.ts`). */
  serveAxon(
    hotkey: WalletSigner,
    o: ServeAxonOptions,
    submit?: SubmitOptions,
  ): Promise<ServeAxonResult> {
    return serveAxon(this, hotkey, o, submit);
  }

  /** `burned_register` of `hotkey` (SS58), signed and paid by `coldkey`. */
  burnedRegister(
    coldkey: WalletSigner,
    netuid: number,
    hotkey: string,
    submit?: SubmitOptions,
  ): Promise<BurnedRegisterResult> {
    return burnedRegister(this, coldkey, netuid, hotkey, submit);
  }

  /** Sets (or commits) weights by the path the subnet requires (see `weights.ts`). */
  setWeights(
    hotkey: WalletSigner,
    o: SetWeightsOptions,
    submit?: SubmitOptions,
  ): Promise<SetWeightsResult> {
    return setWeights(this, hotkey, o, submit);
  }

  /** A raw JSON-RPC request (no decoding, no block registry lookups). Wrap it in {@link call}. */
  rawRpc(method: string, params: unknown[]): Promise<unknown> {
    return this.#provider.send(method, params);
  }

  /** The best block number. */
  currentBlock(): Promise<number> {
    return this.call("chain_getHeader", async () => {
      const h = await this.api.rpc.chain.getHeader();
      return h.number.toNumber();
    });
  }

  /** The chain's `Timestamp.Now`, in unix seconds. */
  chainTimeS(): Promise<number> {
    return this.call("timestamp.now", async () => {
      const now = await this.api.query.timestamp.now();
      return Number(now.toString()) / 1000;
    });
  }

  /**
   * Signs `tx` with `key` (our keypair; the secret stays in it), submits it and waits for
   * inclusion. Pool rejections throw {@link TransactionRejectedError}; a failed dispatch throws
   * {@link DispatchFailedError} (resolved by name); no inclusion in time throws
   * {@link ChainTimeoutError}.
   */
  async submit(
    what: string,
    tx: SubmittableExtrinsic<"promise">,
    key: WalletSigner,
    opts: SubmitOptions = {},
  ): Promise<Inclusion> {
    const timeoutMs = opts.timeoutMs ?? this.inclusionTimeoutMs;
    const waitFor = opts.waitFor ?? "inBlock";
    const signer = new KeypairTxSigner(key, this.api.registry);
    const landed = await this.call(
      what,
      () =>
        new Promise<{ result: ISubmittableResult; blockHash: string }>((resolve, reject) => {
          let unsub: (() => void) | undefined;
          let done = false;
          const finish = (f: () => void) => {
            if (done) return;
            done = true;
            unsub?.();
            f();
          };
          tx.signAndSend(key.ss58Address, { signer, nonce: -1 }, (result: ISubmittableResult) => {
            const s = result.status;
            if ((waitFor === "inBlock" && s.isInBlock) || s.isFinalized) {
              const blockHash = (s.isInBlock ? s.asInBlock : s.asFinalized).toHex();
              finish(() => resolve({ result, blockHash }));
            } else if (s.isInvalid || s.isDropped || s.isUsurped || s.isFinalityTimeout) {
              finish(() =>
                reject(
                  new TransactionRejectedError(
                    undefined,
                    s.type,
                    `${what}: transaction ${s.type.toLowerCase()}`,
                    s.type,
                  ),
                )
              );
            }
          }).then((u) => {
            if (done) u();
            else unsub = u;
          }).catch((e) => finish(() => reject(poolRejection(e) ?? e)));
        }),
      timeoutMs,
    );
    const { result, blockHash } = landed;
    if (result.dispatchError) throw dispatchFailure(this.api, result.dispatchError, blockHash);
    const header = await this.call(
      "chain_getHeader",
      () => this.api.rpc.chain.getHeader(blockHash),
    );
    const inclusion: Inclusion = {
      blockHash,
      blockNumber: header.number.toNumber(),
      txHash: result.txHash.toHex(),
      events: result.events.map((r: EventRecord) => ({
        section: r.event.section,
        method: r.event.method,
        data: r.event.data.toHuman(),
      })),
    };
    log.info("{what} included in block {block} ({hash})", {
      what,
      block: inclusion.blockNumber,
      hash: blockHash,
    });
    return inclusion;
  }
}

function isDisconnect(e: unknown): boolean {
  return !(e instanceof ChainError) &&
    /disconnected|not connected|WebSocket is not|socket/i.test(errText(e));
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
