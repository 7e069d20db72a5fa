/**
 * @module
 * Repeated windows are answered from memory: validators often send the same window to a miner
 * again (retries on 408/422, several validators reserving the same conversation). The key is a
 * SHA-256 of what determines the answer (task type, categories, prompt, lines), never the
 * masked guids.
 */
import type { MinerInput } from "./mine_task.ts";

/** The cache key of an input. */
export async function inputKey(input: MinerInput, useTaskPrompt: boolean): Promise<string> {
  const material = input.generation === "legacy" ? ["legacy", input.lines] : [
    input.task.type,
    input.task.input?.input_categories ?? [],
    useTaskPrompt ? input.task.prompt_chain?.[0]?.prompt_template ?? null : null,
    input.task.input?.data.window ?? null,
    input.task.input?.data.survey_question ?? null,
    input.task.input?.data.comment ?? null,
  ];
  const bytes = new TextEncoder().encode(JSON.stringify(material));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A bounded least-recently-used map of tag lists, with hit/miss counters. */
export class ResultCache {
  readonly #max: number;
  readonly #map = new Map<string, string[]>();
  hits = 0;
  misses = 0;

  constructor(maxEntries = 4096) {
    this.#max = Math.max(1, maxEntries);
  }

  /** The cached tags for `key`, refreshed as most recent. */
  get(key: string): string[] | undefined {
    const v = this.#map.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.#map.delete(key);
    this.#map.set(key, v);
    return v.slice();
  }

  /** Stores tags; empty answers are not cached (they are usually failures worth retrying). */
  set(key: string, tags: string[]): void {
    if (!tags.length) return;
    this.#map.delete(key);
    this.#map.set(key, tags.slice());
    while (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }

  /** Number of cached answers. */
  get size(): number {
    return this.#map.size;
  }
}
