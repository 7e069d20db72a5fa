/**
 * Importers: upstream's conversation JSON (the shared 101-conversation file, read in place),
 * JSONL, PersonaChat CSV and JSON fixtures with bad rows, the demo dataset, and the
 * `api import` command. Bad rows are reported with their line and skipped, never fatal.
 */
import assert from "node:assert/strict";
import { SqliteRepository } from "../../store/sqlite_repository.ts";
import { importFile, readRecords } from "../../store/importers/import_file.ts";
import { readCsv } from "../../store/importers/csv.ts";
import { DEMO_DATA_URL, loadDemoData } from "../../store/demo_data.ts";
import { buildTaskBundle } from "../../store/bundle_builder.ts";
import { apiCommand } from "../../store/command.ts";
import {
  NamedEntitiesPayloadSchema,
  parseBundlePayload,
  SurveyPayloadSchema,
  TaskBundleSchema,
  WebpagePayloadSchema,
} from "../../tasks/mod.ts";

const SHARED = new URL("../../../shared/data/facebook-chat-data.json", import.meta.url);
const FIX = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

async function withSqlite(body: (repo: SqliteRepository, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "cgp_import_test_" });
  const repo = new SqliteRepository(`${dir}/s.sqlite`);
  await repo.migrate();
  try {
    await body(repo, dir);
  } finally {
    await repo.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("upstream conversation JSON: all 101 shared conversations, exact guids", () =>
  withSqlite(async (repo) => {
    const r = await importFile(repo, SHARED.pathname, { progress: false });
    assert.equal(r.format, "conversation-json");
    assert.deepEqual([r.read, r.inserted, r.duplicates, r.skipped.length], [101, 101, 0, 0]);
    assert.equal(await repo.countItems(), 101);
    // Guids are 128-bit integers in the file: kept exact, as strings.
    const text = await Deno.readTextFile(SHARED);
    const raw = /"24":\s*\{.*?"guid":\s*\d+.*?\},\s*"guid":\s*(\d+)/s.exec(text);
    assert.ok(raw, "entry 24's guid in the raw file");
    const item = await repo.getItem(raw[1]);
    assert.ok(item, `guid ${raw[1]} stored exactly`);
    assert.equal(item.sourceId, "24");
    assert.deepEqual(item.participants, ["Elizabeth King", "William Hall"]);
    assert.equal(item.lines[0][1], "hello , how are you doing tonight ? its midnight here");
    for (const it of await repo.listItems(0, 200)) {
      assert.ok(it.lines.length >= 13 && it.lines.length <= 19, `${it.guid}: ${it.lines.length}`);
    }
    const again = await importFile(repo, SHARED.pathname, { progress: false });
    assert.deepEqual([again.inserted, again.duplicates], [0, 101]);
  }));

Deno.test("JSONL: good rows stored, bad rows reported by line and skipped", () =>
  withSqlite(async (repo) => {
    const r = await importFile(repo, FIX("small.jsonl"), { progress: false });
    assert.equal(r.format, "jsonl");
    assert.deepEqual([r.read, r.inserted, r.duplicates], [6, 5, 1]);
    assert.deepEqual(r.skipped.map((s) => s.line), [4, 5, 6, 9]);
    assert.match(r.skipped[0].reason, /at least 2 lines/);
    assert.match(r.skipped[1].reason, /not JSON/);
    assert.match(r.skipped[2].reason, /lines\.1\.0/);
    assert.match(r.skipped[3].reason, /website_markdown/);
    assert.ok(await repo.getItem("123456789012345678901234567890"));
    const survey = await repo.getItem("jl-7");
    assert.equal(survey?.type, "survey_tagging");
    assert.equal(JSON.parse(survey!.lines[0][1]).survey_question.slice(0, 4), "What");
    assert.equal((await repo.getItem("jl-9"))?.type, "named_entities_extraction");
    // A row without a guid gets one derived from its content: re-importing adds nothing.
    const again = await importFile(repo, FIX("small.jsonl"), { progress: false });
    assert.equal(again.inserted, 0);
  }));

Deno.test("PersonaChat CSV: quoted multi-line chats, speakers alternate, bad rows by line", () =>
  withSqlite(async (repo) => {
    const r = await importFile(repo, FIX("small.csv"), { progress: false });
    assert.equal(r.format, "personachat-csv");
    assert.deepEqual([r.read, r.inserted], [2, 2]);
    assert.deepEqual(r.skipped.map((s) => s.line), [6, 10]);
    assert.match(r.skipped[0].reason, /at least 2 lines/);
    assert.match(r.skipped[1].reason, /expected 3 fields, got 2/);
    const items = await repo.listItems(0, 10);
    assert.deepEqual(items[0].lines.map((l) => l[0]), [0, 1, 0, 1]);
    assert.equal(items[0].lines[3][1], "a beagle , she is very loud");
    assert.equal(items[0].sourceId, "1");
    assert.equal(items[1].metadata?.persona, 'i play chess, "mostly" online.');
  }));

Deno.test("PersonaChat JSON (ParlAI): last history + gold reply; bad dialogs reported", () =>
  withSqlite(async (repo) => {
    const r = await importFile(repo, FIX("personachat.json"), { progress: false });
    assert.equal(r.format, "personachat-json");
    assert.deepEqual([r.read, r.inserted, r.skipped.length], [1, 1, 2]);
    assert.match(r.skipped[0].reason, /train\[1\].*at least 2 lines/);
    assert.match(r.skipped[1].reason, /train\[2\]: neither/);
    const [item] = await repo.listItems(0, 1);
    assert.deepEqual(item.lines.map((l) => l[1]), [
      "hello , do you like bread ?",
      "i love it , especially sourdough",
      "i bake it every morning at five",
    ]);
    assert.match(String(item.metadata?.persona), /bakery/);
  }));

Deno.test("CSV reader: quotes, escaped quotes, CRLF, unterminated quote", () => {
  const recs = [...readCsv('a,b\r\n"x, y","say ""hi""\nthere"\r\nlast,1')];
  assert.deepEqual(recs, [
    { line: 1, fields: ["a", "b"] },
    { line: 2, fields: ["x, y", 'say "hi"\nthere'] },
    { line: 4, fields: ["last", "1"] },
  ]);
  assert.deepEqual([...readCsv('a\n"open')], [
    { line: 1, fields: ["a"] },
    { line: 2, error: "unterminated quoted field" },
  ]);
});

Deno.test("format detection and a non-object document", () => {
  assert.equal(readRecords("[]", "x.json").format, "conversation-json");
  const r = readRecords("42", "x.json");
  assert.equal(r.rows.length, 1);
  assert.match("error" in r.rows[0] ? r.rows[0].error : "", /expected an object/);
});

Deno.test("demo dataset: 42 conversations of 20-80 lines plus pages, surveys, documents", () =>
  withSqlite(async (repo) => {
    const r = await loadDemoData(repo);
    assert.deepEqual(r.skipped, []);
    const s = await repo.stats(Date.now());
    assert.deepEqual(s.itemsByType, {
      conversation_tagging: 42,
      webpage_metadata_generation: 3,
      survey_tagging: 3,
      named_entities_extraction: 3,
    });
    const items = await repo.listItems(0, 100);
    const texts = new Set<string>();
    for (const it of items) {
      const bundle = TaskBundleSchema.parse(buildTaskBundle(it));
      const lines = bundle.input.data.lines;
      if (it.type === "conversation_tagging") {
        assert.ok(lines.length >= 20 && lines.length <= 80, `${it.guid}: ${lines.length} lines`);
        assert.deepEqual(new Set(lines.map((l) => l[0])), new Set([0, 1]));
        for (const [, t] of lines) texts.add(t);
      } else if (it.type === "webpage_metadata_generation") {
        parseBundlePayload(lines, WebpagePayloadSchema, it.guid);
      } else if (it.type === "survey_tagging") {
        parseBundlePayload(lines, SurveyPayloadSchema, it.guid);
      } else {
        parseBundlePayload(lines, NamedEntitiesPayloadSchema, it.guid);
      }
    }
    // Written as distinct chats: almost no line repeats across the set.
    const all = items.filter((i) => i.type === "conversation_tagging").flatMap((i) => i.lines);
    assert.ok(texts.size >= all.length * 0.98, `${texts.size} distinct of ${all.length}`);
    assert.ok((await Deno.stat(DEMO_DATA_URL)).size < 200_000);
  }));

Deno.test("`api import` reports skipped rows on stderr and exits 1 when any were bad", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgp_import_cmd_" });
  try {
    const db = `sqlite:${dir}/s.sqlite`;
    const code = await apiCommand.run(["import", FIX("small.csv"), "--db", db]);
    assert.equal(code, 1);
    const ok = await apiCommand.run(["import", SHARED.pathname, "--db", db]);
    assert.equal(ok, 0);
    const repo = new SqliteRepository(`${dir}/s.sqlite`);
    assert.equal(await repo.countItems(), 103);
    await repo.close();
    assert.equal(
      await apiCommand.run(["import", "--format", "xml", FIX("small.csv"), "--db", db]),
      2,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
