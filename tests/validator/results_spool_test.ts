import assert from "node:assert/strict";
import { recordsOf, ResultsSpool } from "../../validator/results_spool.ts";

Deno.test("results spool: durable batches, ordered, survives reopen, ack/retain", async () => {
  const dir = await Deno.makeTempDir();
  const a = await new ResultsSpool(dir).open();
  await a.add([{ id: "r1", guid: "g", body: { n: 1 } }, { id: "r1b", guid: "g", body: { n: 11 } }]);
  await a.add([{ id: "r/2", guid: "g", body: { n: 2 } }]);
  await a.add([]);
  // a "restart": a new instance on the same directory sees both files, in order, and keeps numbering
  const b = await new ResultsSpool(dir).open();
  await b.add([{ id: "r3", guid: "g", body: { n: 3 } }]);
  const p = await b.pending();
  assert.deepEqual(p.map((x) => x.records.map((r) => r.body)), [[{ n: 1 }, { n: 11 }], [{ n: 2 }], [
    { n: 3 },
  ]]);
  assert.equal(await b.size(), 3, "an empty batch writes no file");
  // the first record of the first file was delivered, the second was not
  await b.retain(p[0].file, [p[0].records[1]]);
  await b.ack(p[1].file);
  const q = await b.pending();
  assert.equal(q.length, 2);
  assert.deepEqual(q[0].records.map((r) => [r.id, r.attempts]), [["r1b", 1]]);
  await b.retain(q[1].file, []);
  assert.equal(await b.size(), 1, "retaining nothing removes the file");
  await Deno.writeTextFile(`${dir}/000000000099-bad.json`, "{torn");
  assert.equal((await b.pending()).length, 1, "an unreadable file is set aside");
  assert.ok([...Deno.readDirSync(dir)].some((e) => e.name.endsWith(".unreadable")));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("results spool: single-record files of earlier versions are still read", () => {
  const one = { id: "x", guid: "g", body: {}, attempts: 2 };
  assert.deepEqual(recordsOf(one), [one]);
  assert.deepEqual(recordsOf({ records: [one] }), [one]);
  assert.throws(() => recordsOf({ nope: 1 }), /not a spool file/);
});
