// Reads one section of a JSON config, collecting every problem with its
// dotted field path instead of stopping at the first.

export type Json = Record<string, unknown>;

export class ConfigError extends Error {
  override name = "ConfigError";

  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
  }
}

export class ConfigSection {
  private readonly seen = new Set<string>();

  constructor(
    private readonly values: Json,
    private readonly path: string,
    private readonly problems: string[],
  ) {}

  /** A nested object; an empty one when absent. */
  section(name: string): ConfigSection {
    const value = this.take(name);
    if (value === undefined) return new ConfigSection({}, this.field(name), this.problems);
    if (!isObject(value)) {
      this.problem(name, `must be an object, got ${show(value)}`);
      return new ConfigSection({}, this.field(name), this.problems);
    }
    return new ConfigSection(value, this.field(name), this.problems);
  }

  string(name: string, fallback: string, check?: (value: string) => string | undefined): string {
    return this.optionalString(name, check) ?? fallback;
  }

  optionalString(name: string, check?: (value: string) => string | undefined): string | undefined {
    const value = this.take(name);
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value === "") {
      this.problem(name, `must be a non-empty string, got ${show(value)}`);
      return undefined;
    }
    const problem = check?.(value);
    if (problem !== undefined) this.problem(name, problem);
    return value;
  }

  /** A secret: checked for length, and never quoted back in a problem. */
  secret(name: string, minLength: number): string | undefined {
    const value = this.take(name);
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.length < minLength) {
      this.problem(name, `must be a string of at least ${minLength} characters (its value is not shown)`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.take(name);
    if (value === undefined) return fallback;
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    this.problem(name, `must be one of ${allowed.map((item) => `"${item}"`).join(", ")}, got ${show(value)}`);
    return fallback;
  }

  integer(name: string, min: number, max: number, fallback: number): number {
    const value = this.take(name);
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.problem(name, `must be a whole number from ${min} to ${max}, got ${show(value)}`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.take(name);
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") {
      this.problem(name, `must be true or false, got ${show(value)}`);
      return fallback;
    }
    return value;
  }

  strings(name: string, fallback: string[], check?: (value: string) => string | undefined): string[] {
    const value = this.take(name);
    if (value === undefined) return fallback;
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
      this.problem(name, `must be a list of strings, got ${show(value)}`);
      return fallback;
    }
    value.forEach((item, i) => {
      const problem = check?.(item as string);
      if (problem !== undefined) this.problems.push(`${this.field(name)}[${i}] ${problem}`);
    });
    return value as string[];
  }

  /** The raw value, for fields with a shape of their own. */
  raw(name: string): unknown {
    return this.take(name);
  }

  problem(name: string, message: string): void {
    this.problems.push(`${this.field(name)} ${message}`);
  }

  /** Reports the fields nobody asked for: most often a misspelling. */
  finish(): void {
    for (const name of Object.keys(this.values)) {
      if (!this.seen.has(name)) this.problems.push(`${this.field(name)} is not a known field (expected ${[...this.seen].join(", ")})`);
    }
  }

  private take(name: string): unknown {
    this.seen.add(name);
    return this.values[name];
  }

  private field(name: string): string {
    return this.path === "" ? name : `${this.path}.${name}`;
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value quoted in a message. Never used on secret fields. */
export function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
