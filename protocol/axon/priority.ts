/**
 * @module
 * Middleware 4 of the axon: waits for a forward slot in the {@link ./limiter.ts Limiter}
 * (per-hotkey concurrency cap, highest priority first, e.g. by stake), and frees it when the
 * answer is ready. Waiting longer than the request timeout gives upstream's 408
 * `Response timeout after: {timeout}s`.
 */
import type { MiddlewareHandler } from "hono";
import type { AxonCore, AxonEnv } from "./types.ts";

/**
 * Creates the priority middleware.
 *
 * @example
 * ```ts ignore
 * app.use("*", priority(core));
 * ```
 */
export function priority(core: AxonCore): MiddlewareHandler<AxonEnv> {
  return async function priority(c, next) {
    const hotkey = c.get("hotkey");
    const own = c.get("route").handler.priority;
    const p = own ? await own(c.get("info")) : core.priority ? core.priority(hotkey) : 0;
    const release = await core.limiter.acquire(hotkey, p, c.get("headerSynapse").timeout);
    try {
      await next();
    } finally {
      release();
    }
  };
}
