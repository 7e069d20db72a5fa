/**
 * @module
 * The `<Bytes>…</Bytes>` form of a message: substrate wallets (polkadot-js extensions) sign
 * that wrapping instead of the raw bytes, so verifiers accept a signature of either.
 */
const enc = new TextEncoder();
const OPEN = enc.encode("<Bytes>");
const CLOSE = enc.encode("</Bytes>");

/** `message` wrapped as `<Bytes>message</Bytes>`. */
export function bytesWrapped(message: Uint8Array): Uint8Array {
  const wrapped = new Uint8Array(OPEN.length + message.length + CLOSE.length);
  wrapped.set(OPEN, 0);
  wrapped.set(message, OPEN.length);
  wrapped.set(CLOSE, OPEN.length + message.length);
  return wrapped;
}
