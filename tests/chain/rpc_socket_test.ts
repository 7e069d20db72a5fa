import assert from "node:assert/strict";
import { ChainError, ChainTimeoutError, ChainUnavailableError } from "../../chain/errors.ts";
import { startLocalChain } from "../../chain/local/mod.ts";
import { RpcSocket } from "../../chain/rpc_socket.ts";
import { METADATA_PATH } from "./local_chain_helpers.ts";

Deno.test("RpcSocket: best block over a bare socket, errors typed, a new socket after a drop", async () => {
  const chain = await startLocalChain({ metadataPath: METADATA_PATH, blockTimeMs: 0 });
  const rpc = new RpcSocket(chain.url, { callTimeoutMs: 5_000 });
  try {
    const b0 = await rpc.bestBlock();
    assert.equal(b0, chain.blockNumber());
    await chain.advanceBlocks(3);
    assert.equal(await rpc.bestBlock(), b0 + 3);
    // Requests in flight at once get their own answers.
    const [a, b] = await Promise.all([rpc.bestBlock(), rpc.request("system_chain")]);
    assert.equal(a, b0 + 3);
    assert.equal(typeof b, "string");
    // The node's JSON-RPC error is a ChainError naming it.
    await assert.rejects(rpc.request("no_such_method"), (e) => e instanceof ChainError);
  } finally {
    rpc.close();
    await chain.close();
  }
  // The chain is gone: the next call fails as unavailable instead of hanging.
  const lost = new RpcSocket(chain.url, { callTimeoutMs: 5_000 });
  await assert.rejects(
    lost.bestBlock(),
    (e) => e instanceof ChainUnavailableError || e instanceof ChainTimeoutError,
  );
  lost.close();
  await assert.rejects(lost.bestBlock(), ChainUnavailableError);

  // A chain started again on the same port is reached by a fresh socket on the next call.
  const port = Number(new URL(chain.url).port);
  const again = await startLocalChain({ metadataPath: METADATA_PATH, blockTimeMs: 0, port });
  const rpc2 = new RpcSocket(again.url, { callTimeoutMs: 5_000 });
  try {
    assert.equal(await rpc2.bestBlock(), again.blockNumber());
    await again.close();
    await assert.rejects(rpc2.bestBlock());
    const back = await startLocalChain({ metadataPath: METADATA_PATH, blockTimeMs: 0, port });
    try {
      assert.equal(await rpc2.bestBlock(), back.blockNumber());
    } finally {
      await back.close();
    }
  } finally {
    rpc2.close();
  }
});
