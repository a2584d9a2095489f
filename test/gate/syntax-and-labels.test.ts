import { describe, expect, it } from "vitest";
import { checkBundle, formatFinding } from "../../host-tools/src/gate/index.js";
import { findings, placesOf } from "./helpers.js";

describe("syntax", () => {
  it.each([
    ["const", "var a = 1;\nconst b = 2;", "2:1"],
    ["an arrow function", "var f = x => x;", "1:12"],
    ["spread", "f(a,\n  ...rest);", "2:3"],
    ["a template literal", "var s = `x`;", "1:9"],
    ["a regexp flag ES5 does not have", "var r = /a/u;", "1:10"],
  ])("reports %s as not ES5, with its place", (_name, source, place) => {
    const result = checkBundle(source, { file: "app.js" });
    expect(result.ok).toBe(false);
    expect(result.findings.map((f) => [f.rule, `${f.line}:${f.column}`])).toEqual([["syntax", place]]);
    expect(result.findings[0]!.message).toContain("not ES5");
  });

  it("tells broken JavaScript from newer JavaScript", () => {
    const [finding] = findings("var = 1;");
    expect(finding!.rule).toBe("syntax");
    expect(finding!.message).toContain("not valid JavaScript");
  });
});

describe("deeply nested bundles", () => {
  const concatenation = (terms: number) =>
    `var page = ${Array.from({ length: terms }, (_, i) => `"part${i}"`).join(" + ")};\nnew Map();`;

  it("are checked without running out of stack", () => {
    expect(findings(concatenation(3000)).map((f) => `${f.line}:${f.column} ${f.rule}`)).toEqual(["2:5 missing-builtin"]);
  });

  it("too deep to parse give a finding, not a crash", () => {
    const result = checkBundle(concatenation(100_000));
    expect(result.ok).toBe(false);
    expect(result.findings.map((f) => f.rule)).toEqual(["syntax"]);
    expect(result.findings[0]!.message).toContain("split the longest expression");
  });
});

describe("labelled-statement", () => {
  it("reports each labelled statement at its label", () => {
    const source = "for (;;) {\n  inner: for (;;) { continue inner; }\n  break;\n}\nblock: { x(); }";
    expect(placesOf(source, "labelled-statement")).toEqual(["2:3", "5:1"]);
  });

  it("passes plain break and continue", () => {
    expect(findings("for (var i = 0; i < 3; i++) { if (i) continue; break; }")).toEqual([]);
  });
});

describe("findings", () => {
  it("are formatted as file:line:col rule: message with 1-based columns", () => {
    expect(formatFinding({ rule: "missing-builtin", message: "m", file: "app.js", line: 3, column: 14 })).toBe(
      "app.js:3:14 missing-builtin: m",
    );
    const [finding] = checkBundle("new Map();", { file: "dist/app.js" }).findings;
    expect(formatFinding(finding!)).toMatch(/^dist\/app\.js:1:5 missing-builtin: `Map` does not exist/);
  });

  it("come sorted by place whatever rule found them", () => {
    const source = "f();\nvar r = /a?/;\nfunction f() { return new Set(); }\nlbl: x();";
    expect(findings(source).map((f) => `${f.line}:${f.column} ${f.rule}`)).toEqual([
      "1:1 use-before-declaration",
      "2:11 regexp",
      "3:27 missing-builtin",
      "4:1 labelled-statement",
    ]);
  });

  it("make the result fail; a clean bundle passes", () => {
    expect(checkBundle("new Map();").ok).toBe(false);
    expect(checkBundle("var m = {};").ok).toBe(true);
    expect(checkBundle("var m = {};").findings).toEqual([]);
  });
});
