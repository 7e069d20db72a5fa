import assert from "node:assert/strict";
import { Keypair } from "../../wallet/keypair.ts";
import {
  CgSynapse,
  createAxon,
  Dendrite,
  failureStatus,
  hostPort,
  NonceStore,
} from "../../protocol/mod.ts";

const me = await Keypair.fromSeed(new Uint8Array(32).fill(5));
const axonKey = await Keypair.fromSeed(new Uint8Array(32).fill(6));

/** A plain HTTP server answering every request with `handler`. */
function stub(handler: (req: Request) => Response | Promise<Response>, hostname = "127.0.0.1") {
  const server = Deno.serve({ port: 0, hostname, onListen() {} }, handler);
  return { port: (server.addr as Deno.NetAddr).port, close: () => server.shutdown() };
}

Deno.test("vector 12 and §5.2: failure → status mapping", () => {
  assert.deepEqual(failureStatus({ kind: "timeout", timeout: 5 }), [
    408,
    // Python formats the float field, str(5.0): the real 9.0.0 dendrite with timeout=1 reports
    // "Request timeout after 1.0 seconds" (vector 12's "5 seconds" comes from a mocked test)
    "Request timeout after 5.0 seconds",
  ]);
  assert.deepEqual(failureStatus({ kind: "timeout", timeout: 0.5 }), [
    408,
    "Request timeout after 0.5 seconds",
  ]);
  assert.deepEqual(failureStatus({ kind: "parse", detail: "Unknown error" }), [
    422,
    "Failed to parse response: Unknown error",
  ]);
  assert.deepEqual(
    failureStatus({ kind: "unavailable", ip: "1.2.3.4", port: 8091, name: "CgSynapse" }),
    [503, "Service unavailable at 1.2.3.4:8091/CgSynapse"],
  );
  assert.deepEqual(failureStatus({ kind: "payload", detail: "x" }), [400, "Payload error: x"]);
  assert.deepEqual(failureStatus({ kind: "client", detail: "x" }), [500, "Client error: x"]);
  assert.deepEqual(failureStatus({ kind: "disconnected", detail: "x" }), [
    503,
    "Service disconnected: x",
  ]);
});

Deno.test("vector 12: an HTTP error with a message → axon and dendrite status", async () => {
  const s = stub(() => Response.json({ message: "Custom Error" }, { status: 414 }));
  try {
    const [a] = await new Dendrite({ keypair: me }).query(
      [{ ip: "127.0.0.1", port: s.port, hotkey: axonKey.ss58Address }],
      CgSynapse,
      { cgp_input: [] },
    );
    assert.equal(a.axon.status_code, 414);
    assert.equal(a.dendrite.status_code, 414);
    assert.equal(a.dendrite.status_message, "Custom Error");
    assert.equal(a.axon.status_message, "Custom Error");
  } finally {
    await s.close();
  }
});

Deno.test("dendrite: what it sends (headers, body, signature) and how it reads answers", async (t) => {
  let seen: { method: string; url: string; headers: Headers } | undefined;
  let seenBody = "";
  const s = stub(async (req) => {
    seen = { method: req.method, url: req.url, headers: new Headers(req.headers) };
    seenBody = await req.text();
    return new Response("not json", { headers: { "content-type": "text/html" } });
  });
  const d = new Dendrite({ keypair: me, externalIp: "203.0.113.7" });
  const target = { ip: "127.0.0.1", port: s.port, hotkey: axonKey.ss58Address };
  try {
    await t.step("non-JSON answer → 422", async () => {
      const [a] = await d.query([target], CgSynapse, { cgp_input: [{ k: "v" }] }, { timeout: 3 });
      assert.equal(a.dendrite.status_code, 422);
      assert.equal(
        a.dendrite.status_message,
        "Failed to parse response: Attempt to decode JSON with unexpected mimetype: text/html",
      );
    });
    await t.step("request: POST /CgSynapse, lowercase bt headers, full body", () => {
      assert.ok(seen);
      assert.equal(seen.method, "POST");
      assert.equal(new URL(seen.url).pathname, "/CgSynapse");
      const h = seen.headers;
      assert.equal(h.get("content-type"), "application/json");
      assert.equal(h.get("name"), "CgSynapse");
      assert.equal(h.get("timeout"), "3.0");
      assert.equal(h.get("bt_header_dendrite_ip"), "203.0.113.7");
      assert.equal(h.get("bt_header_dendrite_version"), "10002000");
      assert.equal(h.get("bt_header_dendrite_uuid"), d.uuid);
      assert.equal(h.get("bt_header_dendrite_hotkey"), me.ss58Address);
      assert.equal(h.get("bt_header_axon_hotkey"), axonKey.ss58Address);
      assert.equal(h.get("bt_header_axon_port"), String(s.port));
      assert.equal(h.get("bt_header_input_obj_cgp_input"), "W10=");
      assert.match(h.get("bt_header_dendrite_nonce")!, /^\d{19}$/);
      assert.match(h.get("bt_header_dendrite_signature")!, /^0x[0-9a-f]{128}$/);
      const body = JSON.parse(seenBody);
      assert.deepEqual(Object.keys(body), [
        "name",
        "timeout",
        "total_size",
        "header_size",
        "dendrite",
        "axon",
        "computed_body_hash",
        "cgp_input",
        "cgp_output",
        "time_elapsed",
      ]);
      assert.equal(body.dendrite.hotkey, me.ss58Address);
      assert.equal(body.axon.status_code, null);
      assert.equal(String(body.total_size), h.get("total_size"));
      assert.ok(seenBody.includes(`"nonce":${h.get("bt_header_dendrite_nonce")}`));
    });
    await t.step("nonces strictly increase under one uuid per instance", () => {
      const a = d.prepare(target, CgSynapse, { cgp_input: [] });
      const b = d.prepare(target, CgSynapse, { cgp_input: [] });
      assert.ok(
        BigInt(b.headers.bt_header_dendrite_nonce) > BigInt(a.headers.bt_header_dendrite_nonce),
      );
      assert.equal(a.headers.bt_header_dendrite_uuid, b.headers.bt_header_dendrite_uuid);
      assert.notEqual(new Dendrite({ keypair: me }).uuid, d.uuid);
    });
  } finally {
    await s.close();
  }
});

Deno.test("dendrite: timeout 408, refused 503, oversized answer 400", async () => {
  const slow = stub(async () => {
    await new Promise((r) => setTimeout(r, 1000));
    return Response.json({});
  });
  const big = stub(() => Response.json({ pad: "x".repeat(5000) }));
  const d = new Dendrite({ keypair: me, maxResponseBytes: 1000 });
  try {
    const closed = Deno.listen({ port: 0, hostname: "127.0.0.1" });
    const closedPort = (closed.addr as Deno.NetAddr).port;
    closed.close();
    const [t1, t2, t3] = await d.query(
      [
        { ip: "127.0.0.1", port: slow.port, hotkey: axonKey.ss58Address },
        { ip: "127.0.0.1", port: closedPort, hotkey: axonKey.ss58Address },
        { ip: "127.0.0.1", port: big.port, hotkey: axonKey.ss58Address },
      ],
      CgSynapse,
      { cgp_input: [] },
      { timeout: 0.2 },
    );
    assert.equal(t1.dendrite.status_code, 408);
    assert.equal(t1.dendrite.status_message, "Request timeout after 0.2 seconds");
    assert.equal(t2.dendrite.status_code, 503);
    assert.equal(
      t2.dendrite.status_message,
      `Service unavailable at 127.0.0.1:${closedPort}/CgSynapse`,
    );
    assert.equal(t3.dendrite.status_code, 400);
    assert.equal(t3.dendrite.status_message, "Payload error: response body exceeds 1000 bytes");
  } finally {
    await slow.close();
    await big.close();
  }
});

Deno.test("dendrite: the answer cap holds for compressed and chunked answers too", async () => {
  // fetch decompresses a gzip body past its declared length; a chunked body declares none.
  const gz = new Uint8Array(
    await new Response(
      new Blob([JSON.stringify({ pad: "x".repeat(50_000) })]).stream()
        .pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer(),
  );
  const zipped = stub(() =>
    new Response(gz, {
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
    })
  );
  const chunked = stub(() =>
    new Response(
      new ReadableStream({
        start(c) {
          for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(500)));
          c.close();
        },
      }),
      { headers: { "content-type": "application/json" } },
    )
  );
  const d = new Dendrite({ keypair: me, maxResponseBytes: 1000 });
  try {
    assert.ok(gz.length < 1000);
    const answers = await d.query(
      [zipped.port, chunked.port].map((port) => ({
        ip: "127.0.0.1",
        port,
        hotkey: axonKey.ss58Address,
      })),
      CgSynapse,
      { cgp_input: [] },
      { timeout: 3 },
    );
    for (const a of answers) {
      assert.equal(a.dendrite.status_code, 400);
      assert.equal(a.dendrite.status_message, "Payload error: response body exceeds 1000 bytes");
    }
  } finally {
    await zipped.close();
    await chunked.close();
  }
});

Deno.test("dendrite ↔ our axon over IPv6 loopback (bracketed host), concurrent queries", async () => {
  assert.equal(hostPort("::1", 8091), "[::1]:8091");
  assert.equal(hostPort("10.0.0.1", 8091), "10.0.0.1:8091");
  const axon = createAxon({
    keypair: axonKey,
    nonceStore: new NonceStore(),
    synapses: {
      CgSynapse: {
        schema: CgSynapse,
        forward: (s) => ({ cgp_output: s.cgp_input.map((x) => ({ seen: x })) }),
      },
    },
  });
  let served;
  try {
    served = axon.serve({ port: 0, hostname: "::1" });
  } catch (e) {
    console.warn(`no IPv6 loopback here (${(e as Error).message}); testing on 127.0.0.1`);
    served = axon.serve({ port: 0, hostname: "127.0.0.1" });
  }
  try {
    const ip = served.hostname.includes(":") ? "::1" : "127.0.0.1";
    const d = new Dendrite({ keypair: me });
    const answers = await Promise.all(
      Array.from(
        { length: 3 },
        (_, i) =>
          d.call({ ip, port: served.port, hotkey: axonKey.ss58Address }, CgSynapse, {
            cgp_input: [{ i }],
          }),
      ),
    );
    // concurrent requests share the uuid; one arriving after a newer nonce is refused (upstream rule)
    const ok = answers.filter((a) => a.dendrite.status_code === 200);
    assert.ok(ok.length >= 1);
    for (const a of ok) assert.deepEqual(a.cgp_output, [{ seen: a.cgp_input[0] }]);
    for (const a of answers.filter((a) => a.dendrite.status_code !== 200)) {
      assert.equal(a.dendrite.status_code, 401);
    }
    const [seq] = await d.query(
      [{ ip, port: served.port, hotkey: axonKey.ss58Address }],
      CgSynapse,
      {
        cgp_input: [{ last: true }],
      },
    );
    assert.equal(seq.dendrite.status_code, 200);
    assert.equal(seq.axon.status_message, "Success");
    assert.equal(seq.axon.hotkey, axonKey.ss58Address);
  } finally {
    await served.shutdown();
    axon.close();
  }
});
