/**
 * @module
 * Upstream's `Utils.split_overlap_array`: overlapping windows over a list, with the exact
 * slice semantics subnet 33 validators use (tested against `vectors/windows.json`).
 */

/**
 * Splits `items` into windows of `size` that overlap by `overlap`. With `step = size - overlap`:
 * `step <= 0` gives the whole list as one window (none for an empty list); otherwise window `i`
 * is `items[i*step, i*step+size)`, stopping once a window reaches the end. The last window may be
 * short, an empty list gives one empty window, and a negative overlap can leave a trailing empty
 * window, exactly as upstream.
 *
 * @example
 * ```ts
 * splitOverlapArray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10, 2); // [[0..9], [8, 9, 10]]
 * ```
 */
export function splitOverlapArray<T>(items: readonly T[], size: number, overlap: number): T[][] {
  const step = size - overlap;
  if (step <= 0) return items.length ? [items.slice()] : [];
  const n = items.length;
  const splits = Math.floor(n / step) + 1;
  const windows: T[][] = [];
  for (let i = 0; i < splits; i++) {
    const start = i * step;
    const end = start + size;
    windows.push(items.slice(start, end));
    if (end >= n) break;
  }
  return windows;
}
