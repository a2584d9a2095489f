import { describe, expect, it } from "vitest";
import { findRegexpProblems } from "../../host-tools/src/gate/regexp-scanner.js";
import { findings, placesOf } from "./helpers.js";

// pattern, flags, [offset, words the message must name] for each problem.
const BROKEN: [string, string, [number, string][]][] = [
  ["a{3}", "", [[1, "counted quantifier `{3}`"]]],
  ["\\d{2,4}x", "", [[2, "counted quantifier `{2,4}`"]]],
  ["a{2,}", "", [[1, "counted quantifier"]]],
  ["a+?b", "", [[1, "lazy quantifier `+?`"]]],
  ["a*?", "", [[1, "lazy quantifier `*?`"]]],
  ["ab?", "", [[2, "optional quantifier"]]],
  ["(ab)+", "", [[4, "quantifier `+` on a group"]]],
  ["(ab)*", "", [[4, "on a group"]]],
  ["(ab)?", "", [[4, "on a group"]]],
  ["(?:ab)", "", [[0, "non-capturing group"]]],
  ["a(?=b)", "", [[1, "lookahead `(?=`"]]],
  ["a(?!b)", "", [[1, "lookahead `(?!`"]]],
  ["(a|b)c", "", [[2, "alternation"]]],
  ["\\bword", "", [[0, "word boundary"]]],
  ["\\B", "", [[0, "\\B"]]],
  ["(a)\\1", "", [[3, "Backreferences not supported"]]],
  ["\\u0041", "", [[0, "\\u"]]],
  ["\\cJ", "", [[0, "control escapes"]]],
  ["[\\u0041]", "", [[1, "\\u"]]],
  ["a", "m", [[0, "flag `m`"]]],
  ["a", "gim", [[2, "flag `m`"]]],
  ["a{2}?", "", [[1, "counted quantifier"]]],
];

const WORKING: [string, string][] = [
  ["[a-z]+\\d", "g"],
  ["[^,]*", ""],
  ["[A-Za-z0-9_-]+", "i"],
  ["^\\s*$", ""],
  ["\\d+\\.\\d+", ""],
  ["a|b|c", ""],
  ["^GET|^PUT", ""],
  ["\\w+\\W\\S\\D", ""],
  ["\\x41\\t\\r\\n\\0", ""],
  ["[\\b]", ""],
  ["\\/\\\\\\.\\-\\[\\]\\(\\)\\{\\}\\*\\+\\?\\|\\^\\$", ""],
  ["a.b", ""],
  ["(ab)c", ""],
  ["x{y", ""],
  ["[{}?*+()|]", ""],
];

describe("the regexp scanner", () => {
  it.each(BROKEN)("finds the problem in /%s/%s", (pattern, flags, expected) => {
    const problems = findRegexpProblems(pattern, flags);
    expect(problems.map((p) => p.offset)).toEqual(expected.map(([offset]) => offset));
    problems.forEach((problem, i) => expect(problem.message).toContain(expected[i]![1]));
    expect(problems.every((p) => p.inFlags === (flags !== ""))).toBe(true);
  });

  it.each(WORKING)("passes /%s/%s", (pattern, flags) => {
    expect(findRegexpProblems(pattern, flags)).toEqual([]);
  });

  it("reports each problem of a pattern", () => {
    const problems = findRegexpProblems("(?:a){2}b+?c?", "");
    expect(problems.map((p) => p.offset)).toEqual([0, 5, 9, 12]);
  });
});

describe("regexp rule", () => {
  it("points at the offending part of a literal", () => {
    expect(placesOf("var r = /a{2}/;", "regexp")).toEqual(["1:11"]);
    expect(placesOf("var r =\n  /[a-z]+(ab)+/g;", "regexp")).toEqual(["2:14"]);
  });

  it("points at an unsupported flag", () => {
    expect(placesOf("var r = /a/m;", "regexp")).toEqual(["1:12"]);
  });

  it("checks RegExp built from a literal string", () => {
    expect(placesOf('var r = new RegExp("a+?");', "regexp")).toEqual(["1:22"]);
    expect(placesOf('var r = RegExp("a", "m");', "regexp")).toEqual(["1:22"]);
  });

  it("points at the string when escapes shift the offsets", () => {
    expect(placesOf('var r = new RegExp("\\\\d{2}");', "regexp")).toEqual(["1:20"]);
  });

  it("leaves a RegExp the bundle declares itself alone", () => {
    expect(findings('function RegExp(p) { return p; }\nvar r = RegExp("a{2}");')).toEqual([]);
  });

  it("passes what the engine supports", () => {
    const source = 'var a = /[a-z]+\\d/g, b = /^\\s*(\\w+)=([^;]*)$/i, c = new RegExp("[0-9]+", "g");';
    expect(findings(source)).toEqual([]);
  });

  it("names the pattern and the way out in the message", () => {
    const [finding] = findings("var r = /a?/;");
    expect(finding!.message).toContain("/a?/");
    expect(finding!.message).toContain("indexOf");
  });
});
