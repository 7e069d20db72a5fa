/**
 * @module
 * `state_call` runtime APIs of the local chain, answered with the metadata's own lookup types:
 * the argument bytes are decoded with the method's declared input types and the result is encoded
 * as its declared output type (`NeuronInfoRuntimeApi_*`, `SubnetInfoRuntimeApi_*`, `Metadata_*`,
 * `Core_version`, `AccountNonceApi_account_nonce`, `TransactionPaymentApi_*`).
 */
import { u8aToHex } from "@polkadot/util";
import type { ChainEngine } from "./chain.ts";
import { PoolError } from "./extrinsic.ts";
import type { Neuron, Subnet } from "./state.ts";

/** Runtime API dispatcher bound to one engine. */
export class RuntimeApis {
  constructor(readonly engine: ChainEngine) {}

  #cache = new Map<string, Uint8Array>();
  #cacheVersion = -1;

  /**
   * Runs `name` (e.g. `NeuronInfoRuntimeApi_get_neurons_lite`) on SCALE `args`. Results are
   * cached until the state changes (a block or an admin call), so repeated metagraph syncs of
   * a 256-neuron subnet cost one encoding.
   */
  call(name: string, args: Uint8Array): Uint8Array {
    if (this.#cacheVersion !== this.engine.stateVersion) {
      this.#cache.clear();
      this.#cacheVersion = this.engine.stateVersion;
    }
    const key = `${name}|${u8aToHex(args)}`;
    const hit = this.#cache.get(key);
    if (hit) return hit;
    const out = this.#compute(name, args);
    if (this.#cache.size > 256) this.#cache.clear();
    this.#cache.set(key, out);
    return out;
  }

  #compute(name: string, args: Uint8Array): Uint8Array {
    const codec = this.engine.codec;
    const method = codec.runtimeApi(name);
    if (!method) {
      throw new PoolError(
        4003,
        `Client error: Execution failed: Other: Exported method ${name} is not found`,
      );
    }
    const decoded: unknown[] = [];
    let offset = 0;
    for (const id of method.inputs) {
      const v = codec.decode(id, args.subarray(offset));
      offset += v.encodedLength;
      decoded.push(v);
    }
    const value = this.#value(name, decoded, method.output);
    return codec.encode(method.output, value);
  }

  #inner(optionType: number): number {
    const t = this.engine.codec.registry.lookup.getSiType(optionType);
    return t.def.asVariant.variants[1].fields[0].type.toNumber();
  }

  // deno-lint-ignore no-explicit-any
  #value(name: string, args: any[], output: number): unknown {
    const e = this.engine;
    const codec = e.codec;
    const num = (i: number) => Number(args[i].toString());
    switch (name) {
      case "Metadata_metadata_versions":
        return codec.metadataVersions();
      case "Metadata_metadata_at_version": {
        const bytes = codec.metadataAtVersion(num(0));
        return bytes ? u8aToHex(bytes) : null;
      }
      case "Metadata_metadata":
        return u8aToHex(codec.defaultMetadata());
      case "Core_version":
        return {
          ...codec.version,
          spec_name: codec.version.specName,
          impl_name: codec.version.implName,
          authoring_version: codec.version.authoringVersion,
          spec_version: codec.version.specVersion,
          impl_version: codec.version.implVersion,
          transaction_version: codec.version.transactionVersion,
          system_version: codec.version.stateVersion,
        };
      case "AccountNonceApi_account_nonce":
        return e.nonce(u8aToHex(args[0].toU8a()));
      case "TransactionPaymentApi_query_info": {
        const v = codec.zero(output) as Record<string, unknown>;
        v.weight = { ref_time: 1_000_000, proof_size: 0 };
        v.class = "Normal";
        v.partial_fee = 0;
        return v;
      }
      case "NeuronInfoRuntimeApi_get_neurons_lite":
      case "NeuronInfoRuntimeApi_get_neurons": {
        const subnet = e.state.subnets.get(num(0));
        return subnet
          ? subnet.neurons.map((n) => this.#neuron(subnet, n, name.endsWith("neurons")))
          : [];
      }
      case "NeuronInfoRuntimeApi_get_neuron_lite":
      case "NeuronInfoRuntimeApi_get_neuron": {
        const subnet = e.state.subnets.get(num(0));
        const n = subnet?.neurons[num(1)];
        return subnet && n ? this.#neuron(subnet, n, name.endsWith("neuron")) : null;
      }
      case "SubnetInfoRuntimeApi_get_metagraph":
      case "SubnetInfoRuntimeApi_get_mechagraph": {
        const subnet = e.state.subnets.get(num(0));
        if (!subnet || (name.endsWith("mechagraph") && num(1) !== 0)) return null;
        return this.#metagraph(subnet, this.#inner(output));
      }
      case "SubnetInfoRuntimeApi_get_selective_metagraph":
      case "SubnetInfoRuntimeApi_get_selective_mechagraph": {
        const subnet = e.state.subnets.get(num(0));
        if (!subnet || (name.endsWith("mechagraph") && num(1) !== 0)) return null;
        const full = this.#metagraph(
          subnet,
          this.#inner(codec.runtimeApi("SubnetInfoRuntimeApi_get_metagraph")!.output),
        ) as Record<string, unknown>;
        const inner = this.#inner(output);
        const fields = codec.registry.lookup.getSiType(inner).def.asComposite.fields;
        const wanted = new Set<number>(
          (args[args.length - 1] as Array<{ toNumber(): number }>).map((x) => x.toNumber()),
        );
        const out: Record<string, unknown> = {};
        fields.forEach((f, i) => {
          const key = f.name.unwrap().toString();
          out[key] = key === "netuid"
            ? full.netuid
            : (wanted.has(i - 1) || wanted.has(i)) && key in full
            ? full[key]
            : null;
        });
        return out;
      }
      case "SubnetInfoRuntimeApi_get_subnet_state": {
        const subnet = e.state.subnets.get(num(0));
        return subnet ? this.#subnetState(subnet, this.#inner(output)) : null;
      }
      case "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2":
      case "SubnetInfoRuntimeApi_get_subnet_hyperparams": {
        const subnet = e.state.subnets.get(num(0));
        return subnet ? this.#hyperparams(subnet, this.#inner(output)) : null;
      }
      default:
        // Declared by the runtime but not modelled: answer the type's zero value.
        return codec.zero(output);
    }
  }

  #alpha(subnet: Subnet, n: Neuron): bigint {
    return this.engine.state.alpha.get(`${n.hotkey}:${subnet.netuid}`) ?? 0n;
  }

  #zeroAxon() {
    return {
      block: 0,
      version: 0,
      ip: 0,
      port: 0,
      ip_type: 0,
      protocol: 0,
      placeholder1: 0,
      placeholder2: 0,
    };
  }

  #neuron(subnet: Subnet, n: Neuron, full: boolean): Record<string, unknown> {
    const v: Record<string, unknown> = {
      hotkey: n.hotkey,
      coldkey: n.coldkey,
      uid: n.uid,
      netuid: subnet.netuid,
      active: n.active,
      axon_info: n.axon ? { ...n.axon, ip_type: n.axon.ipType } : this.#zeroAxon(),
      prometheus_info: n.prometheus
        ? { ...n.prometheus, ip_type: n.prometheus.ipType }
        : { block: 0, version: 0, ip: 0, port: 0, ip_type: 0 },
      stake: [[n.coldkey, this.#alpha(subnet, n)]],
      rank: n.rank,
      emission: n.emission,
      incentive: n.incentive,
      consensus: n.consensus,
      trust: n.trust,
      validator_trust: n.validatorTrust,
      dividends: n.dividends,
      last_update: n.lastUpdate,
      validator_permit: n.validatorPermit,
      pruning_score: n.pruningScore,
    };
    if (full) {
      v.weights = n.weights;
      v.bonds = n.bonds;
    }
    return v;
  }

  #metagraph(subnet: Subnet, type: number): Record<string, unknown> {
    const e = this.engine;
    const v = e.codec.zero(type) as Record<string, unknown>;
    const h = subnet.hyper;
    const ns = subnet.neurons;
    const block = e.head.number;
    const alpha = ns.map((n) => this.#alpha(subnet, n));
    Object.assign(v, {
      netuid: subnet.netuid,
      name: [...new TextEncoder().encode(`subnet ${subnet.netuid}`)],
      symbol: [...new TextEncoder().encode("α")],
      network_registered_at: subnet.registeredAt,
      owner_hotkey: subnet.ownerHotkey,
      owner_coldkey: subnet.ownerColdkey,
      block,
      tempo: h.tempo,
      last_step: subnet.lastStep,
      blocks_since_last_step: block - subnet.lastStep,
      rho: h.rho,
      kappa: h.kappa,
      min_allowed_weights: h.minAllowedWeights,
      max_weights_limit: h.maxWeightsLimit,
      weights_version: h.weightsVersionKey,
      weights_rate_limit: h.weightsSetRateLimit,
      activity_cutoff: h.activityCutoff,
      max_validators: h.maxAllowedValidators,
      num_uids: ns.length,
      max_uids: h.maxAllowedUids,
      burn: h.burn,
      difficulty: h.difficulty,
      registration_allowed: h.registrationAllowed,
      pow_registration_allowed: h.powRegistrationAllowed,
      immunity_period: h.immunityPeriod,
      min_burn: h.minBurn,
      max_burn: h.maxBurn,
      serving_rate_limit: h.servingRateLimit,
      commit_reveal_weights_enabled: h.commitRevealWeightsEnabled,
      commit_reveal_period: h.revealPeriodEpochs,
      hotkeys: ns.map((n) => n.hotkey),
      coldkeys: ns.map((n) => n.coldkey),
      identities: ns.map(() => null),
      axons: ns.map((n) => (n.axon ? { ...n.axon, ip_type: n.axon.ipType } : this.#zeroAxon())),
      active: ns.map((n) => n.active),
      validator_permit: ns.map((n) => n.validatorPermit),
      pruning_score: ns.map((n) => n.pruningScore),
      last_update: ns.map((n) => n.lastUpdate),
      emission: ns.map((n) => n.emission),
      dividends: ns.map((n) => n.dividends),
      incentives: ns.map((n) => n.incentive),
      consensus: ns.map((n) => n.consensus),
      trust: ns.map((n) => n.trust),
      rank: ns.map((n) => n.rank),
      block_at_registration: ns.map((n) => n.registeredAt),
      alpha_stake: alpha,
      tao_stake: ns.map(() => 0),
      total_stake: alpha,
      tao_dividends_per_hotkey: ns.map((n) => [n.hotkey, 0]),
      alpha_dividends_per_hotkey: ns.map((n) => [n.hotkey, n.emission]),
    });
    return v;
  }

  #subnetState(subnet: Subnet, type: number): Record<string, unknown> {
    const v = this.engine.codec.zero(type) as Record<string, unknown>;
    const ns = subnet.neurons;
    const alpha = ns.map((n) => this.#alpha(subnet, n));
    Object.assign(v, {
      netuid: subnet.netuid,
      hotkeys: ns.map((n) => n.hotkey),
      coldkeys: ns.map((n) => n.coldkey),
      active: ns.map((n) => n.active),
      validator_permit: ns.map((n) => n.validatorPermit),
      pruning_score: ns.map((n) => n.pruningScore),
      last_update: ns.map((n) => n.lastUpdate),
      emission: ns.map((n) => n.emission),
      dividends: ns.map((n) => n.dividends),
      incentives: ns.map((n) => n.incentive),
      consensus: ns.map((n) => n.consensus),
      trust: ns.map((n) => n.trust),
      rank: ns.map((n) => n.rank),
      block_at_registration: ns.map((n) => n.registeredAt),
      alpha_stake: alpha,
      tao_stake: ns.map(() => 0),
      total_stake: alpha,
      emission_history: [],
    });
    return v;
  }

  #hyperparams(subnet: Subnet, type: number): Record<string, unknown> {
    const v = this.engine.codec.zero(type) as Record<string, unknown>;
    const h = subnet.hyper;
    const set = (k: string, x: unknown) => {
      if (k in v) v[k] = x;
    };
    set("rho", h.rho);
    set("kappa", h.kappa);
    set("immunity_period", h.immunityPeriod);
    set("min_allowed_weights", h.minAllowedWeights);
    set("max_weights_limit", h.maxWeightsLimit);
    set("tempo", h.tempo);
    set("min_difficulty", h.difficulty);
    set("max_difficulty", h.difficulty);
    set("weights_version", h.weightsVersionKey);
    set("weights_rate_limit", h.weightsSetRateLimit);
    set("activity_cutoff", h.activityCutoff);
    set("registration_allowed", h.registrationAllowed);
    set("min_burn", h.minBurn);
    set("max_burn", h.maxBurn);
    set("serving_rate_limit", h.servingRateLimit);
    set("max_validators", h.maxAllowedValidators);
    set("difficulty", h.difficulty);
    set("commit_reveal_period", h.revealPeriodEpochs);
    set("commit_reveal_weights_enabled", h.commitRevealWeightsEnabled);
    set("subnet_is_active", true);
    set("transfers_enabled", true);
    set("yuma_version", 2);
    return v;
  }
}
