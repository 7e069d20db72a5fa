/**
 * @module
 * The validator's durable state: step, per-uid scores and moving averages, the hotkeys they
 * belong to, and the block of the last weight submission. Written atomically (temp file, fsync,
 * rename; score updates written behind by validator/state_writer.ts), so a `kill -9` at any point
 * leaves either the old or the new state on disk, never a torn one. Arrays follow the metagraph:
 * they grow with the subnet, and a uid whose hotkey changed starts again from zero.
 */
import { z } from "zod";

/** The state file's schema (version 1). */
export const ValidatorStateSchema = z.object({
  version: z.literal(1),
  step: z.number().int().nonnegative(),
  hotkeys: z.array(z.string()),
  scores: z.array(z.number()),
  ema: z.array(z.number()),
  lastWeightBlock: z.number().int().nonnegative().nullable(),
  updatedAt: z.string(),
}).refine(
  (s) => s.scores.length === s.hotkeys.length && s.ema.length === s.hotkeys.length,
  "hotkeys, scores and ema must have the same length",
);
/** The validator's durable state. */
export type ValidatorState = z.infer<typeof ValidatorStateSchema>;

/** A fresh state for a metagraph of `hotkeys`. */
export function emptyState(hotkeys: readonly string[]): ValidatorState {
  return {
    version: 1,
    step: 0,
    hotkeys: hotkeys.slice(),
    scores: hotkeys.map(() => 0),
    ema: hotkeys.map(() => 0),
    lastWeightBlock: null,
    updatedAt: new Date().toISOString(),
  };
}

/**
 * The state re-aligned to a new metagraph: arrays grow (new uids at 0) or shrink, and uids whose
 * hotkey changed are reset to 0. Upstream forgot to grow the EMA array; we do not.
 */
export function resyncState(state: ValidatorState, hotkeys: readonly string[]): {
  state: ValidatorState;
  reset: number[];
} {
  const reset: number[] = [];
  const scores = hotkeys.map((hk, uid) => {
    if (uid < state.hotkeys.length && state.hotkeys[uid] === hk) return state.scores[uid];
    if (uid < state.hotkeys.length) reset.push(uid);
    return 0;
  });
  const ema = hotkeys.map((hk, uid) =>
    uid < state.hotkeys.length && state.hotkeys[uid] === hk ? state.ema[uid] : 0
  );
  return { state: { ...state, hotkeys: hotkeys.slice(), scores, ema }, reset };
}

/** A state file that exists but cannot be used; the message says why and where. */
export class StateFileError extends Error {
  override name = "StateFileError";
}

/**
 * Writes `data` to `path` atomically: temp file in the same directory, fsync, rename. Only the
 * fsync, the one step that waits for the disk, is an async op: each async fs op hands its work to
 * another thread and back, which here cost more CPU than the small write itself (about 600 us of
 * CPU per call with every step async, about 300 us like this).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = path.slice(0, Math.max(0, path.lastIndexOf("/"))) || ".";
  Deno.mkdirSync(dir, { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const f = Deno.openSync(tmp, { write: true, create: true, truncate: true, mode: 0o600 });
  try {
    let off = 0;
    while (off < bytes.length) off += f.writeSync(bytes.subarray(off));
    await f.sync();
  } finally {
    f.close();
  }
  Deno.renameSync(tmp, path);
}

/** Saves the state atomically. */
export async function saveState(path: string, state: ValidatorState): Promise<void> {
  const s = { ...state, updatedAt: new Date().toISOString() };
  await writeFileAtomic(path, JSON.stringify(s));
}

/** Loads the state; `undefined` when there is none yet; a clear error when it is unusable. */
export async function loadState(path: string): Promise<ValidatorState | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new StateFileError(`state file ${path} is not JSON; move it away to start fresh`);
  }
  const r = ValidatorStateSchema.safeParse(raw);
  if (!r.success) {
    throw new StateFileError(
      `state file ${path} is invalid: ${
        r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")
      }`,
    );
  }
  return r.data;
}
