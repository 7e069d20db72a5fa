/**
 * @module
 * Token, call and cost accounting per call kind. Providers own one {@link UsageMeter} and expose
 * its {@link UsageSnapshot} through `provider.usage()`.
 */
import { callCost, DEFAULT_PRICES, type ModelPrice } from "./prices.ts";

/** Counters of one call kind (or of all kinds together). */
export interface UsageCounters {
  /** Successful calls. */
  calls: number;
  /** Calls that failed after all retries. */
  failures: number;
  /** Retries made (attempts beyond the first). */
  retries: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Cost of the calls whose model has a price; `null` when none had one. */
  costUsd: number | null;
  /** Successful calls whose model had no price (tokens counted, cost not). */
  unpricedCalls: number;
}

/** What `provider.usage()` returns: counters per kind, their total, and per model tokens. */
export interface UsageSnapshot {
  byKind: Record<string, UsageCounters>;
  total: UsageCounters;
  byModel: Record<string, { calls: number; promptTokens: number; completionTokens: number }>;
}

function empty(): UsageCounters {
  return {
    calls: 0,
    failures: 0,
    retries: 0,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    costUsd: null,
    unpricedCalls: 0,
  };
}

/**
 * Accumulates usage. Pure bookkeeping, no I/O.
 *
 * @example
 * ```ts
 * import { UsageMeter } from "./usage.ts";
 * const m = new UsageMeter();
 * m.recordSuccess("tagging", "gpt-5-mini", 1000, 100, 0);
 * console.log(m.snapshot().byKind.tagging.costUsd); // 0.00045
 * ```
 */
export class UsageMeter {
  #byKind = new Map<string, UsageCounters>();
  #byModel = new Map<string, { calls: number; promptTokens: number; completionTokens: number }>();
  readonly #prices: Readonly<Record<string, ModelPrice>>;

  constructor(prices: Readonly<Record<string, ModelPrice>> = DEFAULT_PRICES) {
    this.#prices = prices;
  }

  #kind(kind: string): UsageCounters {
    let c = this.#byKind.get(kind);
    if (!c) this.#byKind.set(kind, c = empty());
    return c;
  }

  /** Records one successful call (after `retries` retries). */
  recordSuccess(
    kind: string,
    model: string,
    promptTokens: number,
    completionTokens: number,
    retries: number,
  ): void {
    const c = this.#kind(kind);
    c.calls++;
    c.retries += retries;
    c.promptTokens += promptTokens;
    c.completionTokens += completionTokens;
    c.totalTokens += promptTokens + completionTokens;
    const cost = callCost(this.#prices, model, promptTokens, completionTokens);
    if (cost === null) c.unpricedCalls++;
    else c.costUsd = (c.costUsd ?? 0) + cost;
    let m = this.#byModel.get(model);
    if (!m) this.#byModel.set(model, m = { calls: 0, promptTokens: 0, completionTokens: 0 });
    m.calls++;
    m.promptTokens += promptTokens;
    m.completionTokens += completionTokens;
  }

  /** Records one call that failed after `retries` retries. */
  recordFailure(kind: string, retries: number): void {
    const c = this.#kind(kind);
    c.failures++;
    c.retries += retries;
  }

  /** A deep copy of the counters. */
  snapshot(): UsageSnapshot {
    const byKind: Record<string, UsageCounters> = {};
    const total = empty();
    for (const [k, c] of this.#byKind) {
      byKind[k] = { ...c };
      total.calls += c.calls;
      total.failures += c.failures;
      total.retries += c.retries;
      total.promptTokens += c.promptTokens;
      total.completionTokens += c.completionTokens;
      total.totalTokens += c.totalTokens;
      total.unpricedCalls += c.unpricedCalls;
      if (c.costUsd !== null) total.costUsd = (total.costUsd ?? 0) + c.costUsd;
    }
    const byModel: UsageSnapshot["byModel"] = {};
    for (const [k, m] of this.#byModel) byModel[k] = { ...m };
    return { byKind, total, byModel };
  }
}
