/**
 * @module
 * ResultsWriter: records for the conversation store are written to the disk spool first (the
 * only thing the pipeline waits for), then delivered in the background with retries. While the
 * store is down they accumulate on disk; once it is back, or after a restart, they are replayed
 * in order. A record the store refuses as invalid (4xx) is set aside in `rejected/`, not dropped.
 */
import { z } from "zod";
import { defineActor } from "../../actors/mod.ts";
import { logger } from "../../config/logging.ts";
import type { StoreClient } from "../../store/client.ts";
import { storeClientFor, StoreTargetSchema } from "../store_target.ts";
import { ResultsSpool, type SpooledRecord } from "../results_spool.ts";
import { writeFileAtomic } from "../state.ts";
import type { RecordBody } from "../../store/client.ts";

const log = logger("validator", "results");

/** One record for the store: its idempotency id, the bundle guid it is PUT under, the body. */
const RecordMessage = z.object({
  id: z.string(),
  guid: z.string(),
  body: z.record(z.string(), z.unknown()),
});

/** Spawn arguments. */
export const ResultsWriterArgs = z.object({
  spoolDir: z.string(),
  store: StoreTargetSchema,
  /** Delay between delivery rounds while records are pending (ms). */
  intervalMs: z.number().int().positive().default(1000),
  /** Longest wait between rounds while the store is failing (ms). */
  maxBackoffMs: z.number().int().positive().default(30_000),
  /**
   * A delivery round starts this long after new records are spooled, so one round delivers the
   * records of the tasks that finished meanwhile (ms).
   */
  batchMs: z.number().int().nonnegative().default(100),
});

/**
 * Logs records that could not be spooled (the writer failed or timed out): the task's scores
 * stand, the records are lost, and the log names them.
 */
export function reportUnspooled(records: ReadonlyArray<{ id: string }>, e: unknown): void {
  log.error("{n} record(s) starting with {id} could not be spooled: {error}", {
    n: records.length,
    id: records[0]?.id,
    error: (e as Error).message,
  });
}

/** Which incarnation of each writer owns the delivery loop (a restarted one takes over). */
const owners = new Map<string, number>();

interface WriterState {
  args: z.infer<typeof ResultsWriterArgs>;
  spool: ResultsSpool;
  client: StoreClient;
  delivered: number;
  rejected: number;
  failures: number;
  storeUp: boolean;
  lastError: string | null;
  wake: () => void;
  /** A wake is scheduled `batchMs` from the first record spooled since the last round. */
  wakeTimer: ReturnType<typeof setTimeout> | undefined;
}

/** Starts a delivery round `batchMs` from now, unless one is already scheduled. */
function wakeSoon(s: WriterState): void {
  if (s.wakeTimer !== undefined) return;
  s.wakeTimer = setTimeout(() => {
    s.wakeTimer = undefined;
    s.wake();
  }, s.args.batchMs);
}

/** True when the store refused the record itself (retrying cannot help). */
function refusedForGood(r: { kind: string; status?: number }): boolean {
  return r.kind === "invalid" ||
    (r.status !== undefined && r.status >= 400 && r.status < 500 && r.status !== 408 &&
      r.status !== 429);
}

async function deliverRound(s: WriterState): Promise<boolean> {
  const files = await s.spool.pending(64);
  for (const { file, records } of files) {
    const left: SpooledRecord[] = [];
    let storeDown = false;
    for (const record of records) {
      if (storeDown) {
        left.push(record);
        continue;
      }
      const r = await s.client.record(record.guid, record.body as RecordBody, {
        idempotencyKey: record.id,
      });
      if (r.ok) {
        s.delivered++;
      } else if (refusedForGood(r)) {
        const dir = `${s.args.spoolDir}/rejected`;
        await Deno.mkdir(dir, { recursive: true });
        await writeFileAtomic(
          `${dir}/${record.id.replace(/[^A-Za-z0-9_.-]/g, "_")}.json`,
          JSON.stringify({ record, reason: r.reason }),
        );
        s.rejected++;
        log.warn("store refused record {id}: {reason} (kept in rejected/)", {
          id: record.id,
          reason: r.reason,
        });
      } else {
        storeDown = true;
        left.push(record);
        s.failures++;
        s.lastError = r.reason;
        if (s.storeUp) {
          log.warn("store unreachable, spooling records: {reason}", { reason: r.reason });
        }
        s.storeUp = false;
      }
    }
    await s.spool.retain(file, left);
    if (storeDown) return false;
  }
  if (!s.storeUp && files.length) log.info("store reachable again; spooled records delivered");
  s.storeUp = true;
  return true;
}

async function deliveryLoop(name: string, incarnation: number, s: WriterState) {
  let delay = s.args.intervalMs;
  while (owners.get(name) === incarnation) {
    let ok = true;
    try {
      ok = await deliverRound(s);
    } catch (e) {
      ok = false;
      s.lastError = (e as Error).message;
    }
    delay = ok ? s.args.intervalMs : Math.min(s.args.maxBackoffMs, delay * 2);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, delay);
      s.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

/** The ResultsWriter actor definition. */
export const resultsWriter = defineActor({
  module: import.meta.url,
  args: ResultsWriterArgs,
  messages: {
    /** Spools one record (resolves once it is on disk). */
    record: RecordMessage,
    /** Spools several records in one file (one task's); resolves once they are on disk. */
    records: z.object({ records: z.array(RecordMessage) }),
    /** Tries to deliver everything pending now; answers what is left. */
    flush: z.object({}),
    stats: z.object({}),
  },
  async init(ctx, args): Promise<WriterState> {
    const spool = await new ResultsSpool(args.spoolDir).open();
    // Retries are the spool's job here: one attempt per delivery round.
    const client = await storeClientFor({ ...args.store, retries: 0 });
    const s: WriterState = {
      args,
      spool,
      client,
      delivered: 0,
      rejected: 0,
      failures: 0,
      storeUp: true,
      lastError: null,
      wake: () => {},
      wakeTimer: undefined,
    };
    owners.set(ctx.name, ctx.incarnation);
    deliveryLoop(ctx.name, ctx.incarnation, s);
    return s;
  },
  handle: {
    async record(s, msg) {
      await s.spool.add([msg]);
      wakeSoon(s);
    },
    async records(s, msg) {
      await s.spool.add(msg.records);
      wakeSoon(s);
    },
    async flush(s) {
      await deliverRound(s).catch(() => false);
      return { pending: await s.spool.size(), storeUp: s.storeUp };
    },
    async stats(s) {
      return {
        pending: await s.spool.size(),
        delivered: s.delivered,
        rejected: s.rejected,
        failures: s.failures,
        storeUp: s.storeUp,
        lastError: s.lastError,
      };
    },
  },
  persist(s, ctx) {
    if (owners.get(ctx.name) === ctx.incarnation) owners.delete(ctx.name);
    clearTimeout(s.wakeTimer);
    s.wake();
    s.client.close(); // its kept-alive connections; a restarted writer opens its own
  },
});
