// Small helpers over acorn's ES5 syntax tree, shared by the gate's rules.
import type * as acorn from "acorn";
import { base } from "acorn-walk";

export type AnyNode = acorn.AnyNode;
export type FunctionNode = acorn.FunctionDeclaration | acorn.FunctionExpression;

type ChildWalker = (node: AnyNode, state: unknown, visit: (child: AnyNode) => void) => void;
const childWalkers = base as unknown as Record<string, ChildWalker | undefined>;

/**
 * Calls `visit` on each child of `node` in source order. Labels, property
 * names after `.` and non-computed object keys are not children: they name
 * no variable.
 */
export function forEachChild(node: AnyNode, visit: (child: AnyNode) => void): void {
  // acorn-walk's FunctionDeclaration step re-dispatches the node itself as
  // "Function"; its "Function" step is the one that lists the children.
  const walk = isFunction(node) ? childWalkers.Function : childWalkers[node.type];
  walk?.(node, undefined, (child) => visit(child));
}

/**
 * Visits `root` and everything below it in source order, without recursion
 * (minified bundles can nest thousands of levels deep). When `enter` returns
 * false the node's children are skipped.
 */
export function walkNodes(root: AnyNode, enter: (node: AnyNode) => boolean | void): void {
  const pending: AnyNode[] = [root];
  const children: AnyNode[] = [];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (enter(node) === false) continue;
    children.length = 0;
    forEachChild(node, (child) => children.push(child));
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!);
  }
}

export function isFunction(node: AnyNode): node is FunctionNode {
  return node.type === "FunctionDeclaration" || node.type === "FunctionExpression";
}

/** Each node's parent, for rules that look at the context of a use. */
export type ParentMap = ReadonlyMap<AnyNode, AnyNode>;

export function parentMap(root: AnyNode): ParentMap {
  const parents = new Map<AnyNode, AnyNode>();
  walkNodes(root, (node) => forEachChild(node, (child) => parents.set(child, node)));
  return parents;
}

/** The property a member expression reads when it is fixed: `a.b` and `a["b"]` give "b". */
export function propertyName(member: acorn.MemberExpression): string | null {
  if (!member.computed && member.property.type === "Identifier") return member.property.name;
  if (member.computed && member.property.type === "Literal" && typeof member.property.value === "string") {
    return member.property.value;
  }
  return null;
}

/** `Symbol` gives "Symbol", `Array.from` gives "Array.from"; anything else null. */
export function accessPath(node: AnyNode): string | null {
  if (node.type === "Identifier") return node.name;
  if (node.type === "MemberExpression") {
    const object = accessPath(node.object);
    const property = propertyName(node);
    return object !== null && property !== null ? `${object}.${property}` : null;
  }
  return null;
}

/** True when `node` is only written: the target of a plain `=` or of `for (x in o)`. */
export function isOverwritten(node: AnyNode, parents: ParentMap): boolean {
  const parent = parents.get(node);
  if (parent?.type === "AssignmentExpression") return parent.left === node && parent.operator === "=";
  if (parent?.type === "ForInStatement") return parent.left === node;
  return false;
}
