// How the engine's print() and console.log() render values (jswrap_print
// with JSON_PRETTY | JSON_SOME_NEWLINES | JSON_SHOW_OBJECT_NAMES in
// src/jswrap_json.c): strings raw, everything else as the engine's own loose
// JSON, e.g. `{ "a": 1, "b": [ 1, 2 ] }`. Nested objects, arrays and strings
// start a new line; more than four items never share one.

const INDENT = "  ";
const ITEMS_ON_LINE = 4;

/** What naming an object needs from the device's realm. */
export interface PrintScope {
  global: Record<string, unknown>;
  objectPrototype: object;
}

/** The text one print() call puts on the console, newline included. */
export function formatPrint(values: readonly unknown[], scope: PrintScope): string {
  return `${values.map((value) => (typeof value === "string" ? value : render(value, 0, new Set(), scope))).join(" ")}\n`;
}

function needsNewLine(value: unknown): boolean {
  return !(value === undefined || value === null || typeof value === "number" || typeof value === "boolean");
}

function newLine(depth: number): string {
  return `\n${INDENT.repeat(depth)}`;
}

function render(value: unknown, depth: number, seen: Set<object>, scope: PrintScope): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string") return quote(value);
  if (typeof value === "number") return Object.is(value, -0) ? "0" : String(value);
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "function") return `function ${functionBody(value)}`;
  if (typeof value !== "object") return String(value);
  if (seen.has(value)) return " ... ";
  seen.add(value);
  try {
    if (Array.isArray(value)) return renderArray(value, depth, seen, scope);
    const kind = Object.prototype.toString.call(value).slice(8, -1);
    if (kind === "ArrayBuffer" || (ArrayBuffer.isView(value) && kind !== "DataView")) {
      return renderBytes(value as ArrayBuffer | ArrayLike<number>, kind);
    }
    return renderObject(value as Record<string, unknown>, depth, seen, scope);
  } finally {
    seen.delete(value);
  }
}

function renderArray(items: unknown[], depth: number, seen: Set<object>, scope: PrintScope): string {
  let out = "[ ";
  let pendingNewLine = false;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (i > 0) out += ", ";
    const itemNeedsLine = needsNewLine(item);
    if (pendingNewLine || itemNeedsLine) out += newLine(depth + 1);
    out += render(item, depth + 1, seen, scope);
    pendingNewLine = itemNeedsLine;
  }
  if (pendingNewLine) out += newLine(depth);
  return `${out} ]`;
}

function renderObject(object: Record<string, unknown>, depth: number, seen: Set<object>, scope: PrintScope): string {
  const named = constructorName(object, scope.global);
  if (named) {
    const toString = (object as { toString?: unknown }).toString;
    const plain = (scope.objectPrototype as { toString?: unknown }).toString;
    if (typeof toString === "function" && toString !== plain) return `${named}: ${String(toString.call(object))}`;
  }
  let out = named ? `${named}: { ` : "{ ";
  let pendingNewLine = false;
  let sinceNewLine = 0;
  let first = true;
  for (const key of Object.keys(object)) {
    const item = object[key];
    sinceNewLine++;
    if (!first) out += ", ";
    const itemNeedsLine = needsNewLine(item);
    if (sinceNewLine > ITEMS_ON_LINE) pendingNewLine = true;
    if (pendingNewLine || itemNeedsLine) {
      out += newLine(depth + 1);
      sinceNewLine = 0;
    }
    out += `${quote(key)}: ${render(item, depth + 1, seen, scope)}`;
    first = false;
    pendingNewLine = itemNeedsLine;
  }
  if (pendingNewLine) out += newLine(depth);
  return `${out} }`;
}

/** `new Uint8Array([1, 2, 3])`; all zero: `new Uint8Array(3)`; a bare ArrayBuffer goes through a Uint8Array. */
function renderBytes(value: ArrayBuffer | ArrayLike<number>, kind: string): string {
  const isBuffer = kind === "ArrayBuffer";
  const items = Array.from(isBuffer ? new Uint8Array(value as ArrayBuffer) : (value as ArrayLike<number>));
  if (items.every((n) => n === 0)) return `new ${kind}(${items.length})`;
  const list = items.map((n) => String(n)).join(", ");
  return isBuffer ? `new Uint8Array([${list}]).buffer` : `new ${kind}([${list}])`;
}

/**
 * The engine names an object by its constructor when that constructor is a
 * global (JSON_SHOW_OBJECT_NAMES), so `print(new Error("x"))` shows
 * `Error: Error: x`; plain objects and arrays stay unnamed.
 */
function constructorName(object: object, global: Record<string, unknown>): string | undefined {
  const prototype = Object.getPrototypeOf(object) as { constructor?: unknown } | null;
  const constructor = prototype?.constructor;
  if (typeof constructor !== "function") return undefined;
  const name = (constructor as { name?: unknown }).name;
  if (typeof name !== "string" || name === "" || name === "Object") return undefined;
  return global[name] === constructor ? name : undefined;
}

/** `(a, b) {body}`, as the engine prints a function from its tokens. */
function functionBody(fn: Function): string {
  const source = Function.prototype.toString.call(fn);
  const open = source.indexOf("(");
  const close = source.indexOf(")", open);
  const body = source.indexOf("{", close);
  if (open < 0 || close < 0 || body < 0) return "() {}";
  return `(${source.slice(open + 1, close).trim()}) ${source.slice(body)}`;
}

/** The engine's quoting (escapeCharacter in src/jsutils.c): short escapes, else `\xHH`. */
export function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i) & 0xff;
    const next = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
    out += escapeChar(code, next);
  }
  return `${out}"`;
}

const SHORT_ESCAPES: Record<number, string> = { 10: "\\n", 9: "\\t", 8: "\\b", 11: "\\v", 12: "\\f", 13: "\\r", 92: "\\\\", 34: '\\"' };

function escapeChar(code: number, next: number): string {
  const short = SHORT_ESCAPES[code];
  if (short) return short;
  if (code < 8 && (next < 48 || next > 55)) return `\\${code}`;
  if (code < 32 || code >= 127) return `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
  return String.fromCharCode(code);
}
