// What the gate reports: one finding per problem, located like a compiler
// error so editors and terminals can jump to it.

export type GateRule =
  | "syntax"
  | "reserved-name"
  | "labelled-statement"
  | "array-hole"
  | "regexp"
  | "missing-builtin"
  | "prototype-builtin"
  | "use-before-declaration";

export interface GateFinding {
  rule: GateRule;
  /** What is wrong on the engine and what to do about it. */
  message: string;
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units as editors do. */
  column: number;
}

export interface GateResult {
  ok: boolean;
  findings: GateFinding[];
}

/** `app.js:3:14 missing-builtin: ...` */
export function formatFinding(f: GateFinding): string {
  return `${f.file}:${f.line}:${f.column} ${f.rule}: ${f.message}`;
}

export function compareFindings(a: GateFinding, b: GateFinding): number {
  return a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule) || a.message.localeCompare(b.message);
}
