// Name resolution for an ES5 bundle: which declaration each identifier
// refers to. ES5 has function scopes only, plus a one-name scope for each
// catch parameter. This resolves names the way a standard engine does; the
// Espruino engine creates a declaration only when its statement runs, which
// declaration-order.ts checks on top of this.
import type * as acorn from "acorn";
import { forEachChild, walkNodes, type AnyNode, type FunctionNode } from "./ast.js";

export type ScopeKind = "program" | "function" | "catch";

export type DeclarationKind = "var" | "function" | "param" | "catch-param" | "function-name" | "arguments";

export interface Scope {
  kind: ScopeKind;
  node: acorn.Program | FunctionNode | acorn.CatchClause;
  parent: Scope | null;
  /** The first declaration of each name in this scope. */
  declarations: Map<string, Declaration>;
}

export interface Declaration {
  name: string;
  kind: DeclarationKind;
  /** The identifier that declares the name first; null for the implicit `arguments`. */
  node: acorn.Identifier | null;
  scope: Scope;
  /** The function a function declaration declares. */
  fn: acorn.FunctionDeclaration | null;
}

/** `typeof x` is kept apart: it never throws, whatever x is. */
export type ReferenceKind = "read" | "write" | "read-write" | "typeof";

export interface Reference {
  node: acorn.Identifier;
  kind: ReferenceKind;
  /** The scope the identifier sits in. */
  scope: Scope;
  /** What the name resolves to; null for a global the bundle never declares. */
  declaration: Declaration | null;
}

/** Every identifier that declares a name, repeated declarations included. */
export interface Binding {
  node: acorn.Identifier;
  kind: DeclarationKind;
  scope: Scope;
}

export interface ScopeTree {
  program: Scope;
  /** Program scope first, then the others in source order. */
  scopes: Scope[];
  references: Reference[];
  bindings: Binding[];
  referenceAt(node: acorn.Identifier): Reference | undefined;
}

export function analyzeScopes(program: acorn.Program): ScopeTree {
  const builder = new ScopeBuilder();
  const root = builder.visitProgram(program);
  return builder.tree(root);
}

class ScopeBuilder {
  private readonly scopes: Scope[] = [];
  private readonly references: Reference[] = [];
  private readonly bindings: Binding[] = [];
  private readonly referenceByNode = new Map<acorn.Identifier, Reference>();

  visitProgram(program: acorn.Program): Scope {
    const scope = this.open("program", program, null);
    this.declareStatementDeclarations(scope, program);
    this.visit(program.body, scope);
    return scope;
  }

  tree(program: Scope): ScopeTree {
    const byNode = this.referenceByNode;
    return {
      program,
      scopes: this.scopes,
      references: this.references,
      bindings: this.bindings,
      referenceAt: (node) => byNode.get(node),
    };
  }

  private open(kind: ScopeKind, node: Scope["node"], parent: Scope | null): Scope {
    const scope: Scope = { kind, node, parent, declarations: new Map() };
    this.scopes.push(scope);
    return scope;
  }

  private declare(
    scope: Scope,
    name: string,
    kind: DeclarationKind,
    node: acorn.Identifier | null,
    fn: acorn.FunctionDeclaration | null = null,
  ): void {
    if (node) this.bindings.push({ node, kind, scope });
    if (!scope.declarations.has(name)) scope.declarations.set(name, { name, kind, node, scope, fn });
  }

  /** Collects the `var` and `function` declarations a function body (or the program) owns, nested blocks included. */
  private declareStatementDeclarations(scope: Scope, body: AnyNode): void {
    walkNodes(body, (node) => {
      if (node.type === "FunctionDeclaration") {
        // Only `export default function` has no name, and a script has no exports.
        if (node.id) this.declare(scope, node.id.name, "function", node.id, node as acorn.FunctionDeclaration);
        return false;
      }
      if (node.type === "FunctionExpression") return false;
      if (node.type === "VariableDeclarator" && node.id.type === "Identifier") this.declare(scope, node.id.name, "var", node.id);
    });
  }

  /**
   * Resolves every identifier under `nodes`. A function's declarations are
   * all known before anything inside it is resolved, as in any ES5 engine.
   * Iterative: minified bundles can nest thousands of levels deep.
   */
  private visit(nodes: readonly AnyNode[], scope: Scope): void {
    const pending: { node: AnyNode; scope: Scope }[] = [];
    const push = (node: AnyNode | null | undefined, where: Scope) => {
      if (node) pending.push({ node, scope: where });
    };
    const pushAll = (list: readonly AnyNode[], where: Scope) => {
      for (let i = list.length - 1; i >= 0; i--) push(list[i], where);
    };
    pushAll(nodes, scope);
    while (pending.length > 0) {
      const { node, scope: here } = pending.pop()!;
      switch (node.type) {
        case "Identifier":
          this.refer(node, "read", here);
          continue;
        case "FunctionDeclaration":
        case "FunctionExpression": {
          const fn = node as FunctionNode;
          pushAll(fn.body.body, this.openFunction(fn, here));
          continue;
        }
        case "VariableDeclarator":
          push(node.init, here);
          continue;
        case "CatchClause":
          push(node.body, this.openCatch(node, here));
          continue;
        case "AssignmentExpression":
          push(node.right, here);
          this.target(node.left, node.operator === "=" ? "write" : "read-write", here, push);
          continue;
        case "UpdateExpression":
          this.target(node.argument, "read-write", here, push);
          continue;
        case "UnaryExpression":
          if (node.operator === "typeof" && node.argument.type === "Identifier") {
            this.refer(node.argument, "typeof", here);
            continue;
          }
          break;
        case "ForInStatement":
          push(node.body, here);
          push(node.right, here);
          if (node.left.type === "VariableDeclaration") push(node.left, here);
          else this.target(node.left, "write", here, push);
          continue;
      }
      const children: AnyNode[] = [];
      forEachChild(node, (child) => children.push(child));
      pushAll(children, here);
    }
  }

  private openFunction(fn: FunctionNode, outer: Scope): Scope {
    const scope = this.open("function", fn, outer);
    for (const param of fn.params) {
      if (param.type === "Identifier") this.declare(scope, param.name, "param", param);
    }
    this.declare(scope, "arguments", "arguments", null);
    this.declareStatementDeclarations(scope, fn.body);
    // A function expression's own name sits in a scope around its body, so
    // parameters and declarations of the same name win over it.
    if (fn.type === "FunctionExpression" && fn.id) this.declare(scope, fn.id.name, "function-name", fn.id);
    return scope;
  }

  private openCatch(clause: acorn.CatchClause, outer: Scope): Scope {
    const scope = this.open("catch", clause, outer);
    if (clause.param?.type === "Identifier") this.declare(scope, clause.param.name, "catch-param", clause.param);
    return scope;
  }

  private target(node: AnyNode, kind: ReferenceKind, scope: Scope, push: (node: AnyNode, scope: Scope) => void): void {
    if (node.type === "Identifier") this.refer(node, kind, scope);
    else push(node, scope);
  }

  private refer(node: acorn.Identifier, kind: ReferenceKind, scope: Scope): void {
    const reference: Reference = { node, kind, scope, declaration: resolve(node.name, scope) };
    this.references.push(reference);
    this.referenceByNode.set(node, reference);
  }
}

function resolve(name: string, from: Scope): Declaration | null {
  for (let scope: Scope | null = from; scope; scope = scope.parent) {
    const declaration = scope.declarations.get(name);
    if (declaration) return declaration;
  }
  return null;
}
