// What every gate rule gets: the parsed bundle, its scopes, and a way to report.
import type * as acorn from "acorn";
import type { ParentMap } from "./ast.js";
import type { GateRule } from "./finding.js";
import type { ScopeTree } from "./scope.js";

/** A place in the source as acorn counts it: 1-based line, 0-based column. */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface RuleContext {
  /** The bundle's text, for rules that look between nodes. */
  source: string;
  program: acorn.Program;
  scopes: ScopeTree;
  parents: ParentMap;
  /** Reports a finding at a node's start or at a position. */
  report(rule: GateRule, at: acorn.Node | SourcePosition, message: string): void;
}

export type Rule = (context: RuleContext) => void;
