/**
 * @module
 * Ground-truth vectors packed for messages: the tags and one `Float64Array` of all their vectors
 * back to back. As `[tag, number[]]` pairs every task's scoring plan was checked number by number
 * (by the sender and by the receiver, twice per task) and cloned number by number between threads;
 * packed, the check is one `instanceof` and the clone one copy. Float64 holds every JS number
 * exactly, so scores do not change.
 */
import { z } from "zod";

/** Tags and their vectors (`dims` numbers each, in tag order). */
export const PackedVectorsSchema = z.object({
  tags: z.array(z.string()),
  dims: z.number().int().nonnegative(),
  data: z.instanceof(Float64Array),
}).refine(
  (p) => p.data.length === p.tags.length * p.dims,
  "data must hold dims numbers per tag",
);
/** Tags and their vectors, packed. */
export type PackedVectors = z.infer<typeof PackedVectorsSchema>;

/** Packs `[tag, vector]` pairs (all vectors of one length). */
export function packVectors(
  pairs: ReadonlyArray<readonly [string, ArrayLike<number>]>,
): PackedVectors {
  const dims = pairs.length ? pairs[0][1].length : 0;
  const data = new Float64Array(pairs.length * dims);
  pairs.forEach(([tag, v], i) => {
    if (v.length !== dims) {
      throw new RangeError(`vector of ${JSON.stringify(tag)} has ${v.length} numbers, not ${dims}`);
    }
    data.set(v, i * dims);
  });
  return { tags: pairs.map(([t]) => t), dims, data };
}

/** The tag → vector map of packed vectors, in tag order (views into `data`, no copies). */
export function unpackVectors(p: PackedVectors): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  p.tags.forEach((t, i) => out.set(t, p.data.subarray(i * p.dims, (i + 1) * p.dims)));
  return out;
}
