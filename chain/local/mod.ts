/**
 * @module
 * The local subtensor chain: a loopback substrate JSON-RPC node serving real subtensor metadata,
 * for tests, benches and the demo. See docs/local_chain.md.
 */
export {
  type CreateSubnetOptions,
  CreateSubnetOptionsSchema,
  type LocalChain,
  LocalChainError,
  type LocalChainOptions,
  LocalChainOptionsSchema,
  startLocalChain,
} from "./local_chain.ts";
export {
  defaultCacheDir,
  type FetchedMetadata,
  fetchMetadata,
  MetadataSourceError,
  readMetadataFile,
} from "./metadata_source.ts";
export {
  BEACON_DST,
  type BeaconPulse,
  LocalBeacon,
  QUICKNET_GENESIS_TIME,
  QUICKNET_PERIOD_S,
  roundAt,
  roundMessage,
} from "./beacon.ts";
export {
  blocksUntilNextEpoch,
  CUSTOM_ERROR_CODES,
  customErrorCode,
  epochIndex,
  shouldRunEpoch,
} from "./pallet.ts";
export { ChainCodec } from "./codec.ts";
