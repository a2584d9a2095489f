// The gate against code real tools produce: tslib's helpers, TypeScript's
// ES5 output, and terser's hoisting (docs/engine.md names all three).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as acorn from "acorn";
import { minify, type MinifyOptions } from "terser";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { RESERVED_NAMES } from "../../host-tools/src/engine/profile.js";
import { checkBundle } from "../../host-tools/src/gate/index.js";
import { findings, placeOf } from "./helpers.js";

const TSLIB = readFileSync(createRequire(import.meta.url).resolve("tslib/tslib.js"), "utf8");

/** The source text of tslib's `name = function (...) {...}` helper. */
function tslibHelper(name: string): string {
  const program = acorn.parse(TSLIB, { ecmaVersion: 5 });
  let found: acorn.Node | null = null;
  const visit = (node: acorn.AnyNode): void => {
    if (node.type === "AssignmentExpression" && node.left.type === "Identifier" && node.left.name === name) found = node.right;
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach((v) => v && typeof v.type === "string" && visit(v));
      else if (value && typeof value === "object" && typeof (value as acorn.Node).type === "string") visit(value as acorn.AnyNode);
    }
  };
  visit(program);
  if (!found) throw new Error(`tslib has no helper ${name}`);
  return TSLIB.slice((found as acorn.Node).start, (found as acorn.Node).end);
}

/** The minifier options the profile measured as the fix for the engine's missing hoisting. */
const HOISTING: MinifyOptions = { ecma: 5, compress: { hoist_funs: true, hoist_vars: true }, mangle: { reserved: [...RESERVED_NAMES] } };

describe("tslib", () => {
  it("__generator is flagged for calling verb before declaring it", () => {
    const bundle = `var __generator = ${tslibHelper("__generator")};\nvar it = __generator(this, function (_a) { return [2]; });\n`;
    const found = findings(bundle).map((f) => `${f.rule} ${f.line}:${f.column}`);
    expect(found).toEqual(
      ["verb(0)", "verb(1)", "verb(2)"].map((call) => `use-before-declaration ${placeOf(bundle, call)}`),
    );
    expect(findings(bundle)[0]!.message).toContain('"verb" is not defined');
  });

  it("__spreadArray is flagged for Array.prototype.slice", () => {
    const bundle = `var __spreadArray = ${tslibHelper("__spreadArray")};\nvar all = __spreadArray([1], [2, 3], false);\n`;
    const reads = findings(bundle).filter((f) => f.rule === "prototype-builtin");
    expect(reads.map((f) => `${f.line}:${f.column}`)).toEqual([
      placeOf(bundle, "Array.prototype.slice", 0),
      placeOf(bundle, "Array.prototype.slice", 1),
    ]);
    expect(reads[0]!.message).toContain("[].slice.call(");
  });

  it("__spreadArray also reads a var its for-loop may not have declared", () => {
    const bundle = `var __spreadArray = ${tslibHelper("__spreadArray")};\n`;
    const late = findings(bundle).filter((f) => f.rule === "use-before-declaration");
    expect(late.map((f) => `${f.line}:${f.column}`)).toEqual([placeOf(bundle, "ar || Array")]);
  });

  it("an engine-safe __spreadArray passes", () => {
    const bundle = [
      "var __spreadArray = function (to, from) {",
      "  var copy = [].slice.call(from);",
      "  for (var i = 0; i < copy.length; i++) to.push(copy[i]);",
      "  return to;",
      "};",
    ].join("\n");
    expect(findings(bundle)).toEqual([]);
  });
});

describe("TypeScript ES5 output", () => {
  const compile = (source: string) =>
    ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.None } }).outputText;

  it("passes a class and an enum", () => {
    const out = compile(
      "enum Mode { Idle, Busy }\nclass Counter { n = 0; add(k: number) { this.n += k; return this.n; } }\nconst c = new Counter(); c.add(Mode.Busy);",
    );
    expect(out).toContain("/** @class */ (function () {");
    expect(findings(out)).toEqual([]);
  });

  it("flags a subclass, whose IIFE calls __extends before its constructor declaration has run", () => {
    const out = compile("class A {}\nclass B extends A { constructor() { super(); } }\nnew B();");
    const late = findings(out).filter((f) => f.rule === "use-before-declaration");
    expect(late.map((f) => `${f.line}:${f.column}`)).toEqual([placeOf(out, "B, _super)")]);
  });

  it("passes the same subclass once terser has minified it", async () => {
    const out = compile("class A {}\nclass B extends A { constructor() { super(); } }\nnew B();");
    const minified = await minify(out, HOISTING);
    expect(findings(minified.code!)).toEqual([]);
  });
});

describe("terser", () => {
  const GENERATOR = `var __generator = ${tslibHelper("__generator")};\nvar it = __generator(this, function (_a) { return [2]; });\n`;
  const NO_HOISTING = { ...HOISTING, compress: { hoist_funs: false, hoist_vars: false } };

  it("without hoist_funs leaves __generator calling verb before its declaration", async () => {
    const minified = await minify(GENERATOR, NO_HOISTING);
    expect(findings(minified.code!).map((f) => f.rule)).toEqual([
      "use-before-declaration",
      "use-before-declaration",
      "use-before-declaration",
    ]);
  });

  it("with hoist_funs and hoist_vars makes __generator pass", async () => {
    const minified = await minify(GENERATOR, HOISTING);
    expect(findings(minified.code!)).toEqual([]);
  });

  it("hoists no lone var, so a var declared in a branch is still flagged after minifying", async () => {
    // terser's hoist_vars only acts on a function with more than one var statement.
    const source = "function pick(n) {\n  if (n > 1) { var doubled = n * 2; }\n  return doubled;\n}\nexports.a = pick(1);\nexports.b = pick(2);";
    const minified = await minify(source, HOISTING);
    expect(findings(minified.code!).map((f) => f.rule)).toEqual(["use-before-declaration"]);
  });
});

describe("speed", () => {
  it("checks a bundle of over 100 KB well under a second", () => {
    const bundle = readFileSync(createRequire(import.meta.url).resolve("acorn"), "utf8");
    expect(bundle.length).toBeGreaterThan(100_000);
    checkBundle(bundle);
    const started = performance.now();
    const result = checkBundle(bundle);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.findings.length).toBeGreaterThan(0);
  });
});
