// The engine ignores "use strict": `this` in a plain call is the global
// object even in strict code (espruino-profile.md, "Other measured
// differences"). V8 honours the directive, so it is neutralised before the
// code runs, keeping every position in the source unchanged.
import { parse } from "acorn";
import { full } from "acorn-walk";

const STRICT = "use strict";
const NEUTRAL = "use_strict";

export function withoutStrictMode(code: string): string {
  if (!code.includes(STRICT)) return code;
  let tree;
  try {
    tree = parse(code, { ecmaVersion: "latest", sourceType: "script", allowReturnOutsideFunction: true });
  } catch {
    // Code V8 cannot parse either fails when it runs, with V8's own message.
    return code;
  }
  const starts: number[] = [];
  full(tree, (node) => {
    if (node.type === "ExpressionStatement" && (node as { directive?: string }).directive === STRICT) {
      starts.push(node.start + 1);
    }
  });
  let out = code;
  for (const start of starts) out = out.slice(0, start) + NEUTRAL + out.slice(start + NEUTRAL.length);
  return out;
}
