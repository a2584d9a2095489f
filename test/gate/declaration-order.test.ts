import { describe, expect, it } from "vitest";
import { findings, placeOf, placesOf } from "./helpers.js";

const RULE = "use-before-declaration";

describe("use-before-declaration reports", () => {
  it("a call of a function declared further down", () => {
    expect(placesOf("start();\nfunction start() {}", RULE)).toEqual(["1:1"]);
  });

  it("a var read in a branch that may not have run", () => {
    const source = "function f(c) {\n  if (c) { var z = 1; }\n  return z;\n}";
    expect(placesOf(source, RULE)).toEqual(["3:10"]);
    expect(findings(source)[0]!.message).toContain("branch");
  });

  it("a generator-style helper that calls verb before declaring it", () => {
    const source = [
      "function gen(body) {",
      "  var g = {};",
      "  return g.next = verb(0), g.throw = verb(1), g;",
      "  function verb(n) { return function (v) { return body(n, v); }; }",
      "}",
    ].join("\n");
    expect(placesOf(source, RULE)).toEqual([placeOf(source, "verb(0)"), placeOf(source, "verb(1)")]);
    expect(findings(source)[0]!.message).toContain('"verb" is not defined');
  });

  it("a declared function called before the vars its body reads", () => {
    const source = "function port() { return config.port; }\nport();\nvar config = { port: 1 };";
    expect(placesOf(source, RULE)).toEqual(["2:1"]);
    expect(findings(source)[0]!.message).toContain("calling `port` here runs code that reads `config` (at 1:26)");
  });

  it("reads through a chain of calls", () => {
    const source = "function a() { return b(); }\nfunction b() { return settings; }\na();\nvar settings = 1;";
    expect(placesOf(source, RULE)).toEqual(["3:1"]);
  });

  it("reads inside an immediately-invoked function", () => {
    const source = "(function () {\n  use(queue);\n})();\nvar queue = [];";
    expect(placesOf(source, RULE)).toEqual(["2:7"]);
    expect(placesOf("!function () { use(q); }.call(this);\nvar q = 1;", RULE)).toEqual(["1:20"]);
  });

  it("an assignment before the var, which would make a global", () => {
    const source = "function f() {\n  x = 1;\n  var x;\n}";
    expect(placesOf(source, RULE)).toEqual(["2:3"]);
    expect(findings(source)[0]!.message).toContain("creates a global `x`");
  });

  it("a var declared only in a try block", () => {
    expect(placesOf("try { var t = load(); } catch (e) {}\nuse(t);", RULE)).toEqual(["2:5"]);
  });

  it("a var declared in one switch case only", () => {
    const source = "switch (k) {\n  case 1: var s = 1; break;\n  case 2: s = 2;\n}\nuse(s);";
    expect(placesOf(source, RULE)).toEqual(["3:11", "5:5"]);
  });

  it("a var declared in a while body", () => {
    expect(placesOf("while (more()) { var w = 1; }\nuse(w);", RULE)).toEqual(["2:5"]);
  });

  it("a var skipped by a labelled break", () => {
    const source = "function f(c) {\n  out: { if (c) break out; var q = 1; }\n  return q;\n}";
    expect(placesOf(source, RULE)).toEqual(["3:10"]);
  });
});

describe("use-before-declaration passes", () => {
  it.each([
    ["hoisted terser-style output", "var a, b, c;\nfunction f() { return a + b; }\na = 1; b = 2; c = f();"],
    ["functions declared first, then called", "function helper() { return 1; }\nfunction main() { return helper(); }\nmain();"],
    ["a callback referencing a later function", 'button.on("press", function () { handle(); });\nfunction handle() {}'],
    ["a timer callback referencing a later var", "setTimeout(function () { use(late); }, 10);\nvar late = 1;"],
    ["a function that reads a later var, called after it", "function read() { return late; }\nvar late = 1;\nread();"],
    ["typeof before the declaration", 'var ready = typeof later === "function";\nfunction later() {}'],
    ["a TypeScript ES5 class IIFE", "var Foo = (function () {\n  function Foo() {}\n  Foo.prototype.x = function () { return 1; };\n  return Foo;\n}());"],
    ["a TypeScript namespace", "var NS;\n(function (NS) { NS.a = 1; })(NS || (NS = {}));"],
    ["a var that reads itself in its initialiser", "var app = app || {};"],
    ["a var declared in both branches", "if (c) { var z = 1; } else { var z = 2; }\nuse(z);"],
    ["a var declared in the only branch that continues", "function f(c) { if (c) { var z = 1; } else { return; } return z; }"],
    ["a do..while body", "do { var d = next(); } while (d);\nuse(d);"],
    ["a for-loop var", "for (var i = 0; i < 3; i++) {}\nuse(i);"],
    ["a for-in var", "for (var k in o) {}\nuse(k);"],
    ["a try that declares in both blocks", "try { var t = load(); } catch (e) { var t = null; }\nuse(t);"],
    ["a finally block", "try { go(); } finally { var f = 1; }\nuse(f);"],
    ["a switch that declares in every case with a default", "switch (k) { case 1: var s = 1; break; default: var s = 2; }\nuse(s);"],
    ["an endless loop left by break", "for (;;) { var r = read(); if (r) break; }\nuse(r);"],
    ["parameters, arguments and the catch parameter", "function f(a) { try { g(a, arguments); } catch (e) { log(e); } }"],
    ["a named function expression calling itself", "var fact = function fact(n) { return n ? n * fact(n - 1) : 1; };\nfact(3);"],
    ["a recursive call: locals belong to the new activation", "function walk(n) { if (n) walk(n - 1); var local = n; return local; }\nwalk(3);"],
    ["unreachable code after return", "function f() { return 1; var dead = use(later); var later; }"],
  ])("%s", (_name, source) => {
    expect(findings(source)).toEqual([]);
  });
});

describe("use-before-declaration message", () => {
  it("names the declaration and the fix", () => {
    const source = "go();\nfunction go() {}";
    const [finding] = findings(source);
    expect(finding!.message).toContain(`\`function go\` (at ${placeOf(source, "go", 1)})`);
    expect(finding!.message).toContain("hoist_funs");
  });
});
