/**
 * @module
 * Substrate JSON-RPC over WebSocket for the local chain: the methods `@polkadot/api` calls
 * (init, queries, runtime calls, signing and watching extrinsics, head subscriptions). Unknown
 * methods answer -32601, malformed JSON -32700, bad params -32602; nothing crashes the server.
 */
import { hexToU8a, u8aToHex } from "@polkadot/util";
import { decodeAddress } from "@polkadot/util-crypto";
import { logger } from "../../config/logging.ts";
import type { BlockRecord, ChainEngine, TxStatus } from "./chain.ts";
import { PoolError } from "./extrinsic.ts";
import { RuntimeApis } from "./runtime_api.ts";

const log = logger("chain", "local", "rpc");

/** A JSON-RPC error with a code (and optional data), like jsonrpsee's. */
export class RpcError extends Error {
  override name = "RpcError";
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    super(message);
  }
}

/** The aliases a substrate node registers for its RPC methods (old names clients still use). */
const ALIASES: Record<string, string> = {
  account_nextIndex: "system_accountNextIndex",
  chain_getRuntimeVersion: "state_getRuntimeVersion",
  chain_subscribeRuntimeVersion: "state_subscribeRuntimeVersion",
  chain_unsubscribeRuntimeVersion: "state_unsubscribeRuntimeVersion",
  chain_subscribeFinalisedHeads: "chain_subscribeFinalizedHeads",
  chain_unsubscribeFinalisedHeads: "chain_unsubscribeFinalizedHeads",
  chain_getFinalisedHead: "chain_getFinalizedHead",
  state_callAt: "state_call",
  state_getStorageHashAt: "state_getStorageHash",
  state_getStorageSizeAt: "state_getStorageSize",
  state_getKeysPagedAt: "state_getKeysPaged",
};

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A random 16-character subscription id, like jsonrpsee's (never confusable with request ids). */
function subscriptionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

interface Conn {
  socket: WebSocket;
  subs: Map<string, () => void>;
}

/** The RPC front of a `ChainEngine`. */
export class RpcServer {
  readonly #conns = new Set<Conn>();
  readonly #apis: RuntimeApis;
  #server?: Deno.HttpServer;
  url = "";
  /** Methods nobody implemented that a client asked for (debugging aid). */
  readonly unknownMethods = new Set<string>();

  constructor(
    readonly engine: ChainEngine,
    readonly properties = { ss58Format: 42, tokenDecimals: 9, tokenSymbol: "TAO" },
  ) {
    this.#apis = new RuntimeApis(engine);
    engine.onBlock.push((b, prev) => this.#onBlock(b, prev));
  }

  /** Starts listening; resolves with the ws:// URL. */
  listen(hostname = "127.0.0.1", port = 0): Promise<string> {
    return new Promise((resolve) => {
      this.#server = Deno.serve({
        hostname,
        port,
        onListen: (addr) => {
          const h = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
          this.url = `ws://${h}:${addr.port}`;
          resolve(this.url);
        },
      }, (req) => this.#handle(req));
    });
  }

  #handle(req: Request): Response {
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("local subtensor chain: connect with a WebSocket JSON-RPC client\n", {
        status: 426,
      });
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    const conn: Conn = { socket, subs: new Map() };
    socket.onopen = () => this.#conns.add(conn);
    socket.onclose = () => this.#closeConn(conn);
    socket.onerror = () => this.#closeConn(conn);
    socket.onmessage = (ev) => {
      void this.#onMessage(
        conn,
        typeof ev.data === "string" ? ev.data : new TextDecoder().decode(ev.data),
      );
    };
    return response;
  }

  #closeConn(conn: Conn): void {
    for (const unsub of conn.subs.values()) unsub();
    conn.subs.clear();
    this.#conns.delete(conn);
  }

  /** Closes every client socket (reconnect tests). */
  dropConnections(): void {
    for (const c of [...this.#conns]) {
      try {
        c.socket.close(1012, "dropped by local chain");
      } catch { /* already closed */ }
      this.#closeConn(c);
    }
  }

  /** Stops the server and closes all sockets. */
  async close(): Promise<void> {
    this.dropConnections();
    await this.#server?.shutdown();
  }

  #send(conn: Conn, msg: unknown): void {
    if (conn.socket.readyState === WebSocket.OPEN) conn.socket.send(JSON.stringify(msg));
  }

  async #onMessage(conn: Conn, text: string): Promise<void> {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.#send(conn, {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32700, message: "Parse error" },
      });
      return;
    }
    if (Array.isArray(msg)) {
      const out = await Promise.all(msg.map((m) => this.#call(conn, m)));
      this.#send(conn, out);
    } else {
      this.#send(conn, await this.#call(conn, msg));
    }
  }

  // deno-lint-ignore no-explicit-any
  async #call(conn: Conn, msg: any): Promise<unknown> {
    const id = msg && typeof msg === "object" && "id" in msg ? msg.id : null;
    if (!msg || typeof msg !== "object" || typeof msg.method !== "string") {
      return { jsonrpc: "2.0", id, error: { code: -32600, message: "Invalid request" } };
    }
    const params = Array.isArray(msg.params)
      ? msg.params
      : msg.params === undefined
      ? []
      : [msg.params];
    try {
      const result = await this.#dispatch(conn, msg.method, params);
      return { jsonrpc: "2.0", id, result: result === undefined ? null : result };
    } catch (e) {
      if (e instanceof RpcError || e instanceof PoolError) {
        const error: Record<string, unknown> = { code: e.code, message: e.message };
        if (e.data !== undefined) error.data = e.data;
        return { jsonrpc: "2.0", id, error };
      }
      log.warn("rpc {method} failed: {error}", { method: msg.method, error: String(e) });
      return {
        jsonrpc: "2.0",
        id,
        error: { code: -32602, message: `Invalid params: ${(e as Error).message}` },
      };
    }
  }

  #block(hash?: string | null): BlockRecord {
    const e = this.engine;
    if (!hash) return e.head;
    const b = e.blockByHash(hash);
    if (!b) throw new RpcError(4003, `State already discarded for ${hash}`);
    return b;
  }

  #subscribe(
    conn: Conn,
    method: string,
    start: (notify: (result: unknown) => void) => () => void,
  ): string {
    const id = subscriptionId();
    const notify = (result: unknown) =>
      this.#send(conn, { jsonrpc: "2.0", method, params: { subscription: id, result } });
    conn.subs.set(id, () => {});
    queueMicrotask(() => {
      if (!conn.subs.has(id)) return;
      const stop = start(notify);
      conn.subs.set(id, stop);
    });
    return id;
  }

  #unsubscribe(conn: Conn, id: unknown): boolean {
    const key = String(id);
    const stop = conn.subs.get(key);
    if (!stop) return false;
    stop();
    conn.subs.delete(key);
    return true;
  }

  readonly #headWatchers = new Set<(b: BlockRecord) => void>();
  readonly #storageWatchers = new Set<(b: BlockRecord, prev: BlockRecord | undefined) => void>();

  #onBlock(b: BlockRecord, prev: BlockRecord | undefined): void {
    for (const w of this.#headWatchers) w(b);
    for (const w of this.#storageWatchers) w(b, prev);
  }

  #methods(): string[] {
    return [
      ...Object.keys(ALIASES),
      "state_getStorageAt",
      "author_submitExtrinsic",
      "author_submitAndWatchExtrinsic",
      "author_unwatchExtrinsic",
      "author_pendingExtrinsics",
      "chain_getBlock",
      "chain_getBlockHash",
      "chain_getFinalizedHead",
      "chain_getHead",
      "chain_getHeader",
      "chain_subscribeAllHeads",
      "chain_subscribeFinalizedHeads",
      "chain_subscribeNewHeads",
      "chain_subscribeNewHead",
      "chain_unsubscribeAllHeads",
      "chain_unsubscribeFinalizedHeads",
      "chain_unsubscribeNewHeads",
      "chain_unsubscribeNewHead",
      "payment_queryInfo",
      "rpc_methods",
      "state_call",
      "state_getKeys",
      "state_getKeysPaged",
      "state_getMetadata",
      "state_getRuntimeVersion",
      "state_getStorage",
      "state_getStorageHash",
      "state_getStorageSize",
      "state_queryStorageAt",
      "state_subscribeRuntimeVersion",
      "state_subscribeStorage",
      "state_unsubscribeRuntimeVersion",
      "state_unsubscribeStorage",
      "system_accountNextIndex",
      "system_chain",
      "system_chainType",
      "system_health",
      "system_localPeerId",
      "system_name",
      "system_nodeRoles",
      "system_peers",
      "system_properties",
      "system_syncState",
      "system_version",
    ];
  }

  // deno-lint-ignore no-explicit-any
  async #dispatch(conn: Conn, alias: string, p: any[]): Promise<unknown> {
    const e = this.engine;
    const method = ALIASES[alias] ?? alias;
    switch (method) {
      case "rpc_methods":
        return { version: 1, methods: this.#methods() };
      case "system_chain":
        return "Bittensor local (cgp-node)";
      case "system_name":
        return "cgp-node-local-chain";
      case "system_version":
        return "0.1.0";
      case "system_chainType":
        return "Development";
      case "system_properties":
        return this.properties;
      case "system_health":
        return { peers: 0, isSyncing: false, shouldHavePeers: false };
      case "system_peers":
        return [];
      case "system_localPeerId":
        return "12D3KooWLocalChainCgpNode";
      case "system_nodeRoles":
        return ["Authority"];
      case "system_syncState":
        return { startingBlock: 0, currentBlock: e.head.number, highestBlock: e.head.number };
      case "system_accountNextIndex":
        return e.nextIndex(u8aToHex(decodeAddress(String(p[0]))));
      case "chain_getBlockHash": {
        if (p[0] === undefined || p[0] === null) return e.head.hash;
        const n = typeof p[0] === "string" ? Number(p[0]) : p[0];
        return e.hashAt(n) ?? null;
      }
      case "chain_getFinalizedHead":
      case "chain_getHead":
        return e.head.hash;
      case "chain_getHeader":
        return p[0] ? (e.blockByHash(p[0])?.header ?? null) : e.head.header;
      case "chain_getBlock": {
        const b = p[0] ? e.blockByHash(p[0]) : e.head;
        return b
          ? { block: { header: b.header, extrinsics: b.extrinsics }, justifications: null }
          : null;
      }
      case "chain_subscribeNewHeads":
      case "chain_subscribeNewHead":
      case "chain_subscribeAllHeads":
      case "chain_subscribeFinalizedHeads": {
        const note = method === "chain_subscribeFinalizedHeads"
          ? "chain_finalizedHead"
          : method === "chain_subscribeAllHeads"
          ? "chain_allHead"
          : "chain_newHead";
        return this.#subscribe(conn, note, (notify) => {
          notify(e.head.header);
          const w = (b: BlockRecord) => notify(b.header);
          this.#headWatchers.add(w);
          return () => this.#headWatchers.delete(w);
        });
      }
      case "chain_unsubscribeNewHeads":
      case "chain_unsubscribeNewHead":
      case "chain_unsubscribeAllHeads":
      case "chain_unsubscribeFinalizedHeads":
      case "state_unsubscribeStorage":
      case "state_unsubscribeRuntimeVersion":
      case "author_unwatchExtrinsic":
        return this.#unsubscribe(conn, p[0]);
      case "state_getRuntimeVersion":
        if (p[0]) this.#block(p[0]);
        return e.codec.version;
      case "state_subscribeRuntimeVersion":
        return this.#subscribe(conn, "state_runtimeVersion", (notify) => {
          notify(e.codec.version);
          return () => {};
        });
      case "state_getMetadata":
        if (p[0]) this.#block(p[0]);
        return u8aToHex(e.codec.defaultMetadata());
      case "state_getStorage":
      case "state_getStorageAt":
        this.#block(p[1]);
        return e.storage(String(p[0]), p[1] ?? undefined);
      case "state_getStorageHash": {
        const v = e.storage(String(p[0]), p[1] ?? undefined);
        return v === null
          ? null
          : u8aToHex((await import("@polkadot/util-crypto")).blake2AsU8a(hexToU8a(v), 256));
      }
      case "state_getStorageSize": {
        const v = e.storage(String(p[0]), p[1] ?? undefined);
        return v === null ? null : (v.length - 2) / 2;
      }
      case "state_queryStorageAt": {
        const b = this.#block(p[1]);
        const keys = (p[0] ?? []) as string[];
        return [{ block: b.hash, changes: keys.map((k) => [k, e.storage(k, b.hash)]) }];
      }
      case "state_getKeys":
        return e.keys(String(p[0] ?? "0x"), p[1] ?? undefined);
      case "state_getKeysPaged": {
        const all = e.keys(String(p[0] ?? "0x"), p[3] ?? undefined);
        const count = Number(p[1] ?? 1000);
        const start = p[2] ? String(p[2]).toLowerCase() : undefined;
        const from = start ? all.findIndex((k) => k > start) : 0;
        return from < 0 ? [] : all.slice(from, from + count);
      }
      case "state_subscribeStorage": {
        const keys = ((p[0] ?? []) as string[]).map((k) => k.toLowerCase());
        return this.#subscribe(conn, "state_storage", (notify) => {
          notify({ block: e.head.hash, changes: keys.map((k) => [k, e.storage(k)]) });
          const w = (b: BlockRecord, prev: BlockRecord | undefined) => {
            const changes = keys
              .map((k) => [k, e.storage(k, b.hash)] as [string, string | null])
              .filter(([k, v]) => !prev || (prev.storage.get(k) ?? null) !== v || k.length === 0);
            if (changes.length) notify({ block: b.hash, changes });
          };
          this.#storageWatchers.add(w);
          return () => this.#storageWatchers.delete(w);
        });
      }
      case "state_call": {
        if (p[2]) this.#block(p[2]);
        return u8aToHex(this.#apis.call(String(p[0]), hexToU8a(String(p[1] ?? "0x"))));
      }
      case "payment_queryInfo":
        return { weight: { refTime: 1_000_000, proofSize: 0 }, class: "normal", partialFee: "0" };
      case "author_pendingExtrinsics":
        return [];
      case "author_submitExtrinsic":
        return e.submit(String(p[0]));
      case "author_submitAndWatchExtrinsic": {
        const id = subscriptionId();
        const queued: TxStatus[] = [];
        let live = false;
        const notify = (s: TxStatus) => {
          if (!live) return queued.push(s);
          if (!conn.subs.has(id)) return; // unwatched or connection gone
          this.#send(conn, {
            jsonrpc: "2.0",
            method: "author_extrinsicUpdate",
            params: { subscription: id, result: s },
          });
          if (typeof s === "object" && "finalized" in s) conn.subs.delete(id);
        };
        e.submit(String(p[0]), (s) => void notify(s));
        conn.subs.set(id, () => {});
        setTimeout(() => {
          live = true;
          for (const s of queued.splice(0)) notify(s);
        }, 0);
        return id;
      }
      default:
        this.unknownMethods.add(method);
        throw new RpcError(-32601, `Method not found: ${method}`);
    }
  }
}
