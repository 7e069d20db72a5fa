/**
 * @module
 * The floor for the axon bench: a bare `Deno.serve` that reads the request body and answers a
 * small JSON, with no verification and no synapse handling. Driven by the same load generator,
 * it shows what any Deno HTTP server costs here (RSS, CPU per request), which bounds how close
 * our axon can come to the verification ceiling and to a fraction of Python's memory.
 *
 * argv[0]: JSON `{ "port": number }`. Prints `{"ready":true,"port":p}`.
 */
const cfg = JSON.parse(Deno.args[0] ?? "{}") as { port?: number };
const server = Deno.serve(
  { port: cfg.port ?? 0, hostname: "127.0.0.1", onListen() {} },
  async (req) => {
    const body = await req.text();
    return Response.json({ received: body.length });
  },
);
console.log(JSON.stringify({ ready: true, port: server.addr.port }));
const stop = async () => {
  Deno.removeSignalListener("SIGTERM", stop);
  await server.shutdown();
};
Deno.addSignalListener("SIGTERM", stop);
