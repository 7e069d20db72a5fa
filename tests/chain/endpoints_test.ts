import assert from "node:assert/strict";
import { EndpointError, resolveEndpoint } from "../../chain/endpoints.ts";

Deno.test("named networks resolve to the SDK's endpoints", () => {
  assert.deepEqual(resolveEndpoint({ network: "finney" }), {
    network: "finney",
    url: "wss://entrypoint-finney.opentensor.ai:443",
  });
  assert.equal(resolveEndpoint({ network: "test" }).url, "wss://test.finney.opentensor.ai:443");
  assert.equal(resolveEndpoint({ network: "local" }).url, "ws://127.0.0.1:9944");
  assert.equal(resolveEndpoint().network, "finney");
});

Deno.test("chain_endpoint wins; URLs as network; env for local", () => {
  assert.deepEqual(resolveEndpoint({ network: "finney", chainEndpoint: "ws://127.0.0.1:9000" }), {
    network: "local",
    url: "ws://127.0.0.1:9000",
  });
  assert.deepEqual(resolveEndpoint({ network: "wss://example.org/ws" }), {
    network: "custom",
    url: "wss://example.org/ws",
  });
  assert.equal(
    resolveEndpoint({ chainEndpoint: "wss://test.finney.opentensor.ai:443" }).network,
    "test",
  );
  assert.equal(
    resolveEndpoint({ network: "local", env: { BT_SUBTENSOR_CHAIN_ENDPOINT: "ws://127.0.0.1:1" } })
      .url,
    "ws://127.0.0.1:1",
  );
});

Deno.test("unknown names and non-websocket URLs are refused", () => {
  assert.throws(() => resolveEndpoint({ network: "mainnet" }), EndpointError);
  assert.throws(() => resolveEndpoint({ chainEndpoint: "http://127.0.0.1:9944" }), /ws:\/\//);
  assert.throws(() => resolveEndpoint({ chainEndpoint: "not a url" }), EndpointError);
});
