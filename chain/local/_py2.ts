import { Keyring } from "@polkadot/api";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { startLocalChain } from "./mod.ts";
await cryptoWaitReady();
const chain = await startLocalChain({
  metadataPath: "../shared/chain/subtensor-metadata-v16.scale",
  blockTimeMs: 100,
  port: 9967,
});
const kr = new Keyring({ type: "sr25519" });
chain.createSubnet(1, {
  tempo: 100,
  commitReveal: false,
  minAllowedWeights: 1,
  weightsRateLimit: 0,
});
chain.fund(kr.addFromUri("//Alice").address, 10n ** 12n);
chain.registerNeuron(1, kr.addFromUri("//Alice").address, kr.addFromUri("//Bob").address, {
  stakeRao: 10n ** 12n,
  validatorPermit: true,
});
chain.registerNeuron(1, kr.addFromUri("//Charlie").address, kr.addFromUri("//Bob").address);
console.log("up", chain.url);
await new Promise((r) => setTimeout(r, 100_000));
console.log("W", chain.weights(1, 0), "UNKNOWN", chain.unknownMethods());
await chain.close();
