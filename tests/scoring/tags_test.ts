import assert from "node:assert/strict";
import { PY_WHITESPACE, pyIsSpace, pyLower, pyStrip } from "../../scoring/python_text.ts";
import { getSafeTag } from "../../scoring/safe_tag.ts";
import { cleanTags, getCleanTagSet } from "../../scoring/clean_tags.ts";
import {
  parseTagValidationReply,
  selectTagsForValidation,
  validateNamedEntitiesTagSet,
} from "../../scoring/validate_tags.ts";
import { loadVectors, seededRandom } from "./vectors.ts";

interface TagsFile {
  python_whitespace_codepoints: string[];
  get_safe_tag: {
    id: string;
    input: string;
    output: string;
    output_len: number;
    kept_by_clean_tag_set: boolean;
  }[];
  clean_tags: { id: string; input: string[]; output: string[] }[];
  get_clean_tag_set: { id: string; input: unknown; output_sorted: string[] }[];
  validate_named_entities_tag_set: {
    id: string;
    input: string[];
    clean_set_sorted: string[];
    output_sorted: string[];
    output_size: number;
    depends_on_random: boolean;
  }[];
  validate_tag_set: {
    id: string;
    input_tags: string[];
    llm_reply: string;
    returns_null: boolean;
    output_sorted: string[] | null;
  }[];
}

const V = loadVectors<TagsFile>("tags.json");
/** Python sorts str by code point; JS default sort is by UTF-16 unit. Compare as sets anyway. */
const sorted = (xs: string[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

Deno.test("python whitespace set is exactly the 29 code points of the vectors", () => {
  const expected = V.python_whitespace_codepoints.map((u) => parseInt(u.slice(2), 16)).sort((
    a,
    b,
  ) => a - b);
  assert.deepEqual([...PY_WHITESPACE].sort((a, b) => a - b), expected);
  for (let cp = 0; cp < 0x10000; cp++) {
    assert.equal(pyIsSpace(cp), expected.includes(cp), `U+${cp.toString(16)}`);
  }
  assert.equal(pyStrip("\u0085 x\u001f"), "x");
  assert.equal(pyStrip("\ufeffx"), "\ufeffx");
  assert.equal(pyLower("İ"), "i\u0307");
});

Deno.test("get_safe_tag vectors", async (t) => {
  for (const c of V.get_safe_tag) {
    await t.step(c.id, () => {
      const out = getSafeTag(c.input);
      assert.equal(out, c.output, JSON.stringify(c.input));
      assert.equal(out.length, c.output_len);
      assert.equal(getCleanTagSet([c.input]).length === 1, c.kept_by_clean_tag_set);
    });
  }
});

Deno.test("clean_tags vectors", async (t) => {
  for (const c of V.clean_tags) {
    await t.step(c.id, () => assert.deepEqual(cleanTags(c.input), c.output));
  }
});

Deno.test("get_clean_tag_set vectors (compared as sets)", async (t) => {
  for (const c of V.get_clean_tag_set) {
    await t.step(c.id, () => {
      const out = getCleanTagSet(c.input);
      assert.equal(new Set(out).size, out.length, "no duplicates");
      assert.deepEqual(sorted(out), sorted(c.output_sorted));
    });
  }
});

Deno.test("validate_named_entities_tag_set vectors", async (t) => {
  for (const c of V.validate_named_entities_tag_set) {
    await t.step(c.id, () => {
      for (const seed of [1, 2, 3]) {
        const out = validateNamedEntitiesTagSet(c.input, seededRandom(seed));
        assert.deepEqual(sorted(getCleanTagSet(c.input)), sorted(c.clean_set_sorted));
        assert.equal(out.length, c.output_size);
        assert.equal(new Set(out).size, out.length);
        if (c.depends_on_random) {
          const allowed = new Set(c.clean_set_sorted);
          for (const t of out) assert.ok(allowed.has(t), t);
        } else {
          assert.deepEqual(sorted(out), sorted(c.output_sorted));
        }
      }
    });
  }
  await t.step("the random source decides which 20", () => {
    const tags = Array.from({ length: 50 }, (_, i) => `entity ${i}`);
    const a = validateNamedEntitiesTagSet(tags, seededRandom(7));
    const b = validateNamedEntitiesTagSet(tags, seededRandom(8));
    assert.notDeepEqual(sorted(a), sorted(b));
    assert.deepEqual(validateNamedEntitiesTagSet(tags, seededRandom(7)), a);
  });
});

Deno.test("validate_tag_set reply parsing vectors (upstream default)", async (t) => {
  for (const c of V.validate_tag_set) {
    await t.step(c.id, () => {
      const out = parseTagValidationReply(c.llm_reply, c.input_tags);
      if (c.returns_null) {
        assert.equal(out, null);
      } else {
        assert.ok(out !== null);
        assert.deepEqual(sorted(out), sorted(c.output_sorted!));
      }
    });
  }
});

Deno.test("validate_tag_set: keepCleanedVariants and missing replies", () => {
  const tags = ["travel", "Sci-Fi", "Music", "history"];
  const reply = "Good English keywords: sci-fi, music, travel\nMalformed keywords: none";
  assert.deepEqual(sorted(parseTagValidationReply(reply, tags)!), ["travel"]);
  assert.deepEqual(
    sorted(parseTagValidationReply(reply, tags, { keepCleanedVariants: true })!),
    ["music", "sci fi", "travel"],
  );
  assert.equal(parseTagValidationReply(null, tags), null);
  assert.equal(parseTagValidationReply(undefined, tags), null);
  assert.equal(parseTagValidationReply("", tags), null);
  // find() == -1 drops the last code point, even when it is an astral character.
  assert.deepEqual(parseTagValidationReply("travel😀", ["travel"]), ["travel"]);
  assert.deepEqual(parseTagValidationReply("travel", ["travel"]), []);
});

Deno.test("selectTagsForValidation: random 20 (from 20 up), truncated to 50", () => {
  const long = "x".repeat(70);
  assert.deepEqual(selectTagsForValidation(["abc", long], seededRandom(1)), [
    "abc",
    "x".repeat(50),
  ]);
  const many = Array.from({ length: 30 }, (_, i) => `topic ${i}`);
  const out = selectTagsForValidation(many, seededRandom(3));
  assert.equal(out.length, 20);
  assert.equal(new Set(out).size, 20);
  for (const t of out) assert.ok(many.includes(t));
  const twenty = many.slice(0, 20);
  assert.deepEqual(sorted(selectTagsForValidation(twenty, seededRandom(4))), sorted(twenty));
  // Always-zero and always-max random sources still give 20 distinct tags.
  assert.equal(new Set(selectTagsForValidation(many, () => 0)).size, 20);
  assert.equal(new Set(selectTagsForValidation(many, () => 0.9999999999)).size, 20);
});
