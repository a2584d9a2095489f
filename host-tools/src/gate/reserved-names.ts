// Rule reserved-name: names the engine's parser reserves (`of`, `let`,
// `static`, `undefined`), and globals the engine itself occupies (`ssl`).
// Property names (`x.of`, `{ let: 1 }`) are not affected.
import { RESERVED_NAMES, RESERVED_NAMES_READABLE, TAKEN_GLOBALS } from "../engine/profile.js";
import type { RuleContext } from "./rule.js";

const RENAME = "rename it; if a minifier chose the name, add it to terser's `mangle.reserved`";

export function checkReservedNames(context: RuleContext): void {
  const { scopes } = context;
  for (const binding of scopes.bindings) {
    const name = binding.node.name;
    if (RESERVED_NAMES.includes(name)) {
      context.report("reserved-name", binding.node, `\`${name}\` is declared as a name, but the engine reserves it (docs/engine.md): ${RENAME}`);
    }
  }
  for (const reference of scopes.references) {
    const name = reference.node.name;
    if (!RESERVED_NAMES.includes(name)) continue;
    const readable = RESERVED_NAMES_READABLE.includes(name);
    if (readable && (reference.kind === "read" || reference.kind === "typeof")) continue;
    const use = readable ? "assigned" : "used as a name";
    context.report("reserved-name", reference.node, `\`${name}\` is ${use}, but the engine reserves it (docs/engine.md): ${RENAME}`);
  }
  for (const [name, reason] of Object.entries(TAKEN_GLOBALS)) {
    const declared = scopes.program.declarations.get(name);
    if (declared?.node) {
      context.report("reserved-name", declared.node, `\`${name}\` is declared as a global, but ${reason}: rename it, or wrap the bundle in a function`);
    }
    for (const reference of scopes.references) {
      if (reference.node.name === name && reference.declaration === null && reference.kind !== "read" && reference.kind !== "typeof") {
        context.report("reserved-name", reference.node, `\`${name}\` is assigned as a global, but ${reason}: declare a local variable with another name`);
      }
    }
  }
}
