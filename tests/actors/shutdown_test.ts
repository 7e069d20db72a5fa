import assert from "node:assert/strict";
import { ActorError, ActorSystem } from "../../actors/mod.ts";
import { testActor } from "./fixtures/test_actor.ts";

Deno.test("shutdown: stops intake, finishes in-flight and queued work, calls persist", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/state.jsonl`;
  const system = new ActorSystem({ poolSize: 2 });
  try {
    const a = await system.spawn({ name: "s/a", actor: testActor, args: { persistFile: file } });
    const b = await system.spawn({ name: "s/b", actor: testActor, args: { persistFile: file } });
    await a.tell("add", { n: 1 });
    const inflight = a.ask("work", { ms: 300, n: 10 });
    await a.tell("add", { n: 100 });
    await b.tell("add", { n: 7 });
    const done = system.shutdown({ deadlineMs: 60_000 });
    await assert.rejects(
      a.tell("add", { n: 1 }),
      (e) => e instanceof ActorError && e.code === "shutting_down",
    );
    assert.equal(await inflight, 11, "in-flight ask answered, not cancelled");
    const report = await done;
    assert.equal(report.drained, true);
    assert.equal(report.deadLettered, 0);
    assert.deepEqual(report.persisted.sort(), ["s/a", "s/b"]);
    const lines = (await Deno.readTextFile(file)).trim().split("\n").map((l) => JSON.parse(l));
    lines.sort((x, y) => x.name.localeCompare(y.name));
    assert.deepEqual(lines, [{ name: "s/a", total: 111 }, { name: "s/b", total: 7 }]);
    assert.equal(system.stats().workers, 0);
    assert.equal(system.stats().state, "stopped");
  } finally {
    await system.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shutdown: past the deadline, what is left is dead-lettered and its askers told", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/state.jsonl`;
  const system = new ActorSystem({ poolSize: 1 });
  try {
    const a = await system.spawn({ name: "stuck", actor: testActor, args: { persistFile: file } });
    await a.tell("add", { n: 5 });
    const stuck = a.ask("hold", { key: "never-released" });
    const queued = a.ask("get", {});
    const refused = (p: Promise<unknown>) =>
      assert.rejects(p, (e) => e instanceof ActorError && e.code === "shutting_down");
    const checks = [refused(stuck), refused(queued)];
    const report = await system.shutdown({ deadlineMs: 200 });
    assert.equal(report.drained, false);
    assert.equal(report.deadLettered, 2);
    await Promise.all(checks);
    assert.deepEqual(system.deadLetters().map((d) => [d.type, d.reason]), [["hold", "shutdown"], [
      "get",
      "shutdown",
    ]]);
    assert.deepEqual(report.persisted, ["stuck"], "persist still runs");
    assert.deepEqual(JSON.parse(await Deno.readTextFile(file)), { name: "stuck", total: 5 });
  } finally {
    await system.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

async function runSignalChild(mode: "drain" | "stuck", signals: number) {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/state.jsonl`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./fixtures/signal_main.ts", import.meta.url).pathname, file, mode],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  for (let i = 0; i < signals; i++) {
    child.kill("SIGTERM");
    if (i + 1 < signals) await new Promise((r) => setTimeout(r, 200));
  }
  const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
  while (!(await reader.read()).done) { /* drain */ }
  let persisted = "";
  try {
    persisted = await Deno.readTextFile(file);
  } catch { /* not written */ }
  await Deno.remove(dir, { recursive: true });
  return { code: status.code, persisted, stderr };
}

Deno.test({
  name:
    "shutdown: SIGTERM in a subprocess drains, persists and exits 0; a second signal forces exit",
  ignore: Deno.build.os === "windows",
  fn: async (t) => {
    await t.step("one SIGTERM: graceful", async () => {
      const r = await runSignalChild("drain", 1);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.persisted), { name: "worker/1", total: 111 });
    });
    await t.step(
      "two SIGTERMs while work is stuck: forced exit 130, nothing persisted",
      async () => {
        const r = await runSignalChild("stuck", 2);
        assert.equal(r.code, 130, r.stderr);
        assert.equal(r.persisted, "");
      },
    );
  },
});
