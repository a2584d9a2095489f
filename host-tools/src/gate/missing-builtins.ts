// Rule missing-builtin: globals, static members and methods the engine does
// not have (docs/engine.md, "Missing built-ins"). A declaration in the
// bundle shadows a global, an assignment to it (a polyfill) defines it, and
// a `typeof` test in front of a use guards it.
import type * as acorn from "acorn";
import { MISSING_GLOBALS, MISSING_METHODS, MISSING_STATICS } from "../engine/profile.js";
import { accessPath, isOverwritten, propertyName, walkNodes, type ParentMap } from "./ast.js";
import { isGuarded, isPresenceTest } from "./guards.js";
import type { RuleContext } from "./rule.js";
import type { Reference } from "./scope.js";

/** What to write instead, by missing global or static. */
const INSTEAD: Readonly<Record<string, string>> = {
  Map: "use a plain object with string keys (and `hasOwnProperty`), or an array of pairs",
  Set: "use a plain object with string keys, or an array with `indexOf`",
  WeakMap: "store the value on the object itself, or use a plain object keyed by an id",
  WeakSet: "mark the objects with a property, or keep them in an array",
  WeakRef: "keep an ordinary reference",
  Symbol: 'guard each use with `typeof Symbol === "function"`',
  Proxy: "call the target's methods directly",
  Reflect: "use the `Object` functions or direct property access",
  RangeError: "throw an `Error`",
  TextEncoder: "strings are byte strings on the engine: use `E.toUint8Array(string)`",
  TextDecoder: "strings are byte strings on the engine: use `E.toString(bytes)`",
  setImmediate: "use `setTimeout(fn, 0)` or `Promise.resolve().then(fn)`",
  queueMicrotask: "use `Promise.resolve().then(fn)`",
  structuredClone: "copy with `JSON.parse(JSON.stringify(value))`",
  BigInt: "use numbers, or byte strings for wide values",
  "Array.from": "copy with `[].slice.call(list)` or a loop",
  "Array.of": "use an array literal",
  "Object.freeze": "leave the object unfrozen",
  "Number.isFinite": 'use `typeof x === "number" && isFinite(x)`',
  "Number.isInteger": 'use `typeof x === "number" && Math.floor(x) === x`',
  "Math.trunc": "use `x < 0 ? Math.ceil(x) : Math.floor(x)`",
  "Math.imul": "multiply the 16-bit halves separately",
  "Promise.race": "settle one `new Promise` from each input's `then`",
  "Promise.allSettled": "map each promise through `then(onValue, onError)`, then `Promise.all`",
  "Promise.any": "settle one `new Promise` from each input's `then`",
  "process.nextTick": "use `Promise.resolve().then(fn)`",
};

/** What to call instead, by missing method. */
const METHOD_INSTEAD: Readonly<Record<string, string>> = {
  flat: "concatenate with a loop, or `[].concat.apply([], list)` for one level",
  flatMap: "map, then concatenate with a loop",
  finally: "pass the same handler to both arguments of `.then(onDone, onDone)`",
};

export function checkMissingBuiltins(context: RuleContext): void {
  const { scopes, parents } = context;
  const polyfilled = definedByBundle(scopes.references, parents);
  for (const reference of scopes.references) {
    if (reference.declaration !== null || reference.kind === "typeof") continue;
    const name = reference.node.name;
    if (MISSING_GLOBALS.includes(name) && reference.kind !== "write" && !polyfilled.has(name)) {
      if (!isGuarded(reference.node, name, parents)) {
        context.report("missing-builtin", reference.node, `\`${name}\` does not exist on the engine (docs/engine.md): ${advice(name)}`);
      }
    }
    if (Object.hasOwn(MISSING_STATICS, name)) checkStatic(reference, MISSING_STATICS[name]!, polyfilled, context);
  }
  walkNodes(context.program, (node) => {
    if (node.type !== "CallExpression" || node.callee.type !== "MemberExpression") return;
    const method = propertyName(node.callee);
    if (method === null || !Object.hasOwn(MISSING_METHODS, method)) return;
    context.report(
      "missing-builtin",
      node.callee.property,
      `\`.${method}()\` calls ${MISSING_METHODS[method]}, which the engine lacks (docs/engine.md): ${METHOD_INSTEAD[method] ?? "write it with a loop"}`,
    );
  });
}

function checkStatic(reference: Reference, missing: readonly string[], polyfilled: ReadonlySet<string>, context: RuleContext): void {
  const member = context.parents.get(reference.node);
  if (member?.type !== "MemberExpression" || member.object !== reference.node) return;
  const property = propertyName(member);
  if (property === null || !missing.includes(property)) return;
  const path = `${reference.node.name}.${property}`;
  if (polyfilled.has(path) || isOverwritten(member, context.parents)) return;
  if (isPresenceTest(member, context.parents) || isGuarded(member, path, context.parents)) return;
  context.report("missing-builtin", member, `\`${path}\` does not exist on the engine (docs/engine.md): ${advice(path)}`);
}

function advice(path: string): string {
  return INSTEAD[path] ?? `define a replacement in the bundle, or guard the use with \`typeof ${path} === "function"\``;
}

/** Globals (`Map = ...`) and statics (`Array.from = ...`) the bundle assigns itself. */
function definedByBundle(references: readonly Reference[], parents: ParentMap): Set<string> {
  const defined = new Set<string>();
  for (const reference of references) {
    if (reference.declaration !== null) continue;
    if (reference.kind === "write") defined.add(reference.node.name);
    const member = parents.get(reference.node);
    if (member?.type === "MemberExpression" && member.object === reference.node && isOverwritten(member, parents)) {
      const path = accessPath(member as acorn.MemberExpression);
      if (path) defined.add(path);
    }
  }
  return defined;
}
