/**
 * @module
 * What the validator's actors say about the chain, as plain data: where it is, and the small view
 * of the metagraph the pipeline uses. No chain code is loaded by importing this module.
 */
import { z } from "zod";
import type { Metagraph } from "../chain/metagraph.ts";

/** Where the chain is (as the neuron flags give it). */
export const ChainTargetSchema = z.object({
  network: z.string().optional(),
  chainEndpoint: z.string().optional(),
  blockTimeS: z.number().positive().optional(),
});
/** Where the chain is. */
export type ChainTarget = z.infer<typeof ChainTargetSchema>;

/** The metagraph fields the validator pipeline uses, as plain data. */
export const MetagraphViewSchema = z.object({
  netuid: z.number().int(),
  block: z.number().int(),
  n: z.number().int(),
  hotkeys: z.array(z.string()),
  stakeTao: z.array(z.number()),
  validatorPermit: z.array(z.boolean()),
  lastUpdate: z.array(z.number()),
  axons: z.array(z.object({ ip: z.string(), port: z.number().int() })),
  ownerUid: z.number().int().nullable(),
  hyperparameters: z.object({
    tempo: z.number(),
    weightsRateLimit: z.number(),
    weightsVersion: z.number(),
    minAllowedWeights: z.number(),
    maxWeightsLimit: z.number(),
    commitRevealWeightsEnabled: z.boolean(),
  }),
});
/** The validator's view of a metagraph. */
export type MetagraphView = z.infer<typeof MetagraphViewSchema>;

/** Reduces a chain metagraph to {@link MetagraphView}. */
export function toMetagraphView(m: Metagraph): MetagraphView {
  const h = m.hyperparameters;
  return {
    netuid: m.netuid,
    block: m.block,
    n: m.n,
    hotkeys: m.hotkeys,
    stakeTao: m.stake,
    validatorPermit: m.validatorPermit,
    lastUpdate: m.lastUpdate,
    axons: m.axons.map((a) => ({ ip: a.ip, port: a.port })),
    ownerUid: m.ownerUid,
    hyperparameters: {
      tempo: h.tempo,
      weightsRateLimit: h.weightsRateLimit,
      weightsVersion: h.weightsVersion,
      minAllowedWeights: h.minAllowedWeights,
      maxWeightsLimit: h.maxWeightsLimit,
      commitRevealWeightsEnabled: h.commitRevealWeightsEnabled,
    },
  };
}
