/**
 * @module
 * An in-process JSON-RPC provider that serves a real subtensor metadata blob, so that
 * `@polkadot/api` builds a fully decorated `ApiPromise` offline (tests, benches). It answers the
 * RPCs ApiPromise needs to start; anything else goes to caller-given handlers (for example
 * `state_call` of a runtime API with canned SCALE bytes), and unknown methods fail loudly.
 */
import { blake2AsHex } from "@polkadot/util-crypto";
import type { ProviderInterface } from "./client.ts";

/** Handler of one RPC method: params in, JSON result out (throw to answer an error). */
export type RpcHandler = (params: unknown[]) => unknown | Promise<unknown>;

/** Options of {@link MockProvider}. */
export interface MockProviderOptions {
  /** The runtime metadata (`0x6d657461…` bytes or hex), e.g. `../shared/chain/subtensor-metadata-v16.scale`. */
  metadata: Uint8Array | string;
  /** Extra or overriding RPC handlers, by method name. */
  handlers?: Record<string, RpcHandler>;
  /** `specVersion` to report (default 385). */
  specVersion?: number;
  /** Runtime API results by `Api_method` name: args hex in, SCALE result hex out. */
  runtimeApis?: Record<string, (argsHex: string) => string>;
  /** Best block number reported by `chain_getHeader` (default 100). */
  blockNumber?: number;
}

const GENESIS = "0x" + "11".repeat(32);

type Listener = (...args: unknown[]) => void;

/** A provider that never touches the network. */
export class MockProvider implements ProviderInterface {
  readonly #metadataHex: string;
  readonly #handlers: Record<string, RpcHandler>;
  readonly #specVersion: number;
  readonly #listeners = new Map<string, Set<Listener>>();
  #connected = true;
  #subId = 0;
  readonly #runtimeApis: Record<string, (argsHex: string) => string>;
  /** Raw storage served by `state_getStorage` / `state_queryStorageAt` (key hex -> value hex). */
  readonly storage = new Map<string, string>();
  /** Best block number. */
  blockNumber: number;

  constructor(opts: MockProviderOptions) {
    this.#metadataHex = typeof opts.metadata === "string"
      ? opts.metadata
      : "0x" + Array.from(opts.metadata, (b) => b.toString(16).padStart(2, "0")).join("");
    this.#handlers = opts.handlers ?? {};
    this.#specVersion = opts.specVersion ?? 385;
    this.#runtimeApis = opts.runtimeApis ?? {};
    this.blockNumber = opts.blockNumber ?? 100;
    queueMicrotask(() => this.#emit("connected"));
  }

  get hasSubscriptions(): boolean {
    return true;
  }
  get isClonable(): boolean {
    return false;
  }
  get isConnected(): boolean {
    return this.#connected;
  }
  get stats() {
    const zero = {
      bytesRecv: 0,
      bytesSent: 0,
      cached: 0,
      errors: 0,
      requests: 0,
      subscriptions: 0,
      timeout: 0,
    };
    return { active: { requests: 0, subscriptions: 0 }, total: zero };
  }

  clone(): ProviderInterface {
    throw new Error("MockProvider cannot be cloned");
  }
  connect(): Promise<void> {
    this.#connected = true;
    this.#emit("connected");
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    this.#connected = false;
    this.#emit("disconnected");
    return Promise.resolve();
  }
  on(type: string, sub: Listener): () => void {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type)!.add(sub);
    return () => this.#listeners.get(type)?.delete(sub);
  }

  #emit(type: string, ...args: unknown[]) {
    for (const l of this.#listeners.get(type) ?? []) l(...args);
  }

  #hash(): string {
    return "0x" + this.blockNumber.toString(16).padStart(64, "0");
  }

  #header() {
    return {
      parentHash: "0x" + "00".repeat(32),
      number: "0x" + this.blockNumber.toString(16),
      stateRoot: "0x" + "00".repeat(32),
      extrinsicsRoot: "0x" + "00".repeat(32),
      digest: { logs: [] },
    };
  }

  #runtimeVersion() {
    return {
      specName: "node-subtensor",
      implName: "node-subtensor",
      authoringVersion: 1,
      specVersion: this.#specVersion,
      implVersion: 1,
      apis: [[blake2AsHex("Metadata", 64), 2]],
      transactionVersion: 1,
      stateVersion: 1,
    };
  }

  // deno-lint-ignore no-explicit-any
  async send<T = any>(method: string, params: unknown[]): Promise<T> {
    if (!this.#connected) throw new Error("WebSocket is not connected");
    const h = this.#handlers[method];
    if (method === "state_call" && params[0] === "Metadata_metadata_versions") {
      return "0x0410000000" as T; // Vec<u32> [16]
    }
    if (method === "state_call" && params[0] === "Metadata_metadata_at_version") {
      const len = (this.#metadataHex.length - 2) / 2;
      return ("0x01" + compactHex(len) + this.#metadataHex.slice(2)) as T;
    }
    if (h) return await h(params) as T;
    switch (method) {
      case "chain_getHeader":
        return this.#header() as T;
      case "state_getStorage":
        return (this.storage.get(String(params[0])) ?? null) as T;
      case "state_queryStorageAt": {
        const keys = params[0] as string[];
        return [{
          block: this.#hash(),
          changes: keys.map((k) => [k, this.storage.get(k) ?? null]),
        }] as T;
      }
      case "state_call": {
        const fn = this.#runtimeApis[String(params[0])];
        if (!fn) throw new Error(`MockProvider: runtime API ${String(params[0])} not served`);
        return fn(String(params[1])) as T;
      }
      case "chain_getBlockHash":
        return GENESIS as T;
      case "state_getRuntimeVersion":
        return this.#runtimeVersion() as T;
      case "system_chain":
        return "Bittensor (mock)" as T;
      case "system_properties":
        return { ss58Format: 42, tokenDecimals: 9, tokenSymbol: "TAO" } as T;
      case "rpc_methods":
        return { methods: Object.keys(this.#handlers) } as T;
      case "state_getMetadata":
        return this.#metadataHex as T;
      default:
        throw new Error(`MockProvider: no handler for ${method}`);
    }
  }

  async subscribe(
    _type: string,
    method: string,
    params: unknown[],
    cb: (e: Error | null, r: unknown) => void,
  ): Promise<number | string> {
    const id = ++this.#subId;
    if (method === "state_subscribeRuntimeVersion") {
      queueMicrotask(() => cb(null, this.#runtimeVersion()));
    } else {
      const h = this.#handlers[method];
      if (!h) throw new Error(`MockProvider: no subscription handler for ${method}`);
      const r = await h(params);
      queueMicrotask(() => cb(null, r));
    }
    return id;
  }

  unsubscribe(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

function compactHex(n: number): string {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, ((n << 2) | 2) >>> 0, true);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
