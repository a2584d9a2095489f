// Variables a value occupies in the engine's store, as `E.getSizeOf` counts
// them on an ESP32, whose build uses 14-byte variables (measured on the
// 2v29 engine built 32-bit with that format, docs/engine.md):
// a string keeps 9 chars in its first variable and 10 in each further one
// (1,000 chars: 101), buffer contents are flat blocks of 14 bytes after a
// header (a 1,000-byte Uint8Array: 75), an integer or boolean sits inside
// the name variable that holds it, a key keeps 4 chars there, and each key
// or element costs one name variable. Functions hold their parameters and
// their tokenised code, counted here roughly.

const FIRST_STRING_CHARS = 9;
const STRING_CHARS = 10;
const KEY_CHARS = 4;
const BLOCK_BYTES = 14;

export function stringVariables(length: number): number {
  return length <= FIRST_STRING_CHARS ? 1 : 1 + Math.ceil((length - FIRST_STRING_CHARS) / STRING_CHARS);
}

function bufferVariables(byteLength: number): number {
  return 1 + Math.ceil(byteLength / BLOCK_BYTES);
}

function keyVariables(key: string): number {
  return key.length <= KEY_CHARS ? 1 : 1 + Math.ceil((key.length - KEY_CHARS) / STRING_CHARS);
}

/** Extra variables for a value held inside a name variable (a key or an element). */
function heldVariables(value: unknown, seen: Set<object>): number {
  if (value === undefined || value === null || typeof value === "boolean") return 0;
  if (typeof value === "number") return Number.isInteger(value) ? 0 : 1;
  return variablesOf(value, seen);
}

/** The engine stores code tokenised: keywords become one byte and spaces go. */
function tokenisedLength(code: string): number {
  return code.replace(/\b(?:return|function|var|let|const|if|else|for|while|this|new|typeof)\b/g, "k").replace(/\s+/g, "").length;
}

export function variablesOf(value: unknown, seen = new Set<object>()): number {
  if (value === undefined) return 0;
  if (value === null || typeof value === "number" || typeof value === "boolean") return 1;
  if (typeof value === "string") return stringVariables(value.length);
  if (typeof value === "function") {
    const source = Function.prototype.toString.call(value);
    const body = source.slice(source.indexOf("{") + 1, source.lastIndexOf("}"));
    const code = tokenisedLength(body);
    return 1 + value.length + (code > 0 ? 1 + stringVariables(code) : 0);
  }
  if (typeof value !== "object") return 1;
  if (seen.has(value)) return 0;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return 2 + bufferVariables(value.byteLength);
  if (Object.prototype.toString.call(value) === "[object ArrayBuffer]") return 1 + bufferVariables((value as ArrayBuffer).byteLength);
  let total = 1;
  for (const key of Object.keys(value)) total += keyVariables(key) + heldVariables((value as Record<string, unknown>)[key], seen);
  return total;
}
