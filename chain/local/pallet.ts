/**
 * @module
 * SubtensorModule logic of the local chain, written from the subtensor pallet's rules
 * (subtensor-chain.md §2b, §2e, §3): the pool-time guards (`SubtensorTransactionExtension`:
 * CheckWeights, CheckRateLimits, CheckServingEndpoints) and the dispatchables with their checks in
 * the chain's order. Functions mutate `ChainState` and return events or an error NAME; the caller
 * turns names into `Custom error: N` (pool) or `DispatchError::Module` (dispatch).
 */
import type { AxonInfo, ChainState, Neuron, Subnet } from "./state.ts";
import { hotkeyAlpha, newNeuron } from "./state.ts";

/** An event to deposit: pallet name, event name, field values in declaration order. */
export interface PendingEvent {
  pallet: string;
  name: string;
  fields: unknown[];
}

/** Outcome of a dispatchable: events on success, or the pallet error name. */
export type DispatchOutcome = { ok: true; events: PendingEvent[] } | { ok: false; error: string };

/** `GLOBAL_MAX_SUBNET_COUNT`: storage_index = mecid * 4096 + netuid. */
export const MECHANISM_STRIDE = 4096;

/** Pallet error name → `CustomTransactionError` code (subtensor `extensions/subtensor.rs`). */
export const CUSTOM_ERROR_CODES: Record<string, number> = {
  AmountTooLow: 1,
  NotEnoughStakeToSetWeights: 1,
  NotEnoughBalanceToStake: 2,
  SubnetNotExists: 3,
  HotKeyAccountNotExists: 4,
  NotEnoughStakeToWithdraw: 5,
  CommittingWeightsTooFast: 6,
  SettingWeightsTooFast: 6,
  NetworkTxRateLimitExceeded: 6,
  InsufficientLiquidity: 7,
  SlippageTooHigh: 8,
  TransferDisallowed: 9,
  HotKeyNotRegisteredInNetwork: 10,
  InvalidIpAddress: 11,
  ServingRateLimitExceeded: 12,
  InvalidPort: 13,
  InvalidRevealRound: 15,
  NoWeightsCommitFound: 16,
  RevealTooEarly: 17,
  InputLengthsUnequal: 18,
  HotKeyNotRegisteredInSubNet: 19,
  NonAssociatedColdKey: 27,
};

/** The `Custom error: N` code for a guard failure (255 = BadRequest for anything unmapped). */
export function customErrorCode(error: string): number {
  return CUSTOM_ERROR_CODES[error] ?? 255;
}

/** Epoch index in the SDK-era formula: `(block + netuid + 1) / (tempo + 1)`. */
export function epochIndex(netuid: number, tempo: number, block: number): bigint {
  return BigInt(Math.floor((block + netuid + 1) / (tempo + 1)));
}

/** Blocks until the next epoch (subtensor `blocks_until_next_epoch`); the epoch runs at 0. */
export function blocksUntilNextEpoch(netuid: number, tempo: number, block: number): number {
  if (tempo === 0) return Number.MAX_SAFE_INTEGER;
  return tempo - ((block + netuid + 1) % (tempo + 1));
}

/** Whether subnet `netuid` runs its epoch at `block`. */
export function shouldRunEpoch(netuid: number, tempo: number, block: number): boolean {
  return blocksUntilNextEpoch(netuid, tempo, block) === 0;
}

/** Max-upscale so the largest value becomes 65535 (`vec_u16_max_upscale_to_u16`). */
export function maxUpscale(values: number[]): number[] {
  const max = Math.max(0, ...values);
  if (max === 0) return values.map(() => 0);
  if (max === 65535) return [...values];
  return values.map((v) => Number((BigInt(v) * 65535n + BigInt(max) / 2n) / BigInt(max)));
}

function uidOf(subnet: Subnet, hotkey: string): number | undefined {
  return subnet.neurons.find((n) => n.hotkey === hotkey)?.uid;
}

/** `check_weights_min_stake`: owner hotkey bypasses; else alpha stake >= StakeThreshold. */
export function passesMinStake(state: ChainState, hotkey: string, netuid: number): boolean {
  const subnet = state.subnets.get(netuid);
  if (subnet && subnet.ownerHotkey === hotkey) return true;
  return hotkeyAlpha(state, hotkey, netuid) >= state.stakeThreshold;
}

/** `check_rate_limit`: LastUpdate 0, or `block - LastUpdate >= WeightsSetRateLimit`. */
export function passesRateLimit(subnet: Subnet, uid: number, block: number): boolean {
  const n = subnet.neurons[uid];
  if (!n) return false;
  if (n.lastUpdate === 0) return true;
  return BigInt(block - n.lastUpdate) >= subnet.hyper.weightsSetRateLimit;
}

/** A decoded call's arguments, already converted to plain values by the extrinsic layer. */
export type CallArgs = Record<string, unknown>;

const WEIGHT_CALLS = new Set([
  "set_weights",
  "set_mechanism_weights",
  "commit_weights",
  "commit_mechanism_weights",
  "reveal_weights",
  "reveal_mechanism_weights",
  "commit_timelocked_weights",
  "commit_timelocked_mechanism_weights",
  "commit_crv3_mechanism_weights",
]);

/**
 * Pool-time validation of a SubtensorModule call (`SubtensorTransactionExtension::validate`):
 * CheckWeights (min stake, reveal round), CheckRateLimits (weights when CR is off),
 * CheckServingEndpoints (serve_axon). Returns the pallet error name, or undefined when valid.
 */
export function validateSubtensorCall(
  state: ChainState,
  block: number,
  who: string,
  call: string,
  args: CallArgs,
): string | undefined {
  const netuid = args.netuid as number;
  if (WEIGHT_CALLS.has(call)) {
    if (!passesMinStake(state, who, netuid)) return "NotEnoughStakeToSetWeights";
    if (
      (call === "commit_timelocked_weights" || call === "commit_timelocked_mechanism_weights" ||
        call === "commit_crv3_mechanism_weights") &&
      (args.reveal_round as bigint) < state.lastStoredRound
    ) return "InvalidRevealRound";
  }
  if (call === "set_weights" || call === "set_mechanism_weights") {
    const subnet = state.subnets.get(netuid);
    if (subnet && !subnet.hyper.commitRevealWeightsEnabled) {
      const uid = uidOf(subnet, who);
      if (uid !== undefined && !passesRateLimit(subnet, uid, block)) return "SettingWeightsTooFast";
    }
  }
  if (call === "serve_axon" || call === "serve_axon_tls") {
    return checkServeAxon(state, block, who, args);
  }
  return undefined;
}

/** `validate_serve_axon`, shared by the pool guard and the dispatchable. */
export function checkServeAxon(
  state: ChainState,
  block: number,
  who: string,
  args: CallArgs,
): string | undefined {
  const netuid = args.netuid as number;
  const subnet = state.subnets.get(netuid);
  if (!subnet || uidOf(subnet, who) === undefined) return "HotKeyNotRegisteredInNetwork";
  const ipType = args.ip_type as number;
  if (ipType !== 4 && ipType !== 6) return "InvalidIpType";
  const ip = args.ip as bigint;
  if (ipType === 4 && (ip >= 0xffffffffn || ip === 0x7f000001n)) return "InvalidIpAddress";
  if (ipType === 6 && (ip === 1n || ip === (1n << 128n) - 1n)) return "InvalidIpAddress";
  const prev = subnet.neurons[uidOf(subnet, who)!].axon;
  const limit = subnet.hyper.servingRateLimit;
  if (!(limit === 0n || !prev || prev.block === 0 || BigInt(block - prev.block) >= limit)) {
    return "ServingRateLimitExceeded";
  }
  if ((args.port as number) === 0) return "InvalidPort";
  return undefined;
}

/** `serve_axon` (call 4). */
export function serveAxon(
  state: ChainState,
  block: number,
  who: string,
  args: CallArgs,
): DispatchOutcome {
  const error = checkServeAxon(state, block, who, args);
  if (error) return { ok: false, error };
  const netuid = args.netuid as number;
  const subnet = state.subnets.get(netuid)!;
  const n = subnet.neurons[uidOf(subnet, who)!];
  const axon: AxonInfo = {
    block,
    version: args.version as number,
    ip: args.ip as bigint,
    port: args.port as number,
    ipType: args.ip_type as number,
    protocol: args.protocol as number,
    placeholder1: args.placeholder1 as number,
    placeholder2: args.placeholder2 as number,
  };
  n.axon = axon;
  return {
    ok: true,
    events: [{ pallet: "SubtensorModule", name: "AxonServed", fields: [netuid, who] }],
  };
}

/** `serve_prometheus` (call 5). */
export function servePrometheus(
  state: ChainState,
  block: number,
  who: string,
  args: CallArgs,
): DispatchOutcome {
  const netuid = args.netuid as number;
  const subnet = state.subnets.get(netuid);
  const uid = subnet ? uidOf(subnet, who) : undefined;
  if (!subnet || uid === undefined) return { ok: false, error: "HotKeyNotRegisteredInNetwork" };
  const ipType = args.ip_type as number;
  if (ipType !== 4 && ipType !== 6) return { ok: false, error: "InvalidIpType" };
  subnet.neurons[uid].prometheus = {
    block,
    version: args.version as number,
    ip: args.ip as bigint,
    port: args.port as number,
    ipType,
  };
  return {
    ok: true,
    events: [{ pallet: "SubtensorModule", name: "PrometheusServed", fields: [netuid, who] }],
  };
}

/**
 * `do_set_mechanism_weights`: the checks of subtensor-chain.md §2b in the chain's order, then
 * store the max-upscaled row. `viaReveal` is the timelocked reveal path (no CR gate).
 */
export function setWeights(
  state: ChainState,
  block: number,
  who: string,
  netuid: number,
  mecid: number,
  uids: number[],
  values: number[],
  versionKey: bigint,
): DispatchOutcome {
  if (netuid === 0) return { ok: false, error: "CanNotSetRootNetworkWeights" };
  if (uids.length !== values.length) return { ok: false, error: "WeightVecNotEqualSize" };
  const subnet = state.subnets.get(netuid);
  if (!subnet || mecid !== 0) return { ok: false, error: "MechanismDoesNotExist" };
  if (uids.length > subnet.neurons.length) {
    return { ok: false, error: "UidsLengthExceedUidsInSubNet" };
  }
  const uid = uidOf(subnet, who);
  if (uid === undefined) return { ok: false, error: "HotKeyNotRegisteredInSubNet" };
  if (!passesMinStake(state, who, netuid)) {
    return { ok: false, error: "NotEnoughStakeToSetWeights" };
  }
  const required = subnet.hyper.weightsVersionKey;
  if (!(required === 0n || versionKey >= required)) {
    return { ok: false, error: "IncorrectWeightVersionKey" };
  }
  const cr = subnet.hyper.commitRevealWeightsEnabled;
  if (!cr && !passesRateLimit(subnet, uid, block)) {
    return { ok: false, error: "SettingWeightsTooFast" };
  }
  const selfWeight = uids.length === 1 && uids[0] === uid;
  const owner = subnet.ownerHotkey === who;
  if (!selfWeight && !owner && !subnet.neurons[uid].validatorPermit) {
    return { ok: false, error: "NeuronNoValidatorPermit" };
  }
  if (new Set(uids).size !== uids.length) return { ok: false, error: "DuplicateUids" };
  if (uids.some((u) => u >= subnet.neurons.length)) {
    return { ok: false, error: "UidVecContainInvalidOne" };
  }
  const minLen = Math.min(subnet.hyper.minAllowedWeights, subnet.neurons.length);
  if (!selfWeight && uids.length < minLen) return { ok: false, error: "WeightVecLengthIsLow" };
  const up = maxUpscale(values);
  const row: Array<[number, number]> = [];
  uids.forEach((u, i) => row.push([u, up[i]]));
  subnet.neurons[uid].weights = row;
  if (!cr) subnet.neurons[uid].lastUpdate = block;
  return {
    ok: true,
    events: [{
      pallet: "SubtensorModule",
      name: "WeightsSet",
      fields: [netuid + mecid * MECHANISM_STRIDE, uid],
    }],
  };
}

/** Dispatch entry for `set_weights` / `set_mechanism_weights` (fails when CR is enabled). */
export function setWeightsCall(
  state: ChainState,
  block: number,
  who: string,
  args: CallArgs,
): DispatchOutcome {
  const netuid = args.netuid as number;
  const subnet = state.subnets.get(netuid);
  if (subnet?.hyper.commitRevealWeightsEnabled) return { ok: false, error: "CommitRevealEnabled" };
  return setWeights(
    state,
    block,
    who,
    netuid,
    (args.mecid as number | undefined) ?? 0,
    args.dests as number[],
    args.weights as number[],
    args.version_key as bigint,
  );
}

/** `commit_timelocked_(mechanism_)weights` (calls 113/118): store the commit for its epoch. */
export function commitTimelocked(
  state: ChainState,
  block: number,
  who: string,
  args: CallArgs,
  commitHash: Uint8Array,
): DispatchOutcome {
  const netuid = args.netuid as number;
  const mecid = (args.mecid as number | undefined) ?? 0;
  const subnet = state.subnets.get(netuid);
  if (!subnet || mecid !== 0) return { ok: false, error: "MechanismDoesNotExist" };
  if (!subnet.hyper.commitRevealWeightsEnabled) return { ok: false, error: "CommitRevealDisabled" };
  if ((args.commit_reveal_version as number) !== state.commitRevealVersion) {
    return { ok: false, error: "IncorrectCommitRevealVersion" };
  }
  const uid = uidOf(subnet, who);
  if (uid === undefined) return { ok: false, error: "HotKeyNotRegisteredInSubNet" };
  if (!passesRateLimit(subnet, uid, block)) return { ok: false, error: "CommittingWeightsTooFast" };
  const tempo = subnet.hyper.tempo;
  const epoch = shouldRunEpoch(netuid, tempo, block)
    ? epochIndex(netuid, tempo, block) + 1n
    : epochIndex(netuid, tempo, block);
  const list = subnet.commits.get(epoch) ?? [];
  if (list.filter((c) => c.who === who).length >= 10) {
    return { ok: false, error: "TooManyUnrevealedCommits" };
  }
  const revealRound = args.reveal_round as bigint;
  list.push({ who, commitBlock: block, ciphertext: args.commit as Uint8Array, revealRound });
  subnet.commits.set(epoch, list);
  subnet.neurons[uid].lastUpdate = block;
  return {
    ok: true,
    events: [{
      pallet: "SubtensorModule",
      name: "TimelockedWeightsCommitted",
      fields: [who, netuid + mecid * MECHANISM_STRIDE, commitHash, revealRound],
    }],
  };
}

/** `burned_register` (call 7), signed by the coldkey, which pays `Burn`. */
export function burnedRegister(
  state: ChainState,
  block: number,
  coldkey: string,
  args: CallArgs,
): DispatchOutcome {
  const netuid = args.netuid as number;
  const hotkey = args.hotkey as string;
  if (netuid === 0) return { ok: false, error: "RegistrationNotPermittedOnRootSubnet" };
  const subnet = state.subnets.get(netuid);
  if (!subnet) return { ok: false, error: "SubnetNotExists" };
  if (!subnet.hyper.registrationAllowed) return { ok: false, error: "SubNetRegistrationDisabled" };
  if (uidOf(subnet, hotkey) !== undefined) {
    return { ok: false, error: "HotKeyAlreadyRegisteredInSubNet" };
  }
  const account = state.accounts.get(coldkey);
  const burn = subnet.hyper.burn;
  if (!account || account.free < burn) return { ok: false, error: "NotEnoughBalanceToStake" };
  const owner = state.owner.get(hotkey);
  if (owner && owner !== coldkey) return { ok: false, error: "NonAssociatedColdKey" };
  const uid = appendOrReplace(subnet, hotkey, coldkey, block);
  if (uid === undefined) return { ok: false, error: "NoNeuronIdAvailable" };
  account.free -= burn;
  state.owner.set(hotkey, coldkey);
  return {
    ok: true,
    events: [{
      pallet: "SubtensorModule",
      name: "NeuronRegistered",
      fields: [netuid, uid, hotkey],
    }],
  };
}

/**
 * Puts a hotkey into the subnet: a new UID while there is room, else replaces the
 * non-immune neuron with the lowest pruning score (emission), like `do_register`.
 */
export function appendOrReplace(
  subnet: Subnet,
  hotkey: string,
  coldkey: string,
  block: number,
): number | undefined {
  if (subnet.neurons.length < subnet.hyper.maxAllowedUids) {
    const uid = subnet.neurons.length;
    subnet.neurons.push(newNeuron(uid, hotkey, coldkey, block));
    return uid;
  }
  let victim: Neuron | undefined;
  for (const n of subnet.neurons) {
    if (block - n.registeredAt < subnet.hyper.immunityPeriod) continue;
    if (n.hotkey === subnet.ownerHotkey) continue;
    if (!victim || n.emission < victim.emission) victim = n;
  }
  if (!victim) return undefined;
  subnet.neurons[victim.uid] = newNeuron(victim.uid, hotkey, coldkey, block);
  return victim.uid;
}

/** `add_stake` (call 2), simplified: TAO from the coldkey becomes alpha 1:1 on the hotkey. */
export function addStake(state: ChainState, coldkey: string, args: CallArgs): DispatchOutcome {
  const netuid = args.netuid as number;
  const hotkey = args.hotkey as string;
  const amount = args.amount_staked as bigint;
  if (!state.subnets.has(netuid)) return { ok: false, error: "SubnetNotExists" };
  if (amount < 500_000n) return { ok: false, error: "AmountTooLow" };
  if (!state.owner.has(hotkey)) return { ok: false, error: "HotKeyAccountNotExists" };
  const account = state.accounts.get(coldkey);
  if (!account || account.free < amount) return { ok: false, error: "NotEnoughBalanceToStake" };
  account.free -= amount;
  const key = `${hotkey}:${netuid}`;
  state.alpha.set(key, (state.alpha.get(key) ?? 0n) + amount);
  return {
    ok: true,
    events: [{
      pallet: "SubtensorModule",
      name: "StakeAdded",
      fields: [coldkey, hotkey, amount, amount, netuid, 0n],
    }],
  };
}
