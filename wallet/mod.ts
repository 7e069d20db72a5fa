/**
 * @module
 * btcli-compatible wallets: the `~/.bittensor/wallets/<name>/...` layout, plaintext and
 * NaCl-encrypted keyfiles, `BT_PW_` passwords, polkadot-js JSON import, and creating wallets
 * the Python `bittensor-wallet` loads unchanged. Most callers need only {@link openWallet}.
 *
 * @example
 * ```ts ignore
 * import { openWallet } from "./wallet/mod.ts";
 * const hotkey = await openWallet({ name: "miner", hotkey: "default" }).hotkey();
 * ```
 */
export {
  cryptoReady,
  KeyError,
  Keypair,
  type Signer,
  SS58_PREFIX,
  ss58Decode,
  ss58Encode,
  verifySignature,
  verifySignatureSync,
} from "./keypair.ts";
export { WalletError, type WalletErrorCode } from "./errors.ts";
export {
  type KeyfileJson,
  keyfileJsonFor,
  KeyfileJsonSchema,
  type KeyfileKey,
  keyFromKeyfileJson,
  parseKeyfileJson,
  publicKeyfileJson,
  type PublicKeyInfo,
  serializeKeyfileJson,
} from "./keyfile_json.ts";
export {
  decryptKeyfileData,
  deriveNaclKey,
  encryptKeyfileData,
  type KeyfileEncoding,
  keyfileEncoding,
  NACL_ARGON2I,
  NACL_PREFIX,
  NACL_SALT,
  naclOpen,
  naclSeal,
} from "./nacl_keyfile.ts";
export {
  checkNewPassword,
  decodeEnvPassword,
  encodeEnvPassword,
  type EnvGetter,
  MIN_PASSWORD_LENGTH,
  passwordEnvVarName,
  passwordFromEnv,
  type PasswordPrompt,
  processEnv,
  promptPassword,
} from "./password.ts";
export {
  DEFAULT_HOTKEY_NAME,
  DEFAULT_WALLET_NAME,
  DEFAULT_WALLET_PATH,
  expandHome,
  resolveWalletLocation,
  type WalletLocation,
  type WalletOptions,
  type WalletPaths,
  walletPaths,
} from "./wallet_paths.ts";
export {
  decodeKeyfileBytes,
  isKeyfileEncrypted,
  loadKeyfile,
  type ReadKeyfileOptions,
  writeKeyfile,
  type WriteKeyfileOptions,
} from "./keyfile.ts";
export { openWallet, type OpenWalletOptions, Wallet } from "./wallet.ts";
export {
  createColdkey,
  type CreateColdkeyOptions,
  type CreatedWallet,
  createHotkey,
  type CreateHotkeyOptions,
  createWallet,
  type CreateWalletOptions,
} from "./create_wallet.ts";
export {
  decodePkcs8,
  keypairFromPolkadotJson,
  type PolkadotJson,
  PolkadotJsonSchema,
} from "./polkadot_json.ts";
