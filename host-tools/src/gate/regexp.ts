// Rule regexp: regular-expression literals, and `RegExp("...")` with a
// literal pattern, that use features the engine matches wrongly.
import type * as acorn from "acorn";
import { walkNodes } from "./ast.js";
import { findRegexpProblems, type RegexpProblem } from "./regexp-scanner.js";
import type { RuleContext } from "./rule.js";

export function checkRegexps(context: RuleContext): void {
  walkNodes(context.program, (node) => {
    if (node.type === "Literal" && node.regex) checkLiteral(node, node.regex.pattern, node.regex.flags, context);
    if (node.type === "NewExpression" || node.type === "CallExpression") checkConstructed(node, context);
  });
}

function checkLiteral(node: acorn.Literal, pattern: string, flags: string, context: RuleContext): void {
  const start = node.loc!.start;
  for (const problem of findRegexpProblems(pattern, flags)) {
    // `/pattern/flags` sits on one line: the pattern starts after the slash.
    const offset = problem.inFlags ? pattern.length + 2 + problem.offset : 1 + problem.offset;
    context.report("regexp", { line: start.line, column: start.column + offset }, `${problem.message} (in /${pattern}/${flags})`);
  }
}

function checkConstructed(node: acorn.NewExpression | acorn.CallExpression, context: RuleContext): void {
  if (node.callee.type !== "Identifier" || node.callee.name !== "RegExp") return;
  if (context.scopes.referenceAt(node.callee)?.declaration !== null) return;
  const [patternArg, flagsArg] = node.arguments;
  const pattern = stringLiteral(patternArg);
  if (!pattern) return;
  const flags = stringLiteral(flagsArg);
  for (const problem of findRegexpProblems(pattern.value as string, (flags?.value as string | undefined) ?? "")) {
    const literal = problem.inFlags ? flags! : pattern;
    context.report("regexp", positionInString(literal, problem), `${problem.message} (in RegExp(${pattern.raw}))`);
  }
}

function stringLiteral(node: acorn.AnyNode | undefined): acorn.Literal | null {
  return node?.type === "Literal" && typeof node.value === "string" ? node : null;
}

/** Points into the string when its text has no escapes, so value offsets are source offsets; else at the string. */
function positionInString(literal: acorn.Literal, problem: RegexpProblem) {
  const start = literal.loc!.start;
  const text = literal.raw?.slice(1, -1);
  if (text !== literal.value) return start;
  return { line: start.line, column: start.column + 1 + problem.offset };
}
