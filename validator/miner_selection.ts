/**
 * @module
 * Which uids a validator may query, as upstream's `get_random_uids`: neurons serving an axon,
 * minus validators holding a permit with more stake than `vpermit_tao_limit`; unlike upstream,
 * never the validator itself. Then a random sample of `k`.
 */
import type { MetagraphView } from "./chain_target.ts";

/** The metagraph fields selection needs. */
export interface SelectableNeuron {
  uid: number;
  hotkey: string;
  axonIp: string;
  axonPort: number;
  validatorPermit: boolean;
  stakeTao: number;
}

/** The selection fields of every neuron of a metagraph read (indexed by uid). */
export function selectableNeurons(
  view: Pick<MetagraphView, "hotkeys" | "axons" | "validatorPermit" | "stakeTao">,
): SelectableNeuron[] {
  return view.hotkeys.map((hotkey, uid) => ({
    uid,
    hotkey,
    axonIp: view.axons[uid]?.ip ?? "0.0.0.0",
    axonPort: view.axons[uid]?.port ?? 0,
    validatorPermit: view.validatorPermit[uid] ?? false,
    stakeTao: view.stakeTao[uid] ?? 0,
  }));
}

/** True when the neuron has a served axon (`ip != 0.0.0.0`, port set). */
export function isServing(n: SelectableNeuron): boolean {
  return n.axonIp !== "0.0.0.0" && n.axonIp !== "" && n.axonPort > 0;
}

/** The uids that may be queried. */
export function availableUids(
  neurons: readonly SelectableNeuron[],
  opts: { selfHotkey?: string; vpermitTaoLimit?: number },
): number[] {
  const limit = opts.vpermitTaoLimit ?? 4096;
  return neurons
    .filter((n) => isServing(n))
    .filter((n) => !(n.validatorPermit && n.stakeTao > limit))
    .filter((n) => n.hotkey !== opts.selfHotkey)
    .map((n) => n.uid);
}

/** A random `k` of the available uids (all of them when fewer). */
export function randomUids(
  neurons: readonly SelectableNeuron[],
  k: number,
  opts: { selfHotkey?: string; vpermitTaoLimit?: number; random?: () => number } = {},
): number[] {
  return sampleUids(availableUids(neurons, opts), k, opts.random);
}

/**
 * A random `k` of `pool` (all of them when fewer), `pool` left as it is: the validator draws each
 * task's sample from the uids it found available at its last metagraph read.
 */
export function sampleUids(
  pool: readonly number[],
  k: number,
  random: () => number = Math.random,
): number[] {
  const out = pool.slice();
  const n = Math.min(k, out.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (out.length - i));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.slice(0, n);
}
