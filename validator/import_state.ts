/**
 * @module
 * `import-state`: takes over a Python validator's `state.npz` (`step`, `scores`, `hotkeys`,
 * `ema_scores`) so an operator who switches keeps the scores the network has seen from them.
 */
import { type NpyArray, NpzError, readNpz } from "./npz.ts";
import type { ValidatorState } from "./state.ts";

function numbers(a: NpyArray | undefined, name: string): number[] {
  if (!a) throw new NpzError(`state.npz has no '${name}' array`);
  if (a.dtype.startsWith("<U")) throw new NpzError(`'${name}' should be numeric, got ${a.dtype}`);
  return (a.data as Array<number | bigint | boolean>).map((v) => Number(v));
}

/** Converts the arrays of a Python `state.npz` into our state; lengths must agree. */
export async function importPythonState(bytes: Uint8Array): Promise<ValidatorState> {
  const arrays = await readNpz(bytes);
  const hk = arrays.get("hotkeys");
  if (!hk || !hk.dtype.startsWith("<U")) {
    throw new NpzError("state.npz has no unicode 'hotkeys' array");
  }
  const hotkeys = hk.data as string[];
  const scores = numbers(arrays.get("scores"), "scores");
  const ema = arrays.has("ema_scores")
    ? numbers(arrays.get("ema_scores"), "ema_scores")
    : scores.slice();
  const step = arrays.has("step") ? numbers(arrays.get("step"), "step")[0] ?? 0 : 0;
  if (scores.length !== hotkeys.length || ema.length !== hotkeys.length) {
    throw new NpzError(
      `state.npz arrays disagree: ${hotkeys.length} hotkeys, ${scores.length} scores, ${ema.length} ema_scores`,
    );
  }
  const clean = (xs: number[]) => xs.map((x) => (Number.isFinite(x) ? x : 0));
  return {
    version: 1,
    step,
    hotkeys,
    scores: clean(scores),
    ema: clean(ema),
    lastWeightBlock: null,
    updatedAt: new Date().toISOString(),
  };
}
