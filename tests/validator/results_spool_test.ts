import assert from "node:assert/strict";
import { ResultsSpool } from "../../validator/results_spool.ts";

Deno.test("results spool: durable, ordered, survives reopen, ack/nack", async () => {
  const dir = await Deno.makeTempDir();
  const a = await new ResultsSpool(dir).open();
  await a.add({ id: "r1", guid: "g", body: { n: 1 } });
  await a.add({ id: "r/2", guid: "g", body: { n: 2 } });
  // a "restart": a new instance on the same directory sees both, in order, and keeps numbering
  const b = await new ResultsSpool(dir).open();
  await b.add({ id: "r3", guid: "g", body: { n: 3 } });
  const p = await b.pending();
  assert.deepEqual(p.map((x) => x.record.body), [{ n: 1 }, { n: 2 }, { n: 3 }]);
  await b.nack(p[0].file, p[0].record);
  await b.ack(p[1].file);
  const q = await b.pending();
  assert.equal(q.length, 2);
  assert.equal(q[0].record.attempts, 1);
  await Deno.writeTextFile(`${dir}/000000000099-bad.json`, "{torn");
  assert.equal((await b.pending()).length, 2, "an unreadable file is set aside");
  assert.ok([...Deno.readDirSync(dir)].some((e) => e.name.endsWith(".unreadable")));
  await Deno.remove(dir, { recursive: true });
});
