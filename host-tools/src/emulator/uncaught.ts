// What the engine prints for an exception nothing caught: `Uncaught ` and
// the value as a string (jsiCheckErrors, "Uncaught %v" in
// src/jsinteractive.c), so an Error shows as `Uncaught Error: msg` and a
// thrown string as `Uncaught msg`. Faults V8 raises itself carry V8's
// wording; they are reworded to what the engine says for the same fault
// (measured on 2v29), and the first device frame of the stack follows.

const REWORDINGS: readonly [RegExp, (...groups: string[]) => string][] = [
  // The engine says "read" for writes too.
  [
    /^TypeError: Cannot (?:read|set) properties of (undefined|null) \((?:reading|setting) '(.*)'\)$/,
    (of, key) => `Error: Can't read property '${key}' of ${of}`,
  ],
  [/^ReferenceError: (.+) is not defined$/, (name) => `ReferenceError: "${name}" is not defined`],
  [/^TypeError: (?:.*\.)?([A-Za-z_$][\w$]*) is not a function$/, (name) => `Error: Function "${name}" not found!`],
];

/** The text after `Uncaught ` for a thrown value. */
export function describeThrown(value: unknown): string {
  const text = safeString(value);
  for (const [pattern, reword] of REWORDINGS) {
    const match = pattern.exec(text);
    if (match) return reword(...match.slice(1));
  }
  return text;
}

/** The first stack frame that is device code, in the engine's `    at` form. */
export function deviceFrame(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  let stack: unknown;
  try {
    stack = (value as { stack?: unknown }).stack;
  } catch {
    return undefined;
  }
  if (typeof stack !== "string") return undefined;
  for (const line of stack.split("\n").slice(1)) {
    const frame = line.trim();
    if (!frame.startsWith("at ")) continue;
    if (/\((?:node:|file:|\/)|^at (?:node:|file:|\/)/.test(frame)) continue;
    return `    ${frame}`;
  }
  return undefined;
}

/** A value as the engine's `%v` shows it, even when its toString throws. */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return "[object Object]";
  }
}
