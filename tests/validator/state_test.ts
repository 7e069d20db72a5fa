import assert from "node:assert/strict";
import { importPythonState } from "../../validator/import_state.ts";
import { NpzError } from "../../validator/npz.ts";
import {
  emptyState,
  loadState,
  resyncState,
  saveState,
  StateFileError,
} from "../../validator/state.ts";

const PY = new URL("../../.venv/bt9/bin/python", import.meta.url).pathname;

Deno.test("state: atomic save/load round trip, clear error on a bad file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/sub/state.json`;
  assert.equal(await loadState(path), undefined);
  const s = {
    ...emptyState(["a", "b"]),
    step: 7,
    scores: [0.5, 0.5],
    ema: [0.1, 0.2],
    lastWeightBlock: 99,
  };
  await saveState(path, s);
  const back = await loadState(path);
  assert.deepEqual({ ...back, updatedAt: "" }, { ...s, updatedAt: "" });
  assert.deepEqual(
    [...Deno.readDirSync(`${dir}/sub`)].map((e) => e.name),
    ["state.json"],
    "no temp files left",
  );
  await Deno.writeTextFile(path, "{not json");
  await assert.rejects(() => loadState(path), StateFileError);
  await Deno.writeTextFile(path, JSON.stringify({ ...s, scores: [1] }));
  await assert.rejects(() => loadState(path), /same length/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("state: resync grows arrays and resets replaced hotkeys", () => {
  const s = { ...emptyState(["a", "b", "c"]), scores: [1, 2, 3], ema: [0.1, 0.2, 0.3] };
  const { state, reset } = resyncState(s, ["a", "X", "c", "d"]);
  assert.deepEqual(state.scores, [1, 0, 3, 0]);
  assert.deepEqual(state.ema, [0.1, 0, 0.3, 0]);
  assert.deepEqual(reset, [1]);
});

for (const compressed of [false, true]) {
  Deno.test(`import-state: a real numpy state.npz (${compressed ? "savez_compressed" : "savez"})`, async () => {
    const dir = await Deno.makeTempDir();
    const out = `${dir}/state.npz`;
    const r = await new Deno.Command(PY, {
      args: [
        new URL("../interop/py/make_state_npz.py", import.meta.url).pathname,
        out,
        compressed ? "1" : "0",
      ],
    }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    const s = await importPythonState(await Deno.readFile(out));
    assert.equal(s.step, 1234);
    assert.deepEqual(s.hotkeys, [
      "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
      "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
      "5Ünïcode",
    ]);
    assert.deepEqual(s.scores, [0.5, 0.25, 0.125]);
    assert.deepEqual(
      s.ema.map((x) => Math.fround(x)),
      [Math.fround(0.1), Math.fround(0.2), 0],
      "NaN becomes 0",
    );
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("import-state: garbage is a clear error", async () => {
  await assert.rejects(() => importPythonState(new Uint8Array([1, 2, 3])), NpzError);
});

Deno.test("state writer: updates coalesce within the delay, now() writes at once, failures retried", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/state.json`;
  const { StateWriter } = await import("../../validator/state_writer.ts");
  const w = new StateWriter(path, 150);
  const at = (step: number) => ({ ...emptyState(["a"]), step });
  w.later(at(1));
  w.later(at(2));
  assert.equal(await loadState(path), undefined, "not written before the delay");
  assert.ok(w.dirty);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal((await loadState(path))?.step, 2, "the latest state, once");
  assert.ok(!w.dirty);
  w.later(at(3));
  await w.now(at(4));
  assert.equal((await loadState(path))?.step, 4, "now() supersedes the pending one");
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await loadState(path))?.step, 4, "the cancelled timer wrote nothing older");
  // With no delay, later() writes at once.
  await new StateWriter(path, 0).later(at(6));
  assert.equal((await loadState(path))?.step, 6, "delay 0: on disk when later() resolves");
  // A write that fails keeps its state for the next save.
  const blocked = `${dir}/blocked`;
  await Deno.writeTextFile(blocked, "a file where a directory should be");
  const bad = new StateWriter(`${blocked}/state.json`, 10);
  await assert.rejects(bad.now(at(5)));
  assert.ok(bad.dirty, "kept after a failed write");
  await Deno.remove(dir, { recursive: true });
});
