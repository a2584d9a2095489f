import * as acorn from "acorn";
import { describe, expect, it } from "vitest";
import { fillArrayHoles, findArrayHoles } from "../../host-tools/src/gate/array-holes.js";
import { checkBundle } from "../../host-tools/src/gate/index.js";

const holes = (source: string) => checkBundle(source).findings.filter((f) => f.rule === "array-hole");
const fill = (source: string) => fillArrayHoles(source, acorn.parse(source, { ecmaVersion: 5 }));

describe("rule array-hole", () => {
  it("reports each empty slot where it is", () => {
    const found = holes("var t = [];\nt.push([0, 2, , 3]);\nvar u = [, 1,, ];");
    expect(found.map((f) => [f.line, f.column])).toEqual([
      [2, 14],
      [3, 10],
      [3, 14],
    ]);
    expect(found[0]!.message).toContain("void 0");
  });

  it("passes arrays without holes, including a trailing comma", () => {
    expect(holes("var a = [1, 2, 3], b = [], c = [1,], d = [[1], [2, [3]]];")).toEqual([]);
  });

  it("skips comments between elements", () => {
    const source = "var a = [1, /* a, b */ , 2 // c,\n, 3];";
    expect(findArrayHoles(source, acorn.parse(source, { ecmaVersion: 5 }))).toEqual([source.indexOf(",") + 1]);
    expect(new Function(`${fill(source)}; return a.length;`)()).toBe(4);
  });
});

describe("filling array holes", () => {
  it("gives the same values and a literal the gate accepts", () => {
    for (const source of ["[0, 2, , 3]", "[, 1]", "[1, , , 4]", "[1,,]", "[[, 1], , [2, ,]]"]) {
      const filled = fill(`var a = ${source};`);
      expect(holes(filled)).toEqual([]);
      const read = (code: string) => JSON.stringify(new Function(`${code}; return a;`)());
      expect(read(filled)).toBe(read(`var a = ${source}`));
    }
  });
});
