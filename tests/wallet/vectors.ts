/**
 * @module
 * Wallet vectors from bittensor-wire.md §9 (5, 8, 9), shared by the wallet tests.
 */

/** Vector 5: btwallet tests/test_keyfile.py mnemonic and the keys derived from it. */
export const V5 = {
  phrase: "old leopard transfer rib spatial phone calm indicate online fire caution review",
  mini: "0xda3cf5b1e9144931a0f0db65664aab662673b099415a7f8121b7245fb0be4143",
  pub: "0xe4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446",
  ss58: "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX",
  canonical:
    "0x1f1995bdf3a17b60626a26cfe6f564b337d46056b7a1281b64c649d592ccda0a9cffd34d9fb01cae1fba61aeed184c817442a2186d5172416729a4b54dd4b84e",
  ed25519Form:
    "0xf8c8a8ec9d0fdd031353337936af279bbda106b3ba0d45d920334eaa9664d6569cffd34d9fb01cae1fba61aeed184c817442a2186d5172416729a4b54dd4b84e",
};

/** Vector 8: a NaCl coldkey made with PyNaCl (libsodium). */
export const V8 = {
  password: "Password123",
  key: "d43e1b0a7bc81804afa6333c670085389385316f17e22fd1f6bcc15db69b027c",
  file:
    "244e41434c000102030405060708090a0b0c0d0e0f1011121314151617c5dbae3c7faba1c0a003a94f6c3720a44c0f74956d6572e59991d76085c756b31f136d46ae037b95d9c2830e586c8b70ae60a623c0b79ea58c8fd15bca1e770254171f27cbae30de0c1ae87a8b2e581391fa636091e519e017aeabe8105447cdbf3c3fb126c956e58fd0f798c67a245957743b21a852645d5c2eeb7677439053debcfcc58ab9a5f655372956a5e8ca754a58a550f783782819afe27ea61f4a521f8aa970",
  plaintext:
    '{"ss58Address":"5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX","secretSeed":"0xda3cf5b1e9144931a0f0db65664aab662673b099415a7f8121b7245fb0be4143"}',
};

/** Vector 9: polkadot-js exported JSON from btwallet tests/test_common_calls.py. */
export const V9 = {
  password: "Password123",
  address: "5CuByUQBWZci5AtXonuHHhcbRL3yxM5xDdJsTNaYN3vPDY6f",
  json:
    '{"encoded":"Z1yzxASuj21ej3CANbZKc3ibDaOpQPMahTT0qkniyZgAgAAAAQAAAAgAAACSDgflXWKXrX36EmX9XcA6cRpkN+oZX30/9FhtNP17krIG/yHLKmDnL1km1W/nZ+BpC7Qid6IuBvbZeboFyewFeXsKtcoY/bRY6nx/cLB5BND9WpXXS6Enf4RXAX7vPu/BY+o2z7VwPaXyFARfyPTiqJKqLDJWm3W5ZlvK0ks8FBv66mWEBYc+lLx8jvuzDNkdD3pnV3G802OwwHTy","encoding":{"content":["pkcs8","sr25519"],"type":["scrypt","xsalsa20-poly1305"],"version":"3"},"address":"5CuByUQBWZci5AtXonuHHhcbRL3yxM5xDdJsTNaYN3vPDY6f","meta":{"genesisHash":null,"name":"test","whenCreated":1727395683981}}',
};

/** Asserts an error's message (and name) contain none of the given secret strings. */
export function assertNoSecret(err: unknown, secrets: string[]): void {
  const text = `${String(err)} ${(err as Error)?.stack ?? ""} ${JSON.stringify(err)}`;
  for (const s of secrets) {
    for (const form of [s, s.replace(/^0x/, ""), s.slice(2, 20)]) {
      if (form.length >= 8 && text.includes(form)) {
        throw new Error(
          `secret material leaked into an error message (${
            err instanceof Error ? err.name : typeof err
          })`,
        );
      }
    }
  }
}
