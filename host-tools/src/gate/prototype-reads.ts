// Rule prototype-builtin: the engine's built-in methods are not reachable
// through the prototype objects: `Array.prototype.slice` is undefined while
// `[].slice` works; only `Object.prototype.hasOwnProperty`, `toString` and
// `valueOf` are there (docs/engine.md). Writing to a prototype works,
// so polyfills that assign there, and later reads of what they assigned, pass.
import type * as acorn from "acorn";
import { HIDDEN_PROTOTYPES, OBJECT_PROTOTYPE_VISIBLE } from "../engine/profile.js";
import { isOverwritten, propertyName, type ParentMap } from "./ast.js";
import { isPresenceTest } from "./guards.js";
import type { RuleContext } from "./rule.js";
import type { Reference } from "./scope.js";

/** An expression that gives an instance to read the method from. */
const INSTANCE: Readonly<Record<string, string>> = {
  Array: "[]",
  String: '""',
  Function: "(function () {})",
  Number: "(0)",
  Boolean: "(false)",
  Promise: "Promise.resolve()",
  ArrayBuffer: "new ArrayBuffer(0)",
  DataView: "new DataView(new ArrayBuffer(1))",
  Object: "({})",
};

interface PrototypeRead {
  builtin: string;
  method: string;
  /** `Builtin.prototype.method` */
  node: acorn.MemberExpression;
}

export function checkPrototypeReads(context: RuleContext): void {
  const reads: PrototypeRead[] = [];
  for (const reference of context.scopes.references) {
    const read = prototypeMember(reference, context.parents);
    if (read) reads.push(read);
  }
  const assigned = new Set(reads.filter((r) => isOverwritten(r.node, context.parents)).map((r) => `${r.builtin}.${r.method}`));
  for (const read of reads) {
    if (read.builtin === "Object" && OBJECT_PROTOTYPE_VISIBLE.includes(read.method)) continue;
    if (assigned.has(`${read.builtin}.${read.method}`) || isPresenceTest(read.node, context.parents)) continue;
    const instance = INSTANCE[read.builtin] ?? `new ${read.builtin}(0)`;
    context.report(
      "prototype-builtin",
      read.node,
      `\`${read.builtin}.prototype.${read.method}\` is undefined on the engine, which hides built-in methods from prototype objects (docs/engine.md): ` +
        `read the method from an instance instead, e.g. \`${instance}.${read.method}.call(...)\``,
    );
  }
}

/** `Array.prototype.slice` or `Array.prototype["slice"]`, where `Array` is the engine's own. */
function prototypeMember(reference: Reference, parents: ParentMap): PrototypeRead | null {
  const builtin = reference.node.name;
  if (reference.declaration !== null || reference.kind !== "read") return null;
  if (builtin !== "Object" && !HIDDEN_PROTOTYPES.includes(builtin)) return null;
  const prototype = parents.get(reference.node);
  if (prototype?.type !== "MemberExpression" || prototype.object !== reference.node || propertyName(prototype) !== "prototype") return null;
  const member = parents.get(prototype);
  if (member?.type !== "MemberExpression" || member.object !== prototype) return null;
  const method = propertyName(member);
  return method === null ? null : { builtin, method, node: member };
}
