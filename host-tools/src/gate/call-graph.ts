// What runs on the spot when a piece of code runs: the names it evaluates
// outside nested functions, and the bodies of the functions it invokes right
// away: an immediately-invoked function expression, or a declared function
// called by name.
import { isFunction, propertyName, walkNodes, type AnyNode, type FunctionNode } from "./ast.js";
import type { Reference, ScopeTree } from "./scope.js";

export interface Invocation {
  kind: "call" | "immediate";
  /** The callee name for a call, the function itself when invoked immediately. */
  site: AnyNode;
  target: FunctionNode;
}

export interface DirectEffects {
  references: Reference[];
  invocations: Invocation[];
}

export interface ReachedReference {
  reference: Reference;
  /** The first call by name on the way to the reference; null when only immediately-invoked functions lie between. */
  call: Invocation | null;
}

/** The references `root` evaluates and the functions it invokes, not looking inside functions it only creates. */
export function directEffects(root: AnyNode, scopes: ScopeTree): DirectEffects {
  const effects: DirectEffects = { references: [], invocations: [] };
  walkNodes(root, (node) => {
    if (isFunction(node) && node !== root) return false;
    if (node.type === "Identifier") {
      const reference = scopes.referenceAt(node);
      if (reference) effects.references.push(reference);
    } else if (node.type === "CallExpression" || node.type === "NewExpression") {
      const invocation = invocationOf(node.callee, scopes);
      if (invocation) effects.invocations.push(invocation);
    }
    return true;
  });
  return effects;
}

function invocationOf(callee: AnyNode, scopes: ScopeTree): Invocation | null {
  let invoked = callee;
  if (callee.type === "MemberExpression") {
    const method = propertyName(callee);
    if (method !== "call" && method !== "apply") return null;
    invoked = callee.object;
  }
  if (invoked.type === "FunctionExpression") return { kind: "immediate", site: invoked, target: invoked };
  if (invoked.type !== "Identifier") return null;
  const declared = scopes.referenceAt(invoked)?.declaration;
  return declared?.fn ? { kind: "call", site: invoked, target: declared.fn } : null;
}

export class CallGraph {
  private readonly bodies = new Map<FunctionNode, DirectEffects>();

  constructor(private readonly scopes: ScopeTree) {}

  /**
   * Every reference for which `wanted` holds that runs when `invocations`
   * run, following further invocations; each function is entered once.
   * `enters` may refuse an invocation (a call that would itself fail).
   */
  reach(
    invocations: readonly Invocation[],
    wanted: (reference: Reference) => boolean,
    enters: (invocation: Invocation) => boolean,
  ): ReachedReference[] {
    const reached: ReachedReference[] = [];
    const entered = new Set<FunctionNode>();
    const queue = invocations.filter(enters).map((invocation) => ({ invocation, call: firstCall(null, invocation) }));
    for (let next = 0; next < queue.length; next++) {
      const { invocation, call } = queue[next]!;
      if (entered.has(invocation.target)) continue;
      entered.add(invocation.target);
      const body = this.bodyEffects(invocation.target);
      for (const reference of body.references) if (wanted(reference)) reached.push({ reference, call });
      for (const inner of body.invocations) {
        if (enters(inner)) queue.push({ invocation: inner, call: firstCall(call, inner) });
      }
    }
    return reached;
  }

  private bodyEffects(fn: FunctionNode): DirectEffects {
    let effects = this.bodies.get(fn);
    if (!effects) {
      effects = directEffects(fn.body, this.scopes);
      this.bodies.set(fn, effects);
    }
    return effects;
  }
}

function firstCall(sofar: Invocation | null, invocation: Invocation): Invocation | null {
  return sofar ?? (invocation.kind === "call" ? invocation : null);
}
