/**
 * @module
 * Submitted extrinsics as the transaction pool sees them: decode with the runtime's registry,
 * verify the sr25519/ed25519 signature over the signing payload (call, era, nonce, tip, mode +
 * spec/tx version, genesis and era-birth hash, metadata hash), and turn the call's arguments into
 * plain values. Failures are `PoolError`s carrying the substrate JSON-RPC code and data.
 */
import type { Codec } from "@polkadot/types/types";
import { u8aToHex } from "@polkadot/util";
import { blake2AsU8a, signatureVerify } from "@polkadot/util-crypto";
import type { ChainCodec } from "./codec.ts";

/** A pool rejection, answered as a JSON-RPC error exactly like substrate's author RPC. */
export class PoolError extends Error {
  override name = "PoolError";
  constructor(readonly code: number, message: string, readonly data?: string) {
    super(message);
  }
}

/** `1010: Invalid Transaction` with the given data string. */
export const invalidTx = (data: string) => new PoolError(1010, "Invalid Transaction", data);

/** A signed extrinsic decoded and checked for authenticity (not yet for state rules). */
export interface CheckedExtrinsic {
  hex: string;
  hash: string;
  signer: string;
  nonce: number;
  pallet: string;
  call: string;
  args: Record<string, unknown>;
  /** blake2_256 of the raw `commit` argument, when present (TimelockedWeightsCommitted). */
  commitHash?: Uint8Array;
}

/** Converts a decoded call argument to a plain JS value (numbers, bigints, hex, bytes). */
export function plainArg(codec: Codec): unknown {
  const raw = codec.toRawType();
  if (/^(u8|u16|u32|i8|i16|i32|bool|Compact<u(8|16|32)>)$/.test(raw)) return codec.toPrimitive();
  if (/^(u64|u128|i64|i128|Compact<u(64|128)>)$/.test(raw)) return BigInt(codec.toString());
  if (raw === "AccountId32" || raw === "AccountId" || raw === "H256") {
    return u8aToHex(codec.toU8a());
  }
  if (raw === "Bytes" || raw === "Vec<u8>") {
    return (codec as unknown as { toU8a(b: boolean): Uint8Array }).toU8a(true);
  }
  if (raw.startsWith("Vec<")) return (codec as unknown as Codec[]).map((c) => plainArg(c));
  return codec.toPrimitive();
}

/**
 * Decodes and authenticates an extrinsic. `blockHashAt(n)` gives the hash of block n (era
 * birth), `current` the best block number.
 */
export function checkExtrinsic(
  codec: ChainCodec,
  hex: string,
  genesisHash: string,
  current: number,
  blockHashAt: (n: number) => string | undefined,
): CheckedExtrinsic {
  const registry = codec.registry;
  // deno-lint-ignore no-explicit-any
  let ext: any;
  try {
    ext = registry.createType("Extrinsic", hex);
    if (ext.toHex() !== hex.toLowerCase()) throw new Error("trailing or non-canonical bytes");
  } catch (e) {
    throw new PoolError(
      1001,
      "Extrinsic has invalid format",
      `Could not decode extrinsic: ${(e as Error).message}`,
    );
  }
  if (!ext.isSigned) throw invalidTx("Transaction call is not expected");
  const sig = ext.inner.signature;
  const era = sig.era;
  let birthHash = genesisHash;
  if (era.isMortalEra) {
    const birth = era.asMortalEra.birth(current);
    const h = blockHashAt(birth);
    if (!h) throw invalidTx("Transaction has an ancient birth block");
    birthHash = h;
  }
  const payload = registry.createType("ExtrinsicPayload", {
    method: ext.method.toHex(),
    era,
    nonce: sig.nonce,
    tip: sig.tip,
    mode: sig.mode,
    metadataHash: sig.metadataHash,
    specVersion: codec.version.specVersion,
    transactionVersion: codec.version.transactionVersion,
    genesisHash,
    blockHash: birthHash,
  }, { version: ext.version & 0x7f });
  const data = payload.toU8a({ method: true });
  const message = data.length > 256 ? blake2AsU8a(data, 256) : data;
  const signer = u8aToHex(sig.signer.toU8a().slice(-32));
  let valid = false;
  try {
    valid = signatureVerify(message, sig.multiSignature.toU8a(), signer).isValid;
  } catch {
    valid = false;
  }
  if (!valid) throw invalidTx("Transaction has a bad signature");
  const found = registry.findMetaCall(ext.method.callIndex);
  const pallet =
    codec.metadata.asLatest.pallets.find((p) => p.index.toNumber() === ext.method.callIndex[0])
      ?.name.toString() ?? found.section;
  const args: Record<string, unknown> = {};
  // deno-lint-ignore no-explicit-any
  ext.method.meta.fields.forEach((f: any, i: number) => {
    args[f.name.unwrap().toString()] = plainArg(ext.method.args[i]);
  });
  const commit = args.commit instanceof Uint8Array ? blake2AsU8a(args.commit, 256) : undefined;
  return {
    hex: hex.toLowerCase(),
    hash: u8aToHex(blake2AsU8a(ext.toU8a(), 256)),
    signer,
    nonce: sig.nonce.toNumber(),
    pallet,
    call: ext.method.meta.name.toString(),
    args,
    commitHash: commit,
  };
}
