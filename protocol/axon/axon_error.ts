/**
 * @module
 * The one error type of the axon pipeline: a status and a message, thrown where the decision is
 * made (a middleware), answered in one place ({@link ../axon/respond.ts}) as upstream does:
 * body `{"message": ...}`, status = the code, bt headers of the header-derived synapse.
 */

/** An HTTP answer decided by a middleware. */
export class AxonError extends Error {
  override name = "AxonError";

  /**
   * @param status the HTTP status (and `bt_header_axon_status_code`)
   * @param message the `{"message": ...}` text (and `bt_header_axon_status_message`)
   *
   * @example
   * ```ts ignore
   * import { AxonError } from "./axon_error.ts";
   * throw new AxonError(403, "Forbidden. Key is blacklisted: not registered.");
   * ```
   */
  constructor(readonly status: number, message: string) {
    super(message);
  }
}
