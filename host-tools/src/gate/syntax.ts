// Parsing the bundle as the ES5 script it must be. Anything newer is a
// finding, not a crash: the engine mis-parses several ES2015+ forms
// (default and rest parameters, spread, destructuring; docs/engine.md),
// so the build must lower everything to ES5.
import * as acorn from "acorn";
import type { SourcePosition } from "./rule.js";

export type ParseOutcome =
  | { ok: true; program: acorn.Program }
  | { ok: false; at: SourcePosition; message: string };

export function parseBundle(source: string): ParseOutcome {
  try {
    return { ok: true, program: acorn.parse(source, { ecmaVersion: 5, sourceType: "script", locations: true }) };
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const at = (error as SyntaxError & { loc?: SourcePosition }).loc ?? { line: 1, column: 0 };
    const reason = error.message.replace(/\s*\(\d+:\d+\)$/, "");
    return { ok: false, at, message: explain(source, reason) };
  }
}

function explain(source: string, reason: string): string {
  if (reason.startsWith("Not enough stack space")) {
    return `${reason}: the bundle nests too deeply for the gate to read; split the longest expression (often a long chain of \`+\`) into several statements`;
  }
  if (isModernJavaScript(source)) {
    return `${reason}: this is not ES5. Build the bundle for ES5 (TypeScript \`target: "ES5"\`, terser \`ecma: 5\`) so newer syntax is rewritten to forms the engine runs`;
  }
  return `${reason}: the bundle is not valid JavaScript; rebuild it, or fix the source at this point`;
}

function isModernJavaScript(source: string): boolean {
  try {
    acorn.parse(source, { ecmaVersion: "latest", sourceType: "script" });
    return true;
  } catch {
    return false;
  }
}
