/**
 * @module
 * Typed chain errors and their clear messages. Two ways a transaction fails on subtensor:
 * - the pool rejects it at submission (`1010: Invalid Transaction: Custom error: N`), because
 *   `SubtensorTransactionExtension` runs the weight/serving/rate-limit guards at validation
 *   time: {@link TransactionRejectedError}, with the code table of `common/src/transaction_error.rs`;
 * - it is included but dispatch fails (`System.ExtrinsicFailed`): {@link DispatchFailedError},
 *   resolved by NAME through the metadata (`registry.findMetaError`), since indices change
 *   between runtimes.
 */
import type { ApiPromise } from "@polkadot/api";
import type { DispatchError } from "@polkadot/types/interfaces";

/** Base class of every chain client error; `kind` is stable for callers to branch on. */
export class ChainError extends Error {
  override name = "ChainError";
  /** Stable machine-readable kind. */
  readonly kind: string;
  constructor(kind: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}

/** A call that did not answer within its deadline. */
export class ChainTimeoutError extends ChainError {
  override name = "ChainTimeoutError";
  constructor(what: string, readonly timeoutMs: number) {
    super("timeout", `${what} did not complete within ${timeoutMs} ms`);
  }
}

/** The chain could not be reached (connect failed or the socket is down). */
export class ChainUnavailableError extends ChainError {
  override name = "ChainUnavailableError";
  constructor(readonly endpoint: string, detail: string, options?: ErrorOptions) {
    super("unavailable", `subtensor at ${endpoint} is unreachable: ${detail}`, options);
  }
}

/** The chain answered with data that does not have the expected shape. */
export class ChainDataError extends ChainError {
  override name = "ChainDataError";
  constructor(message: string) {
    super("bad_data", message);
  }
}

/** The runtime lacks a call, storage item or runtime API this client needs. */
export class ChainUnsupportedError extends ChainError {
  override name = "ChainUnsupportedError";
  constructor(message: string) {
    super("unsupported", message);
  }
}

/** `1010: Invalid Transaction: Custom error: N` codes (subtensor `common/src/transaction_error.rs`). */
export const CUSTOM_ERROR_CODES: Readonly<Record<number, { name: string; message: string }>> = {
  1: {
    name: "StakeAmountTooLow",
    message: "stake too low (includes NotEnoughStakeToSetWeights: below StakeThreshold)",
  },
  2: { name: "BalanceTooLow", message: "balance too low (NotEnoughBalanceToStake)" },
  3: { name: "SubnetNotExists", message: "the subnet does not exist" },
  4: { name: "HotkeyAccountDoesntExist", message: "the hotkey account does not exist" },
  5: { name: "NotEnoughStakeToWithdraw", message: "not enough stake to withdraw" },
  6: {
    name: "RateLimitExceeded",
    message: "rate limit exceeded (SettingWeightsTooFast / CommittingWeightsTooFast)",
  },
  7: { name: "InsufficientLiquidity", message: "insufficient liquidity" },
  8: { name: "SlippageTooHigh", message: "slippage too high" },
  9: { name: "TransferDisallowed", message: "transfers are disabled" },
  10: {
    name: "HotKeyNotRegisteredInNetwork",
    message: "the hotkey is not registered on the subnet",
  },
  11: {
    name: "InvalidIpAddress",
    message: "invalid IP address (127.0.0.1, ::1 and out-of-range values are refused)",
  },
  12: {
    name: "ServingRateLimitExceeded",
    message: "serving rate limit exceeded (axon served too recently)",
  },
  13: { name: "InvalidPort", message: "invalid port (0)" },
  15: { name: "InvalidRevealRound", message: "reveal round is older than Drand.LastStoredRound" },
  16: { name: "CommitNotFound", message: "no matching weight commit" },
  17: { name: "CommitBlockNotInRevealRange", message: "commit is not in its reveal range" },
  18: { name: "InputLengthsUnequal", message: "uids and values differ in length" },
  19: {
    name: "UidNotFound",
    message: "hotkey has no uid on the subnet (HotKeyNotRegisteredInSubNet)",
  },
  27: { name: "NonAssociatedColdKey", message: "the hotkey belongs to another coldkey" },
  255: { name: "BadRequest", message: "bad request (another guard refused the transaction)" },
};

/** The pool refused the transaction at submission. */
export class TransactionRejectedError extends ChainError {
  override name = "TransactionRejectedError";
  constructor(
    /** The custom error code N, or undefined for other pool errors. */
    readonly code: number | undefined,
    /** Name from the code table (`RateLimitExceeded`…), or `Invalid`/`Rejected`. */
    readonly reason: string,
    message: string,
    readonly raw: string,
  ) {
    super("rejected", message);
  }
}

/** The extrinsic was included but failed in dispatch (`System.ExtrinsicFailed`). */
export class DispatchFailedError extends ChainError {
  override name = "DispatchFailedError";
  constructor(
    /** Pallet section, e.g. `subtensorModule`, or `dispatch` for non-module errors. */
    readonly section: string,
    /** Error name, e.g. `SettingWeightsTooFast`. */
    readonly error: string,
    message: string,
    readonly blockHash?: string,
  ) {
    super("dispatch_failed", message);
  }
}

/** Friendlier words for the pallet errors a miner or validator meets. */
const DISPATCH_HINTS: Readonly<Record<string, string>> = {
  SettingWeightsTooFast: "weights set too recently (WeightsSetRateLimit)",
  CommittingWeightsTooFast: "weights committed too recently (WeightsSetRateLimit)",
  IncorrectWeightVersionKey: "version key below the subnet's WeightsVersionKey",
  NeuronNoValidatorPermit: "this uid has no validator permit",
  HotKeyNotRegisteredInSubNet: "the hotkey is not registered on the subnet",
  HotKeyNotRegisteredInNetwork: "the hotkey is not registered on the subnet",
  CommitRevealEnabled: "commit-reveal is on for this subnet: plain set_weights is refused",
  CommitRevealDisabled: "commit-reveal is off for this subnet: commits are refused",
  IncorrectCommitRevealVersion: "commit_reveal_version differs from CommitRevealWeightsVersion",
  NotEnoughStakeToSetWeights: "stake below StakeThreshold",
  WeightVecLengthIsLow: "fewer weights than MinAllowedWeights",
  UidVecContainInvalidOne: "a uid does not exist on the subnet",
  DuplicateUids: "duplicate uids",
  WeightVecNotEqualSize: "uids and weights differ in length",
  HotKeyAlreadyRegisteredInSubNet: "the hotkey is already registered on the subnet",
  NotEnoughBalanceToStake: "the coldkey cannot pay the registration burn",
  SubNetRegistrationDisabled: "registration is disabled on the subnet",
  ServingRateLimitExceeded: "axon served too recently (ServingRateLimit)",
  InvalidIpAddress: "invalid IP address",
  InvalidPort: "invalid port",
  TooManyUnrevealedCommits: "too many unrevealed commits this epoch",
};

/** Parses a pool rejection message (`1010: Invalid Transaction: Custom error: 6`). */
export function poolRejection(err: unknown): TransactionRejectedError | undefined {
  const raw = err instanceof Error ? err.message : String(err);
  const m = /(\d{4}):\s*(Invalid|Unknown) Transaction:\s*(.*)$/s.exec(raw);
  if (!m) return undefined;
  const custom = /Custom error:\s*(\d+)/.exec(m[3]);
  if (custom) {
    const code = Number(custom[1]);
    const known = CUSTOM_ERROR_CODES[code];
    const what = known ? `${known.name}: ${known.message}` : `unknown custom error ${code}`;
    return new TransactionRejectedError(
      code,
      known?.name ?? `Custom${code}`,
      `transaction rejected by the pool: ${what}`,
      raw,
    );
  }
  return new TransactionRejectedError(
    undefined,
    m[2],
    `transaction rejected by the pool: ${m[3].trim()}`,
    raw,
  );
}

/** Resolves a `DispatchError` by name through the metadata, never by index. */
export function dispatchFailure(
  api: ApiPromise,
  err: DispatchError,
  blockHash?: string,
): DispatchFailedError {
  if (err.isModule) {
    const meta = api.registry.findMetaError(err.asModule);
    const hint = DISPATCH_HINTS[meta.name];
    const docs = meta.docs.join(" ").trim();
    return new DispatchFailedError(
      meta.section,
      meta.name,
      `${meta.section}.${meta.name}: ${hint ?? (docs || "dispatch failed")}`,
      blockHash,
    );
  }
  const text = err.type;
  return new DispatchFailedError("dispatch", text, `dispatch failed: ${err.toString()}`, blockHash);
}
