/**
 * @module
 * The store's Prometheus counters (text exposition format 0.0.4): requests by route and status,
 * reserves and records by outcome, plus gauges read from the repository at scrape time.
 */
import type { StoreStats } from "./repository.ts";

/** In-memory counters of one store process. */
export class StoreMetrics {
  readonly requests = new Map<string, number>();
  readonly reserves = new Map<string, number>();
  readonly records = new Map<string, number>();

  /** Counts one answered request (`path` is the route template, not the raw URL). */
  request(path: string, status: number): void {
    bump(this.requests, `path="${esc(path)}",status="${status}"`);
  }
  /** Counts one reserve by outcome (`ok`, `empty`, `busy`, `not_found`, `error`). */
  reserve(outcome: string): void {
    bump(this.reserves, `outcome="${esc(outcome)}"`);
  }
  /** Counts one record by outcome (`inserted`, `duplicate`, `conflict`, `rejected`). */
  record(outcome: string): void {
    bump(this.records, `outcome="${esc(outcome)}"`);
  }

  /** The exposition text. */
  render(stats: StoreStats): string {
    const out: string[] = [];
    const counter = (name: string, help: string, m: Map<string, number>) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, v] of [...m].sort()) out.push(`${name}{${labels}} ${v}`);
    };
    const gauge = (name: string, help: string, v: number) =>
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${v}`);
    counter("cgp_store_requests_total", "HTTP requests by route and status.", this.requests);
    counter("cgp_store_reserves_total", "Reserve requests by outcome.", this.reserves);
    counter("cgp_store_records_total", "Record requests by outcome.", this.records);
    gauge("cgp_store_leases_active", "Leases not yet expired.", stats.leasesActive);
    gauge("cgp_store_conversations_total", "Items in the store.", stats.items);
    gauge("cgp_store_results_total", "Result records stored.", stats.results);
    gauge("cgp_store_api_keys_total", "API keys issued.", stats.apiKeys);
    return out.join("\n") + "\n";
  }
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function esc(s: string): string {
  return s.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}
