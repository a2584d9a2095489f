// The Espruino compatibility gate: checks a built ES5 bundle against what the
// engine really accepts (docs/engine.md) and reports every problem with
// its place in the bundle, before the bundle goes near a device.
import type * as acorn from "acorn";
import { checkArrayHoles } from "./array-holes.js";
import { parentMap } from "./ast.js";
import { checkDeclarationOrder } from "./declaration-order.js";
import { compareFindings, type GateFinding, type GateResult, type GateRule } from "./finding.js";
import { checkLabels } from "./labels.js";
import { checkMissingBuiltins } from "./missing-builtins.js";
import { checkPrototypeReads } from "./prototype-reads.js";
import { checkRegexps } from "./regexp.js";
import { checkReservedNames } from "./reserved-names.js";
import type { Rule, RuleContext, SourcePosition } from "./rule.js";
import { analyzeScopes } from "./scope.js";
import { parseBundle } from "./syntax.js";

export { formatFinding } from "./finding.js";
export type { GateFinding, GateResult, GateRule } from "./finding.js";

const RULES: readonly Rule[] = [
  checkReservedNames,
  checkLabels,
  checkArrayHoles,
  checkRegexps,
  checkMissingBuiltins,
  checkPrototypeReads,
  checkDeclarationOrder,
];

export function checkBundle(source: string, options: { file?: string } = {}): GateResult {
  const file = options.file ?? "bundle.js";
  const findings: GateFinding[] = [];
  const add = (rule: GateRule, at: SourcePosition, message: string) => {
    findings.push({ rule, message, file, line: at.line, column: at.column + 1 });
  };
  const parsed = parseBundle(source);
  if (!parsed.ok) {
    add("syntax", parsed.at, parsed.message);
    return { ok: false, findings };
  }
  const context: RuleContext = {
    source,
    program: parsed.program,
    scopes: analyzeScopes(parsed.program),
    parents: parentMap(parsed.program),
    report: (rule, at, message) => add(rule, "type" in at ? startOf(at) : at, message),
  };
  for (const rule of RULES) rule(context);
  findings.sort(compareFindings);
  return { ok: findings.length === 0, findings };
}

function startOf(node: acorn.Node): SourcePosition {
  // Parsing with `locations: true` gives every node a location.
  return node.loc!.start;
}
