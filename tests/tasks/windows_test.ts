import assert from "node:assert/strict";
import { conversationWindows, splitOverlapArray } from "../../tasks/mod.ts";

const vectors = JSON.parse(
  await Deno.readTextFile(new URL("../../../shared/vectors/windows.json", import.meta.url)),
);

/** The [start, end) range a window of consecutive integers covers. */
function range(w: number[], n: number): [number, number] {
  if (!w.length) return [Math.min(n, Infinity), Math.min(n, Infinity)];
  return [w[0], w[w.length - 1] + 1];
}

Deno.test("split_overlap_array: every vector case", () => {
  assert.ok(vectors.split_overlap_array.length > 300);
  for (const c of vectors.split_overlap_array) {
    const arr = Array.from({ length: c.n }, (_, i) => i);
    const got = splitOverlapArray(arr, c.size, c.overlap);
    assert.equal(got.length, c.windows.length, c.id);
    got.forEach((w, i) => {
      const [s, e] = c.windows[i];
      if (w.length === 0) assert.equal(s, e, `${c.id} window ${i} should be empty`);
      else assert.deepEqual(range(w, c.n), [s, e], `${c.id} window ${i}`);
      // a window of consecutive integers, exactly the slice upstream took
      assert.deepEqual(w, arr.slice(s, e), `${c.id} window ${i} contents`);
    });
  }
});

Deno.test("conversation bundle windows: trim, fallback, min_convo_windows", () => {
  for (const c of vectors.conversation_bundle_windows) {
    const lines = Array.from(
      { length: c.n_lines },
      (_, i) => [i % 2, String(i)] as [number, string],
    );
    const got = conversationWindows(lines, {
      minConvoWindows: c.min_convo_windows_field_present ? c.min_convo_windows : undefined,
    });
    assert.equal(got.length > 0, c.accepted, `${c.id} accepted`);
    assert.deepEqual(
      got.map((w) => [w.index, [Number(w.lines[0][1]), Number(w.lines.at(-1)![1]) + 1]]),
      c.indexed_windows,
      c.id,
    );
  }
});

Deno.test("upstream README examples: 300 lines give 38 windows, the last 4 lines long", () => {
  const arr = Array.from({ length: 300 }, (_, i) => i);
  const w = splitOverlapArray(arr, 10, 2);
  assert.equal(w.length, 38);
  assert.equal(w.at(-1)!.length, 4);
});
