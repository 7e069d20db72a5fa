/**
 * @module
 * A small HTTP/1.1 client over `Deno.connect`, for the validator's hot paths: the dendrite's
 * queries and the store records. `fetch` builds a `Request`, `Headers`, a body stream and a
 * `Response` per call, which cost about as much CPU as the whole rest of a query to a miner
 * (bench/validator). This client writes the request in one write, reads the answer into one
 * buffer and keeps connections alive per origin. It speaks what axons and the store speak: plain
 * `http:`, `Content-Length` or chunked bodies, gzip/deflate answers, keep-alive or close.
 */

/** One request. `url` must be `http://host[:port]/path`. */
export interface Http1Request {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Aborts the call: the connection is closed and the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Largest answer body accepted (decoded); larger ones reject with {@link BodyTooLargeError}. */
  maxBodyBytes?: number;
}

/** An answer, read in full. Header names are lower case. */
export interface Http1Response {
  status: number;
  headers: Http1Headers;
  body: Uint8Array;
  /** The body as UTF-8 text. */
  text(): string;
}

/** Answer headers: `get` joins repeated ones with ", " as `Headers` does. */
export class Http1Headers {
  readonly #map = new Map<string, string>();

  /** Adds a header (name matched without case). */
  append(name: string, value: string): void {
    const k = name.toLowerCase();
    const had = this.#map.get(k);
    this.#map.set(k, had === undefined ? value : `${had}, ${value}`);
  }

  /** The header's value, or null. */
  get(name: string): string | null {
    return this.#map.get(name.toLowerCase()) ?? null;
  }

  /** True when the header is there. */
  has(name: string): boolean {
    return this.#map.has(name.toLowerCase());
  }

  /** Every header as `[name, value]`. */
  entries(): IterableIterator<[string, string]> {
    return this.#map.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.#map.entries();
  }
}

/** The answer's body is larger than the request's `maxBodyBytes`. */
export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
}

/** The peer broke HTTP (bad status line, bad chunk, ...). */
export class Http1ProtocolError extends Error {
  override name = "Http1ProtocolError";
}

const encoder = new TextEncoder();
const utf8 = new TextDecoder();
const latin1 = new TextDecoder("latin1");
const CRLFCRLF = [13, 10, 13, 10];

interface Origin {
  hostname: string;
  port: number;
  /** The `Host` header value. */
  host: string;
  /** Path and query of the URL. */
  path: string;
  key: string;
}

function parseUrl(url: string): Origin {
  if (!url.startsWith("http://")) throw new TypeError(`only http:// URLs are supported: ${url}`);
  const rest = url.slice(7);
  const slash = rest.indexOf("/");
  const host = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? "/" : rest.slice(slash);
  let hostname: string;
  let port = 80;
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    if (end < 0) throw new TypeError(`bad IPv6 host in ${url}`);
    hostname = host.slice(1, end);
    if (host.length > end + 1) {
      if (host[end + 1] !== ":") throw new TypeError(`bad host in ${url}`);
      port = Number(host.slice(end + 2));
    }
  } else {
    const colon = host.lastIndexOf(":");
    hostname = colon < 0 ? host : host.slice(0, colon);
    if (colon >= 0) port = Number(host.slice(colon + 1));
  }
  if (!hostname || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new TypeError(`bad host in ${url}`);
  }
  return { hostname, port, host, path, key: `${hostname}|${port}` };
}

/** A connection with its read buffer (bytes read past one answer stay for the next). */
class Connection {
  buf = new Uint8Array(16 * 1024);
  start = 0;
  end = 0;
  idleSince = 0;
  closed = false;

  constructor(readonly conn: Deno.TcpConn) {}

  /** Reads more into the buffer (compacting or growing it first when full); false at its end. */
  async fill(): Promise<boolean> {
    if (this.start === this.end) this.start = this.end = 0;
    if (this.end === this.buf.length) {
      const live = this.end - this.start;
      if (this.start > 0 && live <= this.buf.length / 2) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const next = new Uint8Array(this.buf.length * 2);
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = live;
    }
    const n = await this.conn.read(this.buf.subarray(this.end));
    if (n === null) return false;
    this.end += n;
    return true;
  }

  /** Drops a buffer a large answer grew, once it is read. */
  shrink(): void {
    if (this.buf.length > 64 * 1024 && this.start === this.end) {
      this.buf = new Uint8Array(16 * 1024);
      this.start = this.end = 0;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }
}

function indexOfSeq(buf: Uint8Array, from: number, to: number, seq: number[]): number {
  const last = to - seq.length;
  outer: for (let i = from; i <= last; i++) {
    for (let j = 0; j < seq.length; j++) if (buf[i + j] !== seq[j]) continue outer;
    return i;
  }
  return -1;
}

/** An HTTP/1.1 client with a keep-alive pool per origin. */
export class Http1Client {
  readonly #idle = new Map<string, Connection[]>();
  readonly #maxIdlePerOrigin: number;
  readonly #idleMs: number;

  /**
   * `idleMs`: a pooled connection idle longer than this is closed rather than reused (servers
   * close theirs: uvicorn after 5 s). `maxIdlePerOrigin`: pooled connections kept per origin.
   */
  constructor(opts: { idleMs?: number; maxIdlePerOrigin?: number } = {}) {
    this.#idleMs = opts.idleMs ?? 4000;
    this.#maxIdlePerOrigin = opts.maxIdlePerOrigin ?? 16;
  }

  /** Sends one request and reads its whole answer. */
  async request(req: Http1Request): Promise<Http1Response> {
    const origin = parseUrl(req.url);
    req.signal?.throwIfAborted();
    const payload = this.#encode(req, origin);
    // A pooled connection the server has closed meanwhile fails before any answer byte: that
    // request never reached the server's handler, so it is sent again on a fresh connection.
    for (let attempt = 0;; attempt++) {
      const pooled = attempt === 0 ? this.#take(origin.key) : undefined;
      const c = pooled ?? await this.#connect(origin, req.signal);
      try {
        return await this.#exchange(c, origin, payload, req);
      } catch (e) {
        c.close();
        if (req.signal?.aborted) throw req.signal.reason;
        if (pooled && e instanceof StaleConnection) continue;
        throw e instanceof StaleConnection ? e.cause : e;
      }
    }
  }

  /** Closes every pooled connection. */
  close(): void {
    for (const list of this.#idle.values()) for (const c of list) c.close();
    this.#idle.clear();
  }

  #encode(req: Http1Request, origin: Origin): Uint8Array {
    const body = req.body === undefined
      ? new Uint8Array(0)
      : typeof req.body === "string"
      ? encoder.encode(req.body)
      : req.body;
    let head = `${req.method} ${origin.path} HTTP/1.1\r\nhost: ${origin.host}\r\n`;
    let hasLength = false;
    for (const [k, v] of Object.entries(req.headers)) {
      if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) {
        throw new TypeError(`header ${JSON.stringify(k)} has a line break`);
      }
      const lk = k.toLowerCase();
      if (lk === "host" || lk === "connection" || lk === "transfer-encoding") continue;
      if (lk === "content-length") hasLength = true;
      head += `${k}: ${v}\r\n`;
    }
    if (!hasLength) head += `content-length: ${body.length}\r\n`;
    head += "\r\n";
    const out = new Uint8Array(head.length * 3 + body.length);
    const { written } = encoder.encodeInto(head, out);
    out.set(body, written!);
    return out.subarray(0, written! + body.length);
  }

  #take(key: string): Connection | undefined {
    const list = this.#idle.get(key);
    const now = performance.now();
    while (list?.length) {
      const c = list.pop()!;
      if (now - c.idleSince < this.#idleMs && !c.closed) return c;
      c.close();
    }
    return undefined;
  }

  #release(key: string, c: Connection): void {
    let list = this.#idle.get(key);
    if (!list) this.#idle.set(key, list = []);
    if (list.length >= this.#maxIdlePerOrigin) return c.close();
    c.shrink();
    c.idleSince = performance.now();
    list.push(c);
  }

  async #connect(origin: Origin, signal?: AbortSignal): Promise<Connection> {
    const pending = Deno.connect({ hostname: origin.hostname, port: origin.port });
    if (!signal) return new Connection(await pending);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return new Connection(await Promise.race([pending, aborted]));
    } catch (e) {
      pending.then((c) => c.close(), () => {});
      throw e;
    } finally {
      signal.removeEventListener("abort", onAbort!);
    }
  }

  async #exchange(
    c: Connection,
    origin: Origin,
    payload: Uint8Array,
    req: Http1Request,
  ): Promise<Http1Response> {
    const onAbort = () => c.close();
    req.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      try {
        let off = 0;
        while (off < payload.length) off += await c.conn.write(payload.subarray(off));
      } catch (e) {
        throw new StaleConnection(e);
      }
      const res = await readResponse(c, req.method, req.maxBodyBytes ?? Infinity);
      if (res.keepAlive) this.#release(origin.key, c);
      else c.close();
      return res.response;
    } finally {
      req.signal?.removeEventListener("abort", onAbort);
    }
  }
}

/** The connection failed before any byte of the answer (a reused one may have been closed). */
class StaleConnection extends Error {
  constructor(override readonly cause: unknown) {
    super(String((cause as Error)?.message ?? cause));
  }
}

async function readResponse(
  c: Connection,
  method: string,
  limit: number,
): Promise<{ response: Http1Response; keepAlive: boolean }> {
  while (true) {
    // The head.
    let headEnd = -1;
    let first = true;
    while ((headEnd = indexOfSeq(c.buf, c.start, c.end, CRLFCRLF)) < 0) {
      if (c.end - c.start > 64 * 1024) throw new Http1ProtocolError("answer head over 64 KiB");
      let more: boolean;
      try {
        more = await c.fill();
      } catch (e) {
        if (first && c.end === c.start) throw new StaleConnection(e);
        throw e;
      }
      if (!more) {
        const err = new Error("connection closed before the answer was complete");
        if (first && c.end === c.start) throw new StaleConnection(err);
        throw err;
      }
      first = false;
    }
    const head = latin1.decode(c.buf.subarray(c.start, headEnd));
    c.start = headEnd + 4;
    const lines = head.split("\r\n");
    const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0]);
    if (!m) {
      throw new Http1ProtocolError(`bad status line ${JSON.stringify(lines[0].slice(0, 80))}`);
    }
    const status = Number(m[2]);
    const headers = new Http1Headers();
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(":");
      if (colon <= 0) throw new Http1ProtocolError(`bad header line ${JSON.stringify(lines[i])}`);
      headers.append(lines[i].slice(0, colon).trim(), lines[i].slice(colon + 1).trim());
    }
    if (status >= 100 && status < 200) continue; // 100 Continue and the like: the answer follows
    const connection = (headers.get("connection") ?? "").toLowerCase();
    let keepAlive = m[1] === "1"
      ? !connection.includes("close")
      : connection.includes("keep-alive");
    let body: Uint8Array;
    const te = headers.get("transfer-encoding");
    const cl = headers.get("content-length");
    if (method === "HEAD" || status === 204 || status === 304) {
      body = new Uint8Array(0);
    } else if (te !== null && te.toLowerCase().split(",").some((x) => x.trim() === "chunked")) {
      body = await readChunked(c, limit);
    } else if (cl !== null) {
      if (!/^\d+$/.test(cl)) throw new Http1ProtocolError(`bad content-length ${cl}`);
      const n = Number(cl);
      if (n > limit) throw new BodyTooLargeError(`answer body of ${n} bytes exceeds ${limit}`);
      body = await readExactly(c, n);
    } else {
      body = await readToEnd(c, limit);
      keepAlive = false;
    }
    const coding = (headers.get("content-encoding") ?? "identity").trim().toLowerCase();
    if (coding === "gzip" || coding === "x-gzip" || coding === "deflate") {
      body = await decompress(body, coding === "deflate" ? "deflate" : "gzip", limit);
    } else if (coding !== "identity" && coding !== "") {
      throw new Http1ProtocolError(`unsupported content-encoding ${coding}`);
    }
    const bytes = body;
    return {
      response: { status, headers, body: bytes, text: () => utf8.decode(bytes) },
      keepAlive,
    };
  }
}

async function readExactly(c: Connection, n: number): Promise<Uint8Array> {
  while (c.end - c.start < n) {
    if (!await c.fill()) throw new Error("connection closed before the answer was complete");
  }
  const out = c.buf.slice(c.start, c.start + n);
  c.start += n;
  return out;
}

async function readLine(c: Connection): Promise<string> {
  let at: number;
  while ((at = indexOfSeq(c.buf, c.start, c.end, [13, 10])) < 0) {
    if (c.end - c.start > 4096) throw new Http1ProtocolError("chunk line over 4 KiB");
    if (!await c.fill()) throw new Error("connection closed before the answer was complete");
  }
  const line = latin1.decode(c.buf.subarray(c.start, at));
  c.start = at + 2;
  return line;
}

async function readChunked(c: Connection, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const line = await readLine(c);
    const hex = line.split(";")[0].trim();
    const n = parseInt(hex, 16);
    if (!/^[0-9a-fA-F]+$/.test(hex) || !Number.isFinite(n)) {
      throw new Http1ProtocolError(`bad chunk size ${JSON.stringify(line.slice(0, 40))}`);
    }
    if (n === 0) {
      while ((await readLine(c)) !== ""); // trailers
      break;
    }
    size += n;
    if (size > limit) throw new BodyTooLargeError(`answer body exceeds ${limit} bytes`);
    parts.push(await readExactly(c, n));
    if ((await readLine(c)) !== "") throw new Http1ProtocolError("chunk not followed by CRLF");
  }
  return concat(parts, size);
}

async function readToEnd(c: Connection, limit: number): Promise<Uint8Array> {
  while (await c.fill()) {
    if (c.end - c.start > limit) throw new BodyTooLargeError(`answer body exceeds ${limit} bytes`);
  }
  const out = c.buf.slice(c.start, c.end);
  c.start = c.end;
  return out;
}

async function decompress(
  body: Uint8Array,
  format: "gzip" | "deflate",
  limit: number,
): Promise<Uint8Array> {
  const stream = new Blob([body as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream(format),
  );
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of stream) {
    size += part.length;
    if (size > limit) throw new BodyTooLargeError(`answer body exceeds ${limit} bytes`);
    parts.push(part);
  }
  return concat(parts, size);
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) (out.set(p, at), at += p.length);
  return out;
}
