/**
 * @module
 * The store's one error type: thrown where a request is refused, answered in one place by the
 * server as `{"success": false, "mode": "error", "error": message}` with its status.
 */

/** A refused request: HTTP status plus a message that says what was wrong. */
export class StoreHttpError extends Error {
  override name = "StoreHttpError";
  /**
   * @example
   * ```ts ignore
   * throw new StoreHttpError(401, "missing API key: send Authorization: Bearer <key>");
   * ```
   */
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
