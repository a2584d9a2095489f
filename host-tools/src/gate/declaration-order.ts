// Rule use-before-declaration. The engine does not hoist: a `function` or
// `var` declaration exists only once its statement has run, and using the
// name before then throws `"x" is not defined` (docs/engine.md, "No
// hoisting"). Each function body, and the program, is walked in execution
// order, keeping the names whose declaration has run on every path that
// reaches the current point.
import type * as acorn from "acorn";
import type { AnyNode } from "./ast.js";
import { CallGraph, directEffects, type Invocation } from "./call-graph.js";
import type { RuleContext } from "./rule.js";
import type { DeclarationKind, Reference, Scope } from "./scope.js";

/** Names of the scope declared so far; null where execution cannot arrive (after `return`, `throw`, `break`). */
type Declared = ReadonlySet<string> | null;

/** Declarations that appear when their statement runs; parameters, `arguments` and the like exist from the start. */
const DECLARED_WHEN_RUN: ReadonlySet<DeclarationKind> = new Set(["var", "function"]);

export function checkDeclarationOrder(context: RuleContext): void {
  const graph = new CallGraph(context.scopes);
  for (const scope of context.scopes.scopes) {
    if (scope.kind !== "catch") new ExecutionOrder(scope, graph, context).run();
  }
}

interface JumpTarget {
  kind: "loop" | "switch" | "labelled";
  labels: readonly string[];
  breaks: Declared;
  continues: Declared;
}

class ExecutionOrder {
  private readonly targets: JumpTarget[] = [];
  private readonly reported = new Set<string>();

  constructor(
    private readonly scope: Scope,
    private readonly graph: CallGraph,
    private readonly context: RuleContext,
  ) {}

  run(): void {
    const owner = this.scope.node;
    // A script has no module declarations, so a program body holds statements only.
    const body = owner.type === "Program" ? (owner.body as acorn.Statement[]) : owner.type === "CatchClause" ? [] : owner.body.body;
    const fromStart = [...this.scope.declarations.values()].filter((d) => !DECLARED_WHEN_RUN.has(d.kind));
    this.statements(body, new Set(fromStart.map((d) => d.name)));
  }

  private statements(list: readonly acorn.Statement[], state: Declared): Declared {
    for (const statement of list) state = this.statement(statement, state);
    return state;
  }

  private statement(node: acorn.Statement, state: Declared, labels: readonly string[] = []): Declared {
    if (state === null) return null;
    switch (node.type) {
      case "ExpressionStatement":
        this.check(node.expression, state);
        return state;
      case "VariableDeclaration":
        return this.declareVars(node, state);
      case "FunctionDeclaration":
        return withNames(state, [node.id.name]);
      case "BlockStatement":
        return this.statements(node.body, state);
      case "IfStatement": {
        this.check(node.test, state);
        const consequent = this.statement(node.consequent, state);
        return meet(consequent, node.alternate ? this.statement(node.alternate, state) : state);
      }
      case "ReturnStatement":
      case "ThrowStatement":
        this.check(node.argument, state);
        return null;
      case "BreakStatement":
      case "ContinueStatement":
        this.jump(node, state);
        return null;
      case "WhileStatement": {
        this.check(node.test, state);
        const loop = this.loop(node.body, state, labels);
        return isAlwaysTrue(node.test) ? loop.breaks : state;
      }
      case "DoWhileStatement": {
        // The body of a do..while runs at least once, so what it declares counts after the loop.
        const loop = this.loop(node.body, state, labels);
        const atTest = meet(loop.end, loop.continues);
        this.check(node.test, atTest);
        return meet(isAlwaysTrue(node.test) ? null : atTest, loop.breaks);
      }
      case "ForStatement":
        return this.forLoop(node, state, labels);
      case "ForInStatement": {
        this.check(node.right, state);
        let entry: Declared = state;
        if (node.left.type === "VariableDeclaration") entry = this.declareVars(node.left, state);
        else this.check(node.left, state);
        this.loop(node.body, entry, labels);
        return entry;
      }
      case "SwitchStatement":
        return this.switchCases(node, state, labels);
      case "TryStatement":
        return this.tryBlock(node, state);
      case "LabeledStatement": {
        const names = [...labels, node.label.name];
        const body = node.body;
        if (isLoop(body) || body.type === "SwitchStatement") return this.statement(body, state, names);
        const target = this.enter("labelled", names);
        const end = this.statement(body, state);
        this.targets.pop();
        return meet(end, target.breaks);
      }
      case "WithStatement":
        this.check(node.object, state);
        return this.statement(node.body, state);
      default:
        return state;
    }
  }

  private declareVars(declaration: acorn.VariableDeclaration, state: Declared): Declared {
    for (const declarator of declaration.declarations) {
      // The engine creates the variable before it evaluates the initialiser
      // (jspeStatementVar in the engine's src/jsparse.c), so `var x = x || {}` is safe.
      if (declarator.id.type === "Identifier") state = withNames(state, [declarator.id.name]);
      this.check(declarator.init, state);
    }
    return state;
  }

  private forLoop(node: acorn.ForStatement, state: Declared, labels: readonly string[]): Declared {
    let entry = state;
    if (node.init?.type === "VariableDeclaration") entry = this.declareVars(node.init, state);
    else this.check(node.init, state);
    this.check(node.test, entry);
    const loop = this.loop(node.body, entry, labels);
    this.check(node.update, meet(loop.end, loop.continues));
    const endless = !node.test || isAlwaysTrue(node.test);
    return meet(endless ? null : entry, loop.breaks);
  }

  private loop(body: acorn.Statement, entry: Declared, labels: readonly string[]) {
    const target = this.enter("loop", labels);
    const end = this.statement(body, entry);
    this.targets.pop();
    return { end, breaks: target.breaks, continues: target.continues };
  }

  private switchCases(node: acorn.SwitchStatement, state: Declared, labels: readonly string[]): Declared {
    this.check(node.discriminant, state);
    for (const branch of node.cases) this.check(branch.test, state);
    const target = this.enter("switch", labels);
    // Any case can be jumped to directly, so each starts from the state before the switch.
    let end: Declared = null;
    for (const branch of node.cases) end = this.statements(branch.consequent, state);
    this.targets.pop();
    const hasDefault = node.cases.some((branch) => branch.test === null);
    return meet(meet(end, target.breaks), hasDefault ? null : state);
  }

  private tryBlock(node: acorn.TryStatement, state: Declared): Declared {
    const afterTry = this.statement(node.block, state);
    // An exception may leave the try block before any of its declarations ran.
    let after = node.handler ? meet(afterTry, this.statement(node.handler.body, state)) : afterTry;
    if (node.finalizer) {
      const afterFinally = this.statement(node.finalizer, state);
      after = after === null || afterFinally === null ? null : new Set([...after, ...afterFinally]);
    }
    return after;
  }

  private enter(kind: JumpTarget["kind"], labels: readonly string[]): JumpTarget {
    const target: JumpTarget = { kind, labels, breaks: null, continues: null };
    this.targets.push(target);
    return target;
  }

  private jump(node: acorn.BreakStatement | acorn.ContinueStatement, state: Declared): void {
    const isBreak = node.type === "BreakStatement";
    const label = node.label?.name;
    for (let i = this.targets.length - 1; i >= 0; i--) {
      const target = this.targets[i]!;
      const matches = label !== undefined ? target.labels.includes(label) : isBreak ? target.kind !== "labelled" : target.kind === "loop";
      if (!matches) continue;
      if (isBreak) target.breaks = meet(target.breaks, state);
      else target.continues = meet(target.continues, state);
      return;
    }
  }

  /** Checks what `node` evaluates, and what the functions it invokes on the spot evaluate. */
  private check(node: AnyNode | null | undefined, state: Declared): void {
    if (!node || state === null) return;
    const effects = directEffects(node, this.context.scopes);
    for (const reference of effects.references) {
      if (this.isUndeclared(reference, state)) this.report(reference, null);
    }
    const reached = this.graph.reach(
      effects.invocations,
      (reference) => this.isUndeclared(reference, state),
      // A call back into this scope's own function starts a new activation with its own declarations.
      (invocation) => invocation.target !== this.scope.node && !this.callsUndeclared(invocation, state),
    );
    for (const { reference, call } of reached) this.report(reference, call);
  }

  private isUndeclared(reference: Reference, state: ReadonlySet<string>): boolean {
    const declaration = reference.declaration;
    return (
      reference.kind !== "typeof" &&
      declaration?.scope === this.scope &&
      DECLARED_WHEN_RUN.has(declaration.kind) &&
      !state.has(declaration.name)
    );
  }

  /** A call of a function whose own declaration has not run yet fails before its body could run. */
  private callsUndeclared(invocation: Invocation, state: ReadonlySet<string>): boolean {
    if (invocation.kind !== "call" || invocation.site.type !== "Identifier") return false;
    const reference = this.context.scopes.referenceAt(invocation.site);
    return reference !== undefined && this.isUndeclared(reference, state);
  }

  private report(reference: Reference, call: Invocation | null): void {
    const at = call ? call.site : reference.node;
    const name = reference.node.name;
    const key = `${at.start}:${name}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.context.report("use-before-declaration", at, lateUseMessage(reference, call));
  }
}

const FIX =
  `The engine does not hoist declarations (docs/engine.md, "No hoisting"): ` +
  `move the declaration above this point, or minify with terser \`compress: { hoist_funs: true, hoist_vars: true }\`.`;

function lateUseMessage(reference: Reference, call: Invocation | null): string {
  const name = reference.node.name;
  const declaration = reference.declaration!;
  const declarationNode = declaration.node!;
  const source = `\`${declaration.kind === "function" ? "function" : "var"} ${name}\` (at ${placeOf(declarationNode)})`;
  if (call) {
    const callee = (call.site as acorn.Identifier).name;
    return `calling \`${callee}\` here runs code that reads \`${name}\` (at ${placeOf(reference.node)}) before ${source} has run. ${FIX}`;
  }
  if (declarationNode.start < reference.node.start) {
    return `\`${name}\` may not exist here: ${source} sits in a branch, loop or try block that may not have run. ${FIX}`;
  }
  if (reference.kind === "write") {
    // The engine adds an assignment to an unknown name to the global scope (jspeAssignmentExpression in src/jsparse.c).
    return `\`${name}\` is assigned before ${source} has run, so the engine creates a global \`${name}\` instead of the local variable. ${FIX}`;
  }
  return `\`${name}\` is used before ${source} has run; until then the engine has no local \`${name}\` (it throws \`"${name}" is not defined\`, or reads a global of that name). ${FIX}`;
}

/** `line:column`, 1-based like the findings themselves. */
function placeOf(node: acorn.Node): string {
  const start = node.loc!.start;
  return `${start.line}:${start.column + 1}`;
}

function isLoop(node: acorn.Statement): boolean {
  return (
    node.type === "WhileStatement" ||
    node.type === "DoWhileStatement" ||
    node.type === "ForStatement" ||
    node.type === "ForInStatement"
  );
}

/** `true`, `1`, `!0` (terser's spelling of `true`): a loop test that never ends the loop. */
function isAlwaysTrue(test: AnyNode): boolean {
  if (test.type === "Literal") return Boolean(test.value) && test.regex === undefined;
  if (test.type === "UnaryExpression" && test.operator === "!" && test.argument.type === "Literal") {
    return !test.argument.value;
  }
  return false;
}

function withNames(state: Declared, names: readonly string[]): Declared {
  if (state === null) return null;
  if (names.every((name) => state.has(name))) return state;
  return new Set([...state, ...names]);
}

/** What is declared on every path: the paths that cannot arrive (null) do not count. */
function meet(a: Declared, b: Declared): Declared {
  if (a === null) return b;
  if (b === null || a === b) return a;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const both = new Set<string>();
  for (const name of small) if (large.has(name)) both.add(name);
  return both;
}
