/**
 * @module
 * Actors used by the actors bench: `pinger` (round trips and throughput measured inside a worker)
 * and `minerClient` (a MinerClient-shaped actor: latency history and failure streak per uid).
 */
import { z } from "zod";
import { defineActor } from "../../actors/mod.ts";

function summary(lat: number[]) {
  const s = [...lat].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p99: s[Math.floor(s.length * 0.99)], n: s.length };
}

export const pinger = defineActor({
  module: import.meta.url,
  messages: {
    ping: z.object({ seq: z.number().int() }),
    count: z.object({}),
    /** n sequential asks `ping` to `to`, timed here (µs). */
    pingLoop: z.object({ to: z.string(), n: z.number().int().min(1) }),
    /** n tells to `to`, then one ask `count`; returns ms elapsed. */
    blast: z.object({ to: z.string(), n: z.number().int().min(1) }),
  },
  init: () => ({ pings: 0 }),
  handle: {
    ping(s, msg) {
      s.pings++;
      return msg.seq;
    },
    count(s) {
      return s.pings;
    },
    async pingLoop(_s, msg, ctx) {
      const lat: number[] = [];
      for (let i = 0; i < msg.n; i++) {
        const t0 = performance.now();
        await ctx.ask(msg.to, "ping", { seq: i });
        lat.push((performance.now() - t0) * 1000);
      }
      return summary(lat);
    },
    async blast(_s, msg, ctx) {
      const before = (await ctx.ask(msg.to, "count", {})) as number;
      const t0 = performance.now();
      const accepted: Promise<void>[] = [];
      for (let i = 0; i < msg.n; i++) accepted.push(ctx.tell(msg.to, "ping", { seq: i }));
      await Promise.all(accepted);
      const after = (await ctx.ask(msg.to, "count", {}, { timeoutMs: 120_000 })) as number;
      return { ms: performance.now() - t0, handled: after - before };
    },
  },
});

export const minerClient = defineActor({
  module: import.meta.url,
  args: z.object({
    uid: z.number().int().min(0).max(65535),
    historySize: z.number().int().default(100),
  }),
  messages: {
    record: z.object({ latencyMs: z.number().min(0), ok: z.boolean() }),
    summary: z.object({}),
  },
  init: (_ctx, args) => ({
    uid: args.uid,
    historySize: args.historySize,
    latencies: [] as number[],
    failureStreak: 0,
    requests: 0,
  }),
  handle: {
    record(s, msg) {
      s.requests++;
      s.latencies.push(msg.latencyMs);
      if (s.latencies.length > s.historySize) s.latencies.shift();
      s.failureStreak = msg.ok ? 0 : s.failureStreak + 1;
    },
    summary(s) {
      const n = s.latencies.length;
      return {
        uid: s.uid,
        requests: s.requests,
        meanLatencyMs: n ? s.latencies.reduce((a, b) => a + b, 0) / n : 0,
        failureStreak: s.failureStreak,
      };
    },
  },
});
