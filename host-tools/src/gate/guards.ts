// Uses of a missing built-in that cannot fail: code that runs only after a
// test has shown the built-in exists (TypeScript's own helpers read
// `Symbol.iterator` only behind `typeof Symbol === "function"`), and tests
// of a member's presence (`Array.from || copy`), which read `undefined`.
import type * as acorn from "acorn";
import { accessPath, type AnyNode, type ParentMap } from "./ast.js";

/** True when `node` runs only once a test has shown that `path` ("Symbol", "Array.from") exists. */
export function isGuarded(node: AnyNode, path: string, parents: ParentMap): boolean {
  let child = node;
  for (let parent = parents.get(child); parent; child = parent, parent = parents.get(parent)) {
    if (guardsChild(parent, child, path)) return true;
  }
  return false;
}

/** True when `node`'s value is only tested for presence: `typeof X.y`, `!X.y`, `X.y || f`, `if (X.y)`. */
export function isPresenceTest(node: AnyNode, parents: ParentMap): boolean {
  const parent = parents.get(node);
  switch (parent?.type) {
    case "UnaryExpression":
      return parent.operator === "typeof" || parent.operator === "!";
    case "LogicalExpression":
      return parent.left === node;
    case "ConditionalExpression":
    case "IfStatement":
      return parent.test === node;
    default:
      return false;
  }
}

function guardsChild(parent: AnyNode, child: AnyNode, path: string): boolean {
  switch (parent.type) {
    case "LogicalExpression":
      if (parent.right !== child) return false;
      if (parent.operator === "&&") return proves(parent.left, path, true);
      return parent.operator === "||" && proves(parent.left, path, false);
    case "ConditionalExpression":
    case "IfStatement":
      if (parent.consequent === child) return proves(parent.test, path, true);
      return parent.alternate === child && proves(parent.test, path, false);
    default:
      return false;
  }
}

/** True when `test` coming out as `outcome` means that `path` exists. */
function proves(test: AnyNode, path: string, outcome: boolean): boolean {
  switch (test.type) {
    case "UnaryExpression":
      return test.operator === "!" && proves(test.argument, path, !outcome);
    case "LogicalExpression":
      // `a && b` true means both held; `a || b` false means both failed.
      if ((test.operator === "&&" && outcome) || (test.operator === "||" && !outcome)) {
        return proves(test.left, path, outcome) || proves(test.right, path, outcome);
      }
      return false;
    case "BinaryExpression":
      return typeofComparison(test, path, outcome);
    case "MemberExpression":
      return outcome && accessPath(test) === path;
    default:
      return false;
  }
}

function typeofComparison(test: acorn.BinaryExpression, path: string, outcome: boolean): boolean {
  const equality = test.operator === "===" || test.operator === "==";
  if (!equality && test.operator !== "!==" && test.operator !== "!=") return false;
  const [operand, other] = test.left.type === "UnaryExpression" ? [test.left, test.right] : [test.right, test.left];
  if (operand.type !== "UnaryExpression" || operand.operator !== "typeof" || accessPath(operand.argument) !== path) return false;
  if (other.type !== "Literal" || typeof other.value !== "string") return false;
  // `typeof x === "undefined"` holds when x is absent; a comparison with any other type name holds when it is present.
  const holdsWhenPresent = (other.value !== "undefined") === equality;
  return holdsWhenPresent === outcome;
}
