import assert from "node:assert/strict";
import { BodyTooLargeError, Http1Client, Http1ProtocolError } from "../../protocol/http1_client.ts";

/** A raw TCP server: `script` gets each connection and what the client sent so far. */
function rawServer(script: (conn: Deno.Conn, n: number) => Promise<void>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let n = 0;
  const done = (async () => {
    for await (const conn of listener) {
      const i = n++;
      script(conn, i).catch(() => {}).finally(() => {
        try {
          conn.close();
        } catch { /* closed */ }
      });
    }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    connections: () => n,
    close: async () => {
      listener.close();
      await done.catch(() => {});
    },
  };
}

/** Reads one request (head and content-length body) from a raw connection. */
async function readRequest(conn: Deno.Conn): Promise<string | null> {
  const buf = new Uint8Array(64 * 1024);
  let text = "";
  while (true) {
    const n = await conn.read(buf);
    if (n === null) return null;
    text += new TextDecoder().decode(buf.subarray(0, n));
    const end = text.indexOf("\r\n\r\n");
    if (end < 0) continue;
    const len = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
    if (text.length >= end + 4 + len) return text;
  }
}

const write = (conn: Deno.Conn, s: string) => conn.write(new TextEncoder().encode(s));

Deno.test("http1 client: keep-alive, chunked, gzip, caps, and what a peer can get wrong", async (t) => {
  const remotes = new Set<number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req, info) => {
      remotes.add(info.remoteAddr.port);
      const path = new URL(req.url).pathname;
      const body = await req.text();
      if (path === "/echo") {
        return Response.json({ method: req.method, body, x: req.headers.get("x-test") });
      }
      if (path === "/chunked") {
        const parts = ["ab", "cd", "ef".repeat(3000)];
        return new Response(
          new ReadableStream({
            start(c) {
              for (const p of parts) c.enqueue(new TextEncoder().encode(p));
              c.close();
            },
          }),
        );
      }
      if (path === "/gzip") {
        const gz = new Blob(["hello ".repeat(1000)]).stream().pipeThrough(
          new CompressionStream("gzip"),
        );
        return new Response(gz, { headers: { "content-encoding": "gzip" } });
      }
      return new Response("nope", { status: 404 });
    },
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const client = new Http1Client();
  try {
    await t.step("a POST and its JSON answer; the connection is kept and reused", async () => {
      for (let i = 0; i < 5; i++) {
        const r = await client.request({
          method: "POST",
          url: `${base}/echo`,
          headers: { "content-type": "application/json", "x-test": `v${i}` },
          body: `{"i":${i}}`,
        });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get("Content-Type"), "application/json");
        assert.deepEqual(JSON.parse(r.text()), { method: "POST", body: `{"i":${i}}`, x: `v${i}` });
      }
      assert.equal(remotes.size, 1, "five requests, one connection");
    });
    await t.step("a chunked answer is joined; a gzip one is decoded", async () => {
      const c = await client.request({ method: "GET", url: `${base}/chunked`, headers: {} });
      assert.equal(c.text(), "abcd" + "ef".repeat(3000));
      const g = await client.request({ method: "GET", url: `${base}/gzip`, headers: {} });
      assert.equal(g.text(), "hello ".repeat(1000));
    });
    await t.step("answers over the cap are refused, whatever their framing", async () => {
      for (const path of ["/echo", "/chunked", "/gzip"]) {
        await assert.rejects(
          client.request({
            method: "POST",
            url: `${base}${path}`,
            headers: {},
            body: "x".repeat(2000),
            maxBodyBytes: 1000,
          }),
          BodyTooLargeError,
          path,
        );
      }
      const ok = await client.request({ method: "GET", url: `${base}/nothing`, headers: {} });
      assert.equal([ok.status, ok.text()].join(" "), "404 nope", "the client still works after");
    });
    await t.step("a refused connection is an error that says so", async () => {
      const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (l.addr as Deno.NetAddr).port;
      l.close();
      await assert.rejects(
        client.request({ method: "GET", url: `http://127.0.0.1:${port}/`, headers: {} }),
        /refused/i,
      );
    });
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("http1 client: a kept connection the server closed is replaced; abort; 100 Continue; garbage", async (t) => {
  const client = new Http1Client();
  try {
    await t.step(
      "the server closes an idle keep-alive connection: the next request reconnects",
      async () => {
        const s = rawServer(async (conn) => {
          await readRequest(conn);
          await write(conn, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
          // then close, as uvicorn does after its keep-alive timeout
        });
        try {
          for (let i = 0; i < 3; i++) {
            const r = await client.request({
              method: "POST",
              url: `${s.url}/`,
              headers: {},
              body: "a",
            });
            assert.equal(r.text(), "ok");
          }
          assert.equal(s.connections(), 3);
        } finally {
          await s.close();
        }
      },
    );
    await t.step("an aborted request rejects with the signal's reason", async () => {
      const s = rawServer(async (conn) => {
        await readRequest(conn);
        await new Promise((r) => setTimeout(r, 2000));
      });
      try {
        const t0 = performance.now();
        await assert.rejects(
          client.request({
            method: "POST",
            url: `${s.url}/`,
            headers: {},
            body: "a",
            signal: AbortSignal.timeout(100),
          }),
          (e: unknown) => (e as DOMException).name === "TimeoutError",
        );
        assert.ok(performance.now() - t0 < 1500, "did not wait for the server");
      } finally {
        await s.close();
      }
    });
    await t.step("100 Continue before the answer; an answer until close", async () => {
      const s = rawServer(async (conn) => {
        await readRequest(conn);
        await write(
          conn,
          "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nx-a: 1\r\nx-a: 2\r\n\r\n",
        );
        await write(conn, "till close");
      });
      try {
        const r = await client.request({
          method: "POST",
          url: `${s.url}/`,
          headers: {},
          body: "a",
        });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get("x-a"), "1, 2");
        assert.equal(r.text(), "till close");
      } finally {
        await s.close();
      }
    });
    await t.step("a peer that does not speak HTTP is a protocol error", async () => {
      const s = rawServer(async (conn) => {
        await readRequest(conn);
        await write(conn, "SSH-2.0-OpenSSH\r\n\r\n");
      });
      try {
        await assert.rejects(
          client.request({ method: "POST", url: `${s.url}/`, headers: {}, body: "a" }),
          Http1ProtocolError,
        );
      } finally {
        await s.close();
      }
    });
    await t.step("a header value with a line break is refused before sending", async () => {
      await assert.rejects(
        client.request({ method: "GET", url: "http://127.0.0.1:9/", headers: { a: "b\r\nc: d" } }),
        TypeError,
      );
    });
  } finally {
    client.close();
  }
});
