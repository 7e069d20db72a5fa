import assert from "node:assert/strict";
import { pyFloatRepr, pyStr, pyStrRepr } from "../../protocol/python_str.ts";
import { parsePyJson } from "../../protocol/py_json.ts";
import { PyDict, PyFloat, PyTuple } from "../../protocol/py_value.ts";

Deno.test("python float repr (Appendix A)", () => {
  const cases: [number, string][] = [
    [1, "1.0"],
    [100, "100.0"],
    [0.0001, "0.0001"],
    [0.1 + 0.2, "0.30000000000000004"],
    [1e16, "1e+16"],
    [1.5e-5, "1.5e-05"],
    [123456789012345680, "1.2345678901234568e+17"],
    [5e-324, "5e-324"],
    [-0, "-0.0"],
    [0, "0.0"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [NaN, "nan"],
    [12, "12.0"],
    [1e15, "1000000000000000.0"],
    [-2.5, "-2.5"],
    [0.00001, "1e-05"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
  ];
  for (const [x, want] of cases) assert.equal(pyFloatRepr(x), want, String(x));
});

Deno.test("python str repr: quoting and escapes", () => {
  assert.equal(pyStrRepr("foobar"), "'foobar'");
  assert.equal(pyStrRepr("it's"), `"it's"`);
  assert.equal(pyStrRepr(`it's "x"`), `'it\\'s "x"'`);
  assert.equal(pyStrRepr('say "hi"'), `'say "hi"'`);
  assert.equal(pyStrRepr("a\\b\n\t\r"), "'a\\\\b\\n\\t\\r'");
  assert.equal(pyStrRepr("\x00\x1f\x7f"), "'\\x00\\x1f\\x7f'");
  assert.equal(pyStrRepr("héllo ñ 日本 😀"), "'héllo ñ 日本 😀'");
  assert.equal(pyStrRepr("\u00a0\u00ad"), "'\\xa0\\xad'");
  assert.equal(pyStrRepr("\u2028\u200b"), "'\\u2028\\u200b'");
  assert.equal(pyStrRepr("\u{e0001}"), "'\\U000e0001'");
  assert.equal(pyStrRepr(" "), "' '");
});

Deno.test("python str of containers", () => {
  assert.equal(pyStr(["foobar"]), "['foobar']");
  assert.equal(pyStr([1n, 2n, 3n]), "[1, 2, 3]");
  assert.equal(pyStr(new PyTuple([1n])), "(1,)");
  assert.equal(pyStr(new PyTuple([1n, "a"])), "(1, 'a')");
  assert.equal(pyStr([null, true, false, new PyFloat(1)]), "[None, True, False, 1.0]");
  assert.equal(pyStr("top 'level'"), "top 'level'");
  assert.equal(
    pyStr(new PyDict([["k", "v"], ["n", new PyFloat(1.5e-5)], ["b", true], ["z", null]])),
    "{'k': 'v', 'n': 1.5e-05, 'b': True, 'z': None}",
  );
});

Deno.test("JSON dicts keep insertion order, int-like keys included", () => {
  const v = parsePyJson('{"b": 1, "2": 2, "a": {"10": 1.0, "1": 7}, "1": 1e2}');
  assert.equal(pyStr(v), "{'b': 1, '2': 2, 'a': {'10': 1.0, '1': 7}, '1': 100.0}");
  // a repeated key keeps its first position and its last value, like a Python dict
  assert.equal(pyStr(parsePyJson('{"x": 1, "y": 2, "x": 3}')), "{'x': 3, 'y': 2}");
});

Deno.test("JSON ints keep precision beyond 2^53", () => {
  assert.equal(
    pyStr(parsePyJson("[1767225600000000001, -0, 1.0]")),
    "[1767225600000000001, 0, 1.0]",
  );
  assert.throws(() => parsePyJson("{"), /position/);
  assert.throws(() => parsePyJson("[1,]"), /position/);
  assert.throws(() => parsePyJson("1 2"), /extra data/);
});
