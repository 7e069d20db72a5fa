/**
 * @module
 * Where the conversation store is, as the actors that talk to it receive it, and the client
 * built from it.
 */
import { z } from "zod";
import { StoreClient } from "../store/client.ts";

/** Reserve host, record host, and credentials. */
export const StoreTargetSchema = z.object({
  url: z.string().optional(),
  writeUrl: z.string().optional(),
  apiKey: z.string().nullable().optional(),
  apiKeyFile: z.string().optional(),
  timeoutMs: z.number().int().positive().optional(),
  retries: z.number().int().nonnegative().optional(),
});
/** Where the conversation store is. */
export type StoreTarget = z.infer<typeof StoreTargetSchema>;

/** A store client for `target` (the key file is read when no key is given). */
export function storeClientFor(target: StoreTarget): Promise<StoreClient> {
  return StoreClient.create({
    readUrl: target.url,
    writeUrl: target.writeUrl,
    apiKey: target.apiKey,
    apiKeyFile: target.apiKeyFile,
    timeoutMs: target.timeoutMs,
    retries: target.retries,
  });
}
