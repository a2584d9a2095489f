// Shared by the gate tests: run the gate on a snippet and point into it.
import { checkBundle, type GateFinding, type GateRule } from "../../host-tools/src/gate/index.js";

export function findings(source: string): GateFinding[] {
  return checkBundle(source, { file: "app.js" }).findings;
}

/** Findings of one rule, as `line:column` places. */
export function placesOf(source: string, rule: GateRule): string[] {
  return findings(source)
    .filter((f) => f.rule === rule)
    .map((f) => `${f.line}:${f.column}`);
}

/** The 1-based `line:column` of the `nth` occurrence of `needle` in `source`. */
export function placeOf(source: string, needle: string, nth = 0): string {
  let index = -1;
  for (let i = 0; i <= nth; i++) {
    index = source.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`"${needle}" occurs fewer than ${nth + 1} times in the snippet`);
  }
  const before = source.slice(0, index).split("\n");
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}
