// Rule labelled-statement: the engine's parser has no labels
// (docs/engine.md, "Fails to parse or throws").
import { walkNodes } from "./ast.js";
import type { RuleContext } from "./rule.js";

export function checkLabels(context: RuleContext): void {
  walkNodes(context.program, (node) => {
    if (node.type !== "LabeledStatement") return;
    context.report(
      "labelled-statement",
      node,
      `labelled statement \`${node.label.name}:\` does not parse on the engine: move the loop into a function and \`return\` from it, or end the outer loop with a flag variable`,
    );
  });
}
