/**
 * @module
 * How the dendrite reports a failed call (bittensor-wire.md §5.2): each kind of failure maps to
 * the status code and message the Python dendrite puts in `dendrite.status_code` /
 * `status_message`. Pure, so the mapping is tested directly.
 */
import { pyFloatRepr } from "../python_str.ts";

/** Why a call failed before a usable answer arrived. */
export type CallFailure =
  /** Upstream `asyncio.TimeoutError` (total timeout). */
  | { kind: "timeout"; timeout: number }
  /** Upstream `ClientConnectorError` (refused, unreachable). */
  | { kind: "unavailable"; ip: string; port: number; name: string }
  /** Upstream `ServerDisconnectedError`. */
  | { kind: "disconnected"; detail: string }
  /** Upstream `ClientPayloadError` (here also: the answer exceeds our size cap). */
  | { kind: "payload"; detail: string }
  /** Upstream `ClientError`. */
  | { kind: "client"; detail: string }
  /** Anything else, e.g. a non-JSON or schema-invalid answer (upstream default). */
  | { kind: "parse"; detail: string };

/**
 * The `[status_code, status_message]` for a failure.
 *
 * @example
 * ```ts
 * import { failureStatus } from "./status_map.ts";
 * failureStatus({ kind: "timeout", timeout: 12 }); // [408, "Request timeout after 12.0 seconds"]
 * ```
 */
export function failureStatus(f: CallFailure): [number, string] {
  switch (f.kind) {
    case "timeout":
      return [408, `Request timeout after ${pyFloatRepr(f.timeout)} seconds`];
    case "unavailable":
      return [503, `Service unavailable at ${f.ip}:${f.port}/${f.name}`];
    case "disconnected":
      return [503, `Service disconnected: ${f.detail}`];
    case "payload":
      return [400, `Payload error: ${f.detail}`];
    case "client":
      return [500, `Client error: ${f.detail}`];
    case "parse":
      return [422, `Failed to parse response: ${f.detail}`];
  }
}
