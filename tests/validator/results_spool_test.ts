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

Deno.test("results spool: what it spooled is delivered from memory, what it did not from disk", async () => {
  const dir = await Deno.makeTempDir();
  const a = await new ResultsSpool(dir).open();
  await a.add([{ id: "m1", guid: "g", body: { n: 1 } }]);
  const [p] = await a.pending();
  // The file on disk is what a restart reads; this instance answers from what it wrote.
  await Deno.writeTextFile(`${dir}/${p.file}`, JSON.stringify({ records: [] }));
  assert.deepEqual((await a.pending())[0].records.map((r) => r.id), ["m1"]);
  const b = await new ResultsSpool(dir).open();
  assert.deepEqual((await b.pending())[0].records, [], "another instance reads the disk");
  // A retained file keeps its new attempt count in memory too.
  await a.retain(p.file, p.records);
  assert.deepEqual((await a.pending())[0].records.map((r) => r.attempts), [1]);
  await a.ack(p.file);
  assert.deepEqual(await a.pending(), []);
  // Past 256 files (a store outage) the rest stays on disk only, and is still delivered.
  for (let i = 0; i < 300; i++) await a.add([{ id: `o${i}`, guid: "g", body: { i } }]);
  const all = await a.pending();
  assert.equal(all.length, 300);
  assert.deepEqual(all.map((x) => x.records[0].id), Array.from({ length: 300 }, (_, i) => `o${i}`));
  await Deno.remove(dir, { recursive: true });
});
