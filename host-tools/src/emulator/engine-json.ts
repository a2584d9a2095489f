// The JSON the engine writes and reads in Storage. `Storage.writeJSON`
// writes its own compact form (jsfGetJSON with JSON_DROP_QUOTES in
// src/jswrap_storage.c): identifier keys unquoted, bytes outside printable
// ASCII as `\xHH`, no undefined values or functions, e.g.
// `{a:1,"b c":"x\xFF"}` (measured on 2v29). `Storage.readJSON` parses that
// form as well as standard JSON.

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export function stringifyForStorage(value: unknown): string {
  return write(value) ?? "null";
}

function write(value: unknown): string | undefined {
  if (value === null) return "null";
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return undefined;
  if (typeof value === "string") return quoteCompact(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  if (typeof value === "boolean") return String(value);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return write(toJSON.call(value));
  if (ArrayBuffer.isView(value)) return `[${Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)).join(",")}]`;
  if (Array.isArray(value)) return `[${value.map((item) => write(item) ?? "null").join(",")}]`;
  const fields: string[] = [];
  for (const key of Object.keys(value)) {
    const text = write((value as Record<string, unknown>)[key]);
    if (text !== undefined) fields.push(`${IDENTIFIER.test(key) ? key : quoteCompact(key)}:${text}`);
  }
  return `{${fields.join(",")}}`;
}

const SHORT: Record<number, string> = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\" };

function quoteCompact(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i) & 0xff;
    out += SHORT[code] ?? (code < 32 || code >= 127 ? `\\x${code.toString(16).toUpperCase().padStart(2, "0")}` : text[i]);
  }
  return `${out}"`;
}

/** Builds the parsed values; the device realm supplies its own objects and arrays. */
export interface JsonBuilder {
  object(): Record<string, unknown>;
  array(items: unknown[]): unknown[];
  syntaxError(message: string): Error;
}

export function parseLiberal(text: string, builder: JsonBuilder): unknown {
  const parser = new LiberalParser(text, builder);
  const value = parser.value();
  parser.end();
  return value;
}

/** A number (decimal or hex), a keyword, or an identifier the parser rejects by name. */
const WORD = /^(?:-?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|true|false|null|undefined|[A-Za-z_$][\w$]*)/;

class LiberalParser {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly builder: JsonBuilder,
  ) {}

  value(): unknown {
    this.skipSpace();
    const ch = this.text[this.at];
    if (ch === undefined) throw this.builder.syntaxError("Expecting valid value, got EOF");
    if (ch === "{") return this.object();
    if (ch === "[") return this.array();
    if (ch === '"' || ch === "'") return this.string();
    const word = WORD.exec(this.text.slice(this.at));
    if (!word) throw this.builder.syntaxError(`Expecting valid value, got ${JSON.stringify(ch)}`);
    this.at += word[0].length;
    switch (word[0]) {
      case "true":
        return true;
      case "false":
        return false;
      case "null":
        return null;
      case "undefined":
        return undefined;
    }
    const number = Number(word[0]);
    if (Number.isNaN(number)) throw this.builder.syntaxError(`Expecting valid value, got ID:${word[0]}`);
    return number;
  }

  end(): void {
    this.skipSpace();
    if (this.at < this.text.length) throw this.builder.syntaxError(`Got ${JSON.stringify(this.text[this.at])} expected EOF`);
  }

  private object(): Record<string, unknown> {
    const made = this.builder.object();
    this.at++;
    this.skipSpace();
    if (this.eat("}")) return made;
    for (;;) {
      this.skipSpace();
      const ch = this.text[this.at];
      let key: string;
      if (ch === '"' || ch === "'") key = this.string();
      else {
        const word = /^[\w$]+/.exec(this.text.slice(this.at));
        if (!word) throw this.builder.syntaxError(`Expecting a key, got ${this.describeHere()}`);
        key = word[0];
        this.at += key.length;
      }
      this.expect(":");
      made[key] = this.value();
      this.skipSpace();
      if (this.eat("}")) return made;
      this.expect(",");
    }
  }

  private array(): unknown[] {
    const items: unknown[] = [];
    this.at++;
    this.skipSpace();
    if (this.eat("]")) return this.builder.array(items);
    for (;;) {
      items.push(this.value());
      this.skipSpace();
      if (this.eat("]")) return this.builder.array(items);
      this.expect(",");
    }
  }

  private string(): string {
    const quote = this.text[this.at++];
    let out = "";
    for (;;) {
      const ch = this.text[this.at++];
      if (ch === undefined) throw this.builder.syntaxError("Expecting valid value, got UNFINISHED STRING");
      if (ch === quote) return out;
      if (ch !== "\\") {
        out += ch;
        continue;
      }
      const escape = this.text[this.at++];
      if (escape === "x" || escape === "u") {
        const digits = escape === "x" ? 2 : 4;
        out += String.fromCharCode(parseInt(this.text.slice(this.at, this.at + digits), 16));
        this.at += digits;
      } else {
        out += { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", v: "\v", "0": "\0" }[escape ?? ""] ?? escape ?? "";
      }
    }
  }

  private skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at++;
  }

  private eat(ch: string): boolean {
    if (this.text[this.at] !== ch) return false;
    this.at++;
    return true;
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (!this.eat(ch)) throw this.builder.syntaxError(`Got ${this.describeHere()} expected ${JSON.stringify(ch)}`);
  }

  private describeHere(): string {
    const ch = this.text[this.at];
    return ch === undefined ? "EOF" : JSON.stringify(ch);
  }
}
