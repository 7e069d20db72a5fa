/**
 * @module
 * The dendrite: signs and sends synapses to axons (bittensor-wire.md §5.4) and reads their
 * answers as the Python dendrite does (§5.1): concurrent queries, a per-request timeout,
 * strictly increasing ns nonces under one uuid1 per instance, `bt_header_input_obj_*` for every
 * required field, IPv6 hosts bracketed, and a cap on the answer size. A call never throws for
 * network or peer errors: the outcome is in `synapse.dendrite.status_code`/`status_message`.
 */
import type { Signer } from "../../wallet/keypair.ts";
import { EncodedInput, encodeInput } from "../encoded_input.ts";
import { HeaderError, parseSynapseHeaders, synapseHeaders } from "../headers.ts";
import {
  BodyTooLargeError,
  Http1Client,
  Http1ProtocolError,
  type Http1Response,
} from "../http1_client.ts";
import { NonceClock } from "../nonce.ts";
import { parseJsonToJs } from "../py_json.ts";
import { signatureMessage, signToHex } from "../signature.ts";
import {
  type FieldsOf,
  type FieldSpec,
  type InputOf,
  type Synapse,
  SynapseBodyError,
  type SynapseDef,
  synapseFromJs,
  synapseHeadJson,
} from "../synapse.ts";
import { TERMINAL_FIELDS, type TerminalInfo } from "../terminal_info.ts";
import { uuid1 } from "../uuid1.ts";
import { VERSION_AS_INT } from "../version.ts";
import { type CallFailure, failureStatus } from "./status_map.ts";

export { EncodedInput, encodedInputFromJson, encodeInput } from "../encoded_input.ts";

/** Where an axon listens and who it is. */
export interface AxonTarget {
  ip: string;
  port: number;
  /** The axon's hotkey ss58 (signed into the request). */
  hotkey: string;
}

/** Options of a {@link Dendrite}. */
export interface DendriteOptions {
  /** The caller's hotkey. */
  keypair: Signer;
  /** Our IP as announced in `bt_header_dendrite_ip`. Default `127.0.0.1`. */
  externalIp?: string;
  /** `bt_header_dendrite_version`; must be >= 7002000. Default 10002000. */
  version?: number;
  /** Largest answer body read (bigger answers give 400 "Payload error"). Default 16 MiB. */
  maxResponseBytes?: number;
}

/** Options of one query. */
export interface QueryOptions {
  /** Seconds before the call gives 408. Default 12. */
  timeout?: number;
  /** Aborts the call (reported as a timeout, like upstream's cancelled task). */
  signal?: AbortSignal;
}

class CallError extends Error {
  constructor(readonly failure: CallFailure) {
    super(failure.kind);
  }
}

/** `host:port` with IPv6 hosts in brackets. */
export function hostPort(ip: string, port: number): string {
  const host = ip.includes(":") && !ip.startsWith("[") ? `[${ip}]` : ip;
  return `${host}:${port}`;
}

function networkFailure(e: unknown, target: AxonTarget, name: string): CallFailure {
  const err = e as Error & { cause?: unknown };
  const msg = err?.cause ? `${err.message}: ${String(err.cause)}` : String(err?.message ?? e);
  if (/Connect\)|refused|unreachable|No route|dns error|failed to lookup|os error 111/i.test(msg)) {
    return { kind: "unavailable", ip: target.ip, port: target.port, name };
  }
  if (/closed|reset|broken pipe|incomplete|disconnect|os error 104/i.test(msg)) {
    return { kind: "disconnected", detail: msg };
  }
  return { kind: "client", detail: msg };
}

/**
 * A dendrite for one hotkey.
 *
 * @example
 * ```ts ignore
 * const dendrite = new Dendrite({ keypair });
 * const [answer] = await dendrite.query([{ ip: "127.0.0.1", port: 8091, hotkey }], CgSynapse,
 *   { cgp_input: [{ ... }] }, { timeout: 30 });
 * if (answer.dendrite.status_code === 200) console.log(answer.cgp_output);
 * ```
 */
export class Dendrite {
  /** Stable uuid1 of this instance (axons key nonces by hotkey:uuid). */
  readonly uuid: string = uuid1();
  readonly #keypair: Signer;
  readonly #ip: string;
  readonly #version: number;
  readonly #maxResponseBytes: number;
  readonly #clock = new NonceClock();
  /** Keep-alive connections to the axons (see protocol/http1_client.ts for why not `fetch`). */
  readonly #http = new Http1Client();

  constructor(opts: DendriteOptions) {
    this.#keypair = opts.keypair;
    this.#ip = opts.externalIp ?? "127.0.0.1";
    this.#version = opts.version ?? VERSION_AS_INT;
    this.#maxResponseBytes = opts.maxResponseBytes ?? 16 * 1024 * 1024;
  }

  /** Closes the kept-alive connections (a later query opens new ones). */
  close(): void {
    this.#http.close();
  }

  /** Our hotkey ss58. */
  get hotkey(): string {
    return this.#keypair.ss58Address;
  }

  /** Queries every target concurrently; answers are in target order. */
  async query<S extends Record<string, FieldSpec<unknown>>>(
    targets: readonly AxonTarget[],
    def: SynapseDef<S>,
    input: InputOf<S> | EncodedInput<S>,
    opts: QueryOptions = {},
  ): Promise<Synapse<FieldsOf<S>>[]> {
    if (!targets.length) return [];
    // Checked, written and hashed once for all targets; only the head differs per request.
    const enc = input instanceof EncodedInput ? input : encodeInput(def, input);
    return await Promise.all(targets.map((t) => this.call(t, def, enc, opts)));
  }

  /**
   * Builds the signed request (headers and body) for one target, without sending it. Used by
   * {@link call}, and by load generators that pre-sign requests.
   */
  prepare<S extends Record<string, FieldSpec<unknown>>>(
    target: AxonTarget,
    def: SynapseDef<S>,
    input: InputOf<S> | EncodedInput<S>,
    timeout = 12,
  ): { url: string; headers: Record<string, string>; body: string; synapse: Synapse<FieldsOf<S>> } {
    const enc = input instanceof EncodedInput ? input : encodeInput(def, input);
    if (enc.def !== def) {
      throw new TypeError(`input was encoded for ${enc.def.name}, not ${def.name}`);
    }
    // A shallow copy: the field values are shared with every request of `enc` (read-only).
    const s = { ...enc.synapse };
    s.timeout = timeout;
    s.dendrite = {
      ...s.dendrite,
      ip: this.#ip,
      version: this.#version,
      nonce: this.#clock.next(),
      uuid: this.uuid,
      hotkey: this.#keypair.ss58Address,
      status_code: null,
      status_message: null,
      signature: null,
    };
    s.axon = { ...s.axon, ip: target.ip, port: target.port, hotkey: target.hotkey };
    // `total_size` is the length of the body as it is before it carries its size and signature.
    s.total_size = synapseHeadJson(def, s).length + enc.fieldsJson.length + 1;
    const bodyHash = enc.bodyHash;
    s.dendrite.signature = signToHex(
      this.#keypair,
      signatureMessage({
        nonce: s.dendrite.nonce!,
        dendriteHotkey: this.#keypair.ss58Address,
        axonHotkey: target.hotkey,
        uuid: this.uuid,
        bodyHash,
      }),
    );
    const body = `${synapseHeadJson(def, s)}${enc.fieldsJson}}`;
    const headers = synapseHeaders(def, s, { bodyHash, totalSize: s.total_size });
    headers["content-type"] = "application/json";
    return {
      url: `http://${hostPort(target.ip, target.port)}/${def.name}`,
      headers,
      body,
      synapse: s,
    };
  }

  /** Sends one synapse to one axon and returns it updated with the answer or the failure. */
  async call<S extends Record<string, FieldSpec<unknown>>>(
    target: AxonTarget,
    def: SynapseDef<S>,
    input: InputOf<S> | EncodedInput<S>,
    opts: QueryOptions = {},
  ): Promise<Synapse<FieldsOf<S>>> {
    const timeout = opts.timeout ?? 12;
    const req = this.prepare(target, def, input, timeout);
    const local = req.synapse;
    const start = performance.now();
    const timer = AbortSignal.timeout(Math.max(0, timeout * 1000));
    const signal = opts.signal ? AbortSignal.any([timer, opts.signal]) : timer;
    try {
      let res: Http1Response;
      try {
        res = await this.#http.request({
          method: "POST",
          url: req.url,
          headers: req.headers,
          body: req.body,
          signal,
          maxBodyBytes: this.#maxResponseBytes,
        });
      } catch (e) {
        if (signal.aborted) throw new CallError({ kind: "timeout", timeout });
        if (e instanceof BodyTooLargeError) {
          throw new CallError({
            kind: "payload",
            detail: `response body exceeds ${this.#maxResponseBytes} bytes`,
          });
        }
        if (e instanceof Http1ProtocolError) {
          throw new CallError({ kind: "payload", detail: e.message });
        }
        throw new CallError(networkFailure(e, target, def.name));
      }
      // The whole body is read already; decoding (invalid UTF-8 as U+FFFD) cannot fail.
      this.#process(def, local, res, res.text());
      local.dendrite.process_time = (performance.now() - start) / 1000;
    } catch (e) {
      const failure: CallFailure = e instanceof CallError
        ? e.failure
        : { kind: "parse", detail: String((e as Error)?.message ?? e) };
      const [code, message] = failureStatus(failure);
      local.dendrite.status_code = code;
      local.dendrite.status_message = message;
    }
    return local;
  }

  /** Upstream `process_server_response`. */
  #process<S extends Record<string, FieldSpec<unknown>>>(
    def: SynapseDef<S>,
    local: Synapse<FieldsOf<S>>,
    res: Http1Response,
    text: string,
  ): void {
    const type = res.headers.get("content-type") ?? "";
    if (!/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type)) {
      throw new CallError({
        kind: "parse",
        detail: `Attempt to decode JSON with unexpected mimetype: ${type}`,
      });
    }
    let raw: unknown;
    try {
      raw = parseJsonToJs(text);
    } catch (e) {
      throw new CallError({ kind: "parse", detail: (e as Error).message });
    }
    const isDict = typeof raw === "object" && raw !== null && !Array.isArray(raw);
    if (res.status === 200) {
      if (!isDict) {
        throw new CallError({ kind: "parse", detail: "answer is not a JSON object" });
      }
      let server: Synapse<FieldsOf<S>>;
      try {
        server = synapseFromJs(def, raw);
      } catch (e) {
        if (e instanceof SynapseBodyError) {
          throw new CallError({ kind: "parse", detail: e.message });
        }
        throw e;
      }
      const rec = local as Record<string, unknown>;
      for (const [k, v] of Object.entries(server)) {
        if (k !== "computed_body_hash") rec[k] = v;
      }
    } else {
      local.axon.status_code = res.status;
      const msg = isDict && Object.hasOwn(raw as object, "message")
        ? (raw as Record<string, unknown>).message
        : undefined;
      local.axon.status_message = typeof msg === "string" ? msg : null;
    }
    let fromHeaders;
    try {
      fromHeaders = parseSynapseHeaders(res.headers, { inputObj: false });
    } catch (e) {
      if (e instanceof HeaderError) throw new CallError({ kind: "parse", detail: e.message });
      throw e;
    }
    mergeNonNull(local.dendrite, fromHeaders.dendrite);
    mergeNonNull(local.axon, fromHeaders.axon);
    local.dendrite.status_code = local.axon.status_code;
    local.dendrite.status_message = local.axon.status_message;
  }
}

function mergeNonNull(into: TerminalInfo, from: TerminalInfo): void {
  const dst = into as Record<string, unknown>;
  for (const f of TERMINAL_FIELDS) if (from[f] !== null) dst[f] = from[f];
}
