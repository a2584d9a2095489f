// Rule array-hole. Array literals with holes (`[0, 2, , 3]`) do not parse on the engine: it
// stops with `Got ',' expected EOF` (measured on Espruino 2v29; docs/engine.md).
// TypeScript emits them itself: every try/catch in an async function becomes
// `trys.push([0, 2, , 3])`. The gate reports holes and the build fills them
// with `void 0`, which reads the same.
import type * as acorn from "acorn";
import { getLineInfo } from "acorn";
import { walkNodes, type AnyNode } from "./ast.js";
import type { RuleContext } from "./rule.js";

/** Offsets in `source` where an array literal has a hole (just before its comma). */
export function findArrayHoles(source: string, program: acorn.Node): number[] {
  const holes: number[] = [];
  walkNodes(program as AnyNode, (node) => {
    if (node.type !== "ArrayExpression") return;
    const { elements } = node;
    let cursor = node.start + 1;
    elements.forEach((element, index) => {
      if (element === null) holes.push(cursor);
      else cursor = element.end;
      // A hole is always followed by its comma; so is every element but the last.
      if (element === null || index < elements.length - 1) cursor = commaAfter(source, cursor) + 1;
    });
  });
  return holes.sort((a, b) => a - b);
}

/** `source` with every array hole filled by `void 0`. */
export function fillArrayHoles(source: string, program: acorn.Node): string {
  const holes = findArrayHoles(source, program);
  let filled = "";
  let from = 0;
  for (const at of holes) {
    filled += `${source.slice(from, at)}void 0`;
    from = at;
  }
  return filled + source.slice(from);
}

/** The offset of the next comma, stepping over white space and comments only. */
function commaAfter(source: string, from: number): number {
  let i = from;
  while (i < source.length) {
    const c = source[i];
    if (c === ",") return i;
    if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? source.length : end + 2;
    } else if (c === "/" && source[i + 1] === "/") {
      const end = source.indexOf("\n", i + 2);
      i = end < 0 ? source.length : end + 1;
    } else if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
    } else {
      break;
    }
  }
  throw new Error(`array literal: expected a comma at offset ${i}`);
}

export function checkArrayHoles(context: RuleContext): void {
  for (const offset of findArrayHoles(context.source, context.program)) {
    context.report(
      "array-hole",
      getLineInfo(context.source, offset),
      "an array literal with an empty slot (`[a, , b]`) does not parse on the engine (`Got ',' expected EOF`): write `void 0` in the slot. `ferry build` does this for you",
    );
  }
}
