/**
 * @module
 * `cgp-node local-chain`: runs the local subtensor chain on loopback for the demo and manual
 * testing. Metadata comes from `--metadata PATH` or is fetched once from `--metadata-from URL`
 * and cached. `--subnet N` creates a demo subnet with commit-reveal off.
 */
import type { Command } from "../../main.ts";
import { setupLogging } from "../../config/logging.ts";
import { fetchMetadata, readMetadataFile } from "./metadata_source.ts";
import { startLocalChain } from "./local_chain.ts";

const HELP = `cgp-node local-chain: a local subtensor JSON-RPC chain (loopback)

flags:
  --port N             TCP port (default 9944; 0 = ephemeral)
  --host ADDR          bind address (default 127.0.0.1)
  --metadata PATH      subtensor runtime metadata blob (V15/V16, as state_getMetadata returns)
  --metadata-from URL  fetch the metadata once from a subtensor endpoint and cache it
  --cache-dir DIR      metadata cache folder (default ~/.cache/cgp-node)
  --block-time-ms N    block interval (default 250; 0 = no blocks)
  --subnet N           create demo subnet N (tempo 10, commit-reveal off, min weights 1)
`;

/** Parses `--flag value` / `--flag=value` pairs. */
export function parseFlags(args: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${JSON.stringify(a)}`);
    const eq = a.indexOf("=");
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (a === "--help") out.set("help", "1");
    else {
      const v = args[i + 1];
      if (v === undefined || v.startsWith("--")) throw new Error(`flag ${a} needs a value`);
      out.set(a.slice(2), v);
      i++;
    }
  }
  return out;
}

/** The `local-chain` command. */
export const localChainCommand: Command = {
  summary: "run a local subtensor chain (JSON-RPC over WebSocket) for tests and the demo",
  async run(args: string[]): Promise<number> {
    let flags: Map<string, string>;
    try {
      flags = parseFlags(args);
    } catch (e) {
      console.error(`${(e as Error).message}\n\n${HELP}`);
      return 2;
    }
    if (flags.has("help")) {
      console.log(HELP);
      return 0;
    }
    await setupLogging("info");
    let bytes: Uint8Array;
    try {
      if (flags.has("metadata")) bytes = await readMetadataFile(flags.get("metadata")!);
      else if (flags.has("metadata-from")) {
        const got = await fetchMetadata(flags.get("metadata-from")!, {
          cacheDir: flags.get("cache-dir"),
        });
        console.log(`metadata ${got.fromCache ? "from cache" : "fetched and cached"}: ${got.path}`);
        bytes = got.bytes;
      } else {
        console.error(`one of --metadata or --metadata-from is required\n\n${HELP}`);
        return 2;
      }
    } catch (e) {
      console.error((e as Error).message);
      return 1;
    }
    const num = (k: string, d: number) => {
      const v = flags.get(k);
      if (v === undefined) return d;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--${k} must be a non-negative integer`);
      return n;
    };
    try {
      const chain = await startLocalChain({
        metadataBytes: bytes,
        port: num("port", 9944),
        hostname: flags.get("host") ?? "127.0.0.1",
        blockTimeMs: num("block-time-ms", 250),
      });
      if (flags.has("subnet")) {
        const netuid = num("subnet", 1);
        chain.createSubnet(netuid, {
          tempo: 10,
          commitReveal: false,
          minAllowedWeights: 1,
          weightsRateLimit: 0,
        });
        console.log(`created subnet ${netuid}`);
      }
      console.log(`local chain listening on ${chain.url}`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        Deno.addSignalListener("SIGINT", stop);
        if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
      });
      await chain.close();
      return 0;
    } catch (e) {
      console.error((e as Error).message);
      return 1;
    }
  },
};
