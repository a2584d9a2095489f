import { describe, expect, it } from "vitest";
import { findings, placesOf } from "./helpers.js";

describe("reserved-name", () => {
  it.each([
    ["a var named of", "var of = 1;", ["1:5"]],
    ["a function named let", "function let() {}", ["1:10"]],
    ["a parameter named static", "function f(static) { return 1; }", ["1:12"]],
    ["a catch parameter named of", "try { f(); } catch (of) {}", ["1:21"]],
    ["a reference to a global named let", "var x = let + 1;", ["1:9"]],
    ["undefined declared", "var undefined = 1;", ["1:5"]],
    ["undefined as a parameter", "function f(undefined) {}", ["1:12"]],
    ["undefined assigned", "undefined = 2;", ["1:1"]],
    ["a top-level var named ssl", "var a = 1;\nvar ssl = {};", ["2:5"]],
    ["a top-level function named ssl", "function ssl() {}", ["1:10"]],
    ["an implicit global named ssl", "function f() { ssl = 1; }", ["1:16"]],
  ])("reports %s", (_name, source, places) => {
    expect(placesOf(source, "reserved-name")).toEqual(places);
  });

  it("says what to do about a minified name", () => {
    const [finding] = findings("var of = 1;");
    expect(finding!.message).toContain("mangle.reserved");
  });

  it("says why ssl is taken", () => {
    const [finding] = findings("var ssl = 1;");
    expect(finding!.message).toContain("TLS");
  });

  it.each([
    ["property names after a dot", "x.of = x.let + x.static;"],
    ["object keys", "var o = { let: 1, of: 2, static: 3, undefined: 4 };"],
    ["reading undefined", "var u = undefined; if (x === undefined) { u = void 0; }"],
    ["typeof undefined", 'var t = typeof undefined === "undefined";'],
    ["ssl as a local", "function f() { var ssl = 1; return ssl; }"],
    ["ssl as a property", "var o = {}; o.ssl = 1;"],
  ])("passes %s", (_name, source) => {
    expect(findings(source)).toEqual([]);
  });
});
