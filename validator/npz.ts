/**
 * @module
 * Reads numpy `.npz` archives (a zip of `.npy` files, stored or deflated) far enough to take over
 * a Python validator's `state.npz`: little-endian floats and ints, booleans, and fixed-width
 * unicode strings. Anything else is a clear error, never a guess.
 */

/** One decoded array: its shape and values (strings for unicode arrays). */
export interface NpyArray {
  dtype: string;
  shape: number[];
  data: number[] | bigint[] | string[] | boolean[];
}

/** A file that is not an npz/npy this reader understands. */
export class NpzError extends Error {
  override name = "NpzError";
}

const td = new TextDecoder();

async function inflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(
    new DecompressionStream("deflate-raw"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The entries of a zip archive by name (stored or deflated entries only). */
export async function readZip(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new NpzError("not a zip archive (no end-of-central-directory record)");
  let count = dv.getUint16(eocd + 10, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    // zip64: the locator sits just before the EOCD record
    const loc = eocd - 20;
    if (loc < 0 || dv.getUint32(loc, true) !== 0x07064b50) throw new NpzError("bad zip64 locator");
    const z64 = Number(dv.getBigUint64(loc + 8, true));
    count = Number(dv.getBigUint64(z64 + 32, true));
    cdOffset = Number(dv.getBigUint64(z64 + 48, true));
  }
  const out = new Map<string, Uint8Array>();
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (dv.getUint32(p, true) !== 0x02014b50) throw new NpzError("corrupt zip central directory");
    const method = dv.getUint16(p + 10, true);
    let compSize = dv.getUint32(p + 20, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localOff = dv.getUint32(p + 42, true);
    const name = td.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field for sizes/offsets
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = dv.getUint16(e, true);
      const size = dv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (dv.getUint32(p + 24, true) === 0xffffffff) q += 8; // uncompressed size
        if (compSize === 0xffffffff) {
          compSize = Number(dv.getBigUint64(q, true));
          q += 8;
        }
        if (localOff === 0xffffffff) localOff = Number(dv.getBigUint64(q, true));
      }
      e += 4 + size;
    }
    const lNameLen = dv.getUint16(localOff + 26, true);
    const lExtraLen = dv.getUint16(localOff + 28, true);
    const start = localOff + 30 + lNameLen + lExtraLen;
    const raw = bytes.subarray(start, start + compSize);
    if (method === 0) out.set(name, raw);
    else if (method === 8) out.set(name, await inflateRaw(raw));
    else throw new NpzError(`zip entry ${name} uses unsupported compression method ${method}`);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Decodes one `.npy` file. */
export function readNpy(bytes: Uint8Array): NpyArray {
  if (bytes[0] !== 0x93 || td.decode(bytes.subarray(1, 6)) !== "NUMPY") {
    throw new NpzError("not an .npy file");
  }
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = td.decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) {
    throw new NpzError(`bad .npy header ${header}`);
  }
  if (fortran === "True") throw new NpzError("fortran-ordered arrays are not supported");
  const shape = shapeText.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const off = headerStart + headerLen;
  const body = new DataView(bytes.buffer, bytes.byteOffset + off, bytes.byteLength - off);
  const read = <T>(size: number, f: (i: number) => T): T[] => {
    if (body.byteLength < count * size) throw new NpzError(`truncated .npy data (${descr})`);
    return Array.from({ length: count }, (_, i) => f(i * size));
  };
  switch (descr) {
    case "<f4":
      return { dtype: descr, shape, data: read(4, (o) => body.getFloat32(o, true)) };
    case "<f8":
      return { dtype: descr, shape, data: read(8, (o) => body.getFloat64(o, true)) };
    case "<i8":
      return { dtype: descr, shape, data: read(8, (o) => body.getBigInt64(o, true)) };
    case "<i4":
      return { dtype: descr, shape, data: read(4, (o) => body.getInt32(o, true)).map(Number) };
    case "|b1":
      return { dtype: descr, shape, data: read(1, (o) => body.getUint8(o) !== 0) };
  }
  const u = /^<U(\d+)$/.exec(descr);
  if (u) {
    const width = Number(u[1]);
    return {
      dtype: descr,
      shape,
      data: read(width * 4, (o) => {
        let s = "";
        for (let k = 0; k < width; k++) {
          const cp = body.getUint32(o + k * 4, true);
          if (cp === 0) break;
          s += String.fromCodePoint(cp);
        }
        return s;
      }),
    };
  }
  throw new NpzError(`unsupported dtype ${descr} (object arrays need pickle, which we never run)`);
}

/** All arrays of an `.npz` archive by name (without the `.npy` suffix). */
export async function readNpz(bytes: Uint8Array): Promise<Map<string, NpyArray>> {
  const out = new Map<string, NpyArray>();
  for (const [name, data] of await readZip(bytes)) {
    out.set(name.replace(/\.npy$/, ""), readNpy(data));
  }
  return out;
}
