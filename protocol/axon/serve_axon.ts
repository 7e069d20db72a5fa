/**
 * @module
 * Serves an axon's Hono app with `Deno.serve`, passing the peer address through so the axon can
 * record `dendrite.ip`/`port` like upstream.
 */
import type { Hono } from "hono";
import type { AxonEnv } from "./types.ts";

/** Options of {@link serveAxon}. */
export interface ServeAxonOptions {
  /** TCP port; 0 picks a free one. Default 8091 (upstream's). */
  port?: number;
  /** Bind address. Default `0.0.0.0` (upstream binds IPv4 any). */
  hostname?: string;
  /** Let several processes bind the same port (Linux). */
  reusePort?: boolean;
  /** Stops the server when aborted. */
  signal?: AbortSignal;
}

/** A running axon server. */
export interface ServedAxon {
  /** The bound port. */
  port: number;
  hostname: string;
  /** Stops accepting and waits for the server to finish. */
  shutdown(): Promise<void>;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
}

/**
 * Serves `app` with `Deno.serve`.
 *
 * @example
 * ```ts ignore
 * const served = serveAxon(axon.app, { port: 0, hostname: "127.0.0.1" });
 * await served.shutdown();
 * ```
 */
export function serveAxon(app: Hono<AxonEnv>, opts: ServeAxonOptions = {}): ServedAxon {
  const server = Deno.serve({
    port: opts.port ?? 8091,
    hostname: opts.hostname ?? "0.0.0.0",
    reusePort: opts.reusePort,
    signal: opts.signal,
    onListen: () => {},
  }, (req, info) => app.fetch(req, info));
  const addr = server.addr as Deno.NetAddr;
  return {
    port: addr.port,
    hostname: addr.hostname,
    shutdown: () => server.shutdown(),
    finished: server.finished,
  };
}
