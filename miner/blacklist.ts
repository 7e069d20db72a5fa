/**
 * @module
 * Who may query the miner: registered callers (unless allowed), with a validator permit (unless
 * disabled), with at least a minimum stake, and within a per-hotkey request rate. Pure decision
 * over a metagraph view, so every case is tested without a chain.
 */

/** What the miner knows about one caller from the metagraph. */
export interface CallerInfo {
  uid: number;
  stakeTao: number;
  validatorPermit: boolean;
}

/** The metagraph as the blacklist sees it; refreshed every epoch. */
export interface MetagraphView {
  lookup(hotkey: string): CallerInfo | undefined;
}

/** Blacklist settings (upstream flags plus ours). */
export interface BlacklistOptions {
  /** `--blacklist.allow_non_registered` (default false). */
  allowNonRegistered: boolean;
  /** `--blacklist.force_validator_permit` (default true). */
  forceValidatorPermit: boolean;
  /** `--blacklist.min_stake` in TAO (default 0). */
  minStakeTao: number;
  /** `--blacklist.max_requests_per_minute` per hotkey (0 = unlimited). */
  maxRequestsPerMinute: number;
}

/** The decision: allowed, or refused with the reason the caller is told. */
export type BlacklistDecision = { blocked: false } | { blocked: true; reason: string };

/** Stateful blacklist: the rate limiter remembers recent requests per hotkey. */
export class Blacklist {
  readonly #recent = new Map<string, number[]>();

  constructor(
    private readonly view: () => MetagraphView,
    private readonly opts: BlacklistOptions,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Decides for one request from `hotkey`; counts it toward the rate limit when allowed. */
  check(hotkey: string | undefined | null): BlacklistDecision {
    if (!hotkey) return { blocked: true, reason: "Missing hotkey" };
    const info = this.view().lookup(hotkey);
    if (!info) {
      if (!this.opts.allowNonRegistered) return { blocked: true, reason: "Unrecognized hotkey" };
    } else {
      if (this.opts.forceValidatorPermit && !info.validatorPermit) {
        return { blocked: true, reason: "Non-validator hotkey" };
      }
      if (info.stakeTao < this.opts.minStakeTao) {
        return {
          blocked: true,
          reason: `Stake ${info.stakeTao} TAO below the minimum ${this.opts.minStakeTao} TAO`,
        };
      }
    }
    if (this.opts.maxRequestsPerMinute > 0) {
      const t = this.now();
      const list = (this.#recent.get(hotkey) ?? []).filter((x) => t - x < 60_000);
      if (list.length >= this.opts.maxRequestsPerMinute) {
        this.#recent.set(hotkey, list);
        return {
          blocked: true,
          reason: `Rate limit: more than ${this.opts.maxRequestsPerMinute} requests per minute`,
        };
      }
      list.push(t);
      this.#recent.set(hotkey, list);
    }
    return { blocked: false };
  }

  /** The caller's stake, used as its priority (upstream: `metagraph.S[uid]`). */
  priority(hotkey: string | undefined | null): number {
    return (hotkey && this.view().lookup(hotkey)?.stakeTao) || 0;
  }
}
