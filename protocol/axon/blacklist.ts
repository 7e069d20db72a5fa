/**
 * @module
 * Middleware 2 of the axon: asks the synapse's (or the axon-wide) blacklist about the caller;
 * refuses with upstream's 403 `Forbidden. Key is blacklisted: {reason}.`
 */
import type { MiddlewareHandler } from "hono";
import { AxonError } from "./axon_error.ts";
import type { AxonCore, AxonEnv, BlacklistResult } from "./types.ts";

/** Normalises the accepted blacklist answers to `[blacklisted, reason]`. */
export function blacklistVerdict(r: BlacklistResult): [boolean, string] {
  if (typeof r === "boolean") return [r, r ? "Blacklisted" : ""];
  if (Array.isArray(r)) return [Boolean(r[0]), String(r[1] ?? "")];
  const o = r as { blacklisted: boolean; reason?: string };
  return [Boolean(o.blacklisted), o.reason ?? "Blacklisted"];
}

/**
 * Creates the blacklist middleware.
 *
 * @example
 * ```ts ignore
 * app.use("*", blacklist(core));
 * ```
 */
export function blacklist(core: AxonCore): MiddlewareHandler<AxonEnv> {
  return async function blacklist(c, next) {
    const fn = c.get("route").handler.blacklist ?? core.blacklist;
    if (fn) {
      const [refused, reason] = blacklistVerdict(await fn(c.get("info")));
      if (refused) throw new AxonError(403, `Forbidden. Key is blacklisted: ${reason}.`);
    }
    await next();
  };
}
