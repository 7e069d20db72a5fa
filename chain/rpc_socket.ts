/**
 * @module
 * A bare JSON-RPC client over one websocket, for the few raw reads a long-running process makes
 * between epochs (the best block number): it loads no `@polkadot/api`, so it costs a socket
 * instead of the ~110 MB a decorated subtensor client holds. The socket opens on first use and
 * again on the next call after it drops; every call has a deadline.
 */
import { ChainError, ChainTimeoutError, ChainUnavailableError } from "./errors.ts";

/** Options of {@link RpcSocket}. */
export interface RpcSocketOptions {
  /** Deadline of each call, connecting included, ms (default 30 000). */
  callTimeoutMs?: number;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/** JSON-RPC 2.0 requests over a websocket (`ws://` / `wss://`). */
export class RpcSocket {
  readonly #url: string;
  readonly #timeoutMs: number;
  #ws: WebSocket | null = null;
  #open: Promise<WebSocket> | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #closed = false;

  constructor(url: string, opts: RpcSocketOptions = {}) {
    this.#url = url;
    this.#timeoutMs = opts.callTimeoutMs ?? 30_000;
  }

  /** Sends one request and resolves with its `result` (throws a {@link ChainError} otherwise). */
  async request(method: string, params: unknown[] = []): Promise<unknown> {
    if (this.#closed) throw new ChainUnavailableError(this.#url, "client is closed");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ChainTimeoutError(method, this.#timeoutMs)),
        this.#timeoutMs,
      );
    });
    let id = 0;
    try {
      const ws = await Promise.race([this.#connect(), timeout]);
      id = this.#nextId++;
      const reply = new Promise<unknown>((resolve, reject) => {
        this.#pending.set(id, { resolve, reject });
      });
      ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
      return await Promise.race([reply, timeout]);
    } finally {
      clearTimeout(timer);
      if (id) this.#pending.delete(id);
    }
  }

  /** The best block number (`chain_getHeader`). */
  async bestBlock(): Promise<number> {
    const h = await this.request("chain_getHeader") as { number?: unknown } | null;
    const n = typeof h?.number === "string" ? Number.parseInt(h.number, 16) : NaN;
    if (!Number.isSafeInteger(n)) {
      throw new ChainError("bad_data", `chain_getHeader: no block number in ${JSON.stringify(h)}`);
    }
    return n;
  }

  /** Closes the socket; later calls fail. */
  close(): void {
    this.#closed = true;
    this.#drop("client is closed");
  }

  #connect(): Promise<WebSocket> {
    if (this.#ws?.readyState === WebSocket.OPEN) return Promise.resolve(this.#ws);
    this.#open ??= new Promise<WebSocket>((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(this.#url);
      } catch (e) {
        this.#open = null;
        reject(new ChainUnavailableError(this.#url, (e as Error).message));
        return;
      }
      ws.onopen = () => {
        this.#ws = ws;
        this.#open = null;
        resolve(ws);
      };
      ws.onerror = (e) => {
        if (this.#ws !== ws) {
          this.#open = null;
          reject(new ChainUnavailableError(this.#url, (e as ErrorEvent).message || "socket error"));
        }
      };
      ws.onclose = () => {
        if (this.#ws === ws) this.#drop("connection closed");
        else if (this.#open) {
          this.#open = null;
          reject(new ChainUnavailableError(this.#url, "connection closed while opening"));
        }
      };
      ws.onmessage = (e) => this.#onMessage(e.data);
    });
    return this.#open;
  }

  #onMessage(data: unknown): void {
    let m: { id?: unknown; result?: unknown; error?: { code?: number; message?: string } };
    try {
      m = JSON.parse(String(data));
    } catch {
      return;
    }
    const p = typeof m.id === "number" ? this.#pending.get(m.id) : undefined;
    if (!p) return; // a subscription notification or a late answer: not ours
    this.#pending.delete(m.id as number);
    if (m.error) {
      p.reject(new ChainError("call_failed", `${m.error.code}: ${m.error.message}`));
    } else p.resolve(m.result);
  }

  #drop(reason: string): void {
    const ws = this.#ws;
    this.#ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) {
      try {
        ws.close();
      } catch { /* already closing */ }
    }
    for (const p of this.#pending.values()) p.reject(new ChainUnavailableError(this.#url, reason));
    this.#pending.clear();
  }
}
