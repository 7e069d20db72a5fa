/**
 * @module
 * An `@polkadot/api` transaction signer over our own sr25519 keypairs (`wallet/keypair.ts`):
 * the secret never leaves the {@link Keypair}, no KeyringPair copy is made. It signs what
 * polkadot-js' own pairs sign: the SCALE payload (blake2-256 of it when longer than 256 bytes),
 * and returns a `MultiSignature` (type byte 0x01 = Sr25519, then the 64-byte signature).
 */
import type { Signer as ApiSigner, SignerResult } from "@polkadot/api/types";
import type { Registry, SignerPayloadJSON, SignerPayloadRaw } from "@polkadot/types/types";
import { hexToU8a, isHex, u8aToHex, u8aWrapBytes } from "@polkadot/util";
import { blake2AsU8a } from "@polkadot/util-crypto";
import type { Signer as WalletSigner } from "../wallet/keypair.ts";

/** Signs extrinsics for one account with a wallet signer (hotkey or coldkey). */
export class KeypairTxSigner implements ApiSigner {
  #id = 0;
  readonly #key: WalletSigner;
  readonly #registry: Registry;

  constructor(key: WalletSigner, registry: Registry) {
    this.#key = key;
    this.#registry = registry;
  }

  /** The SS58 address this signer signs for. */
  get address(): string {
    return this.#key.ss58Address;
  }

  /** Signs an extrinsic payload; refuses a payload for another account. */
  signPayload(payload: SignerPayloadJSON): Promise<SignerResult> {
    this.#checkAddress(payload.address);
    const ext = this.#registry.createType("ExtrinsicPayload", payload, {
      version: payload.version,
    });
    const bytes = ext.toU8a({ method: true });
    const msg = bytes.length > 256 ? blake2AsU8a(bytes, 256) : bytes;
    const sig = this.#key.sign(msg);
    const multi = new Uint8Array(65);
    multi[0] = 1; // Sr25519
    multi.set(sig, 1);
    return Promise.resolve({ id: ++this.#id, signature: u8aToHex(multi) });
  }

  /** Signs raw bytes the way polkadot-js does (`<Bytes>` wrapped). */
  signRaw(raw: SignerPayloadRaw): Promise<SignerResult> {
    this.#checkAddress(raw.address);
    const data = isHex(raw.data) ? hexToU8a(raw.data) : new TextEncoder().encode(raw.data);
    const sig = this.#key.sign(u8aWrapBytes(data));
    return Promise.resolve({ id: ++this.#id, signature: u8aToHex(sig) });
  }

  #checkAddress(address: string): void {
    const want = this.#registry.createType("AccountId32", this.#key.publicKey).toString();
    const got = this.#registry.createType("AccountId32", address).toString();
    if (want !== got) throw new Error(`signer holds ${want}, asked to sign for ${got}`);
  }
}
