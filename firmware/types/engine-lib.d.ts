// Built-ins the Espruino engine has beyond ES5, as measured
// (docs/engine.md). The firmware compiles with `lib: ["ES5"]` plus
// this file, so a use of something the engine lacks (Map, Set, Symbol,
// Array.from, Promise.race, Promise#finally...) fails to type-check instead
// of failing on a board.

interface PromiseConstructor {
  new <T>(executor: (resolve: (value: T | PromiseLike<T>) => void, reject: (reason?: unknown) => void) => void): Promise<T>;
  all<T extends readonly unknown[] | []>(values: T): Promise<{ -readonly [P in keyof T]: Awaited<T[P]> }>;
  reject<T = never>(reason?: unknown): Promise<T>;
  resolve(): Promise<void>;
  resolve<T>(value: T | PromiseLike<T>): Promise<Awaited<T>>;
}
declare var Promise: PromiseConstructor;

interface Array<T> {
  find(predicate: (value: T, index: number, array: T[]) => unknown): T | undefined;
  findIndex(predicate: (value: T, index: number, array: T[]) => unknown): number;
  fill(value: T, start?: number, end?: number): this;
  includes(searchElement: T, fromIndex?: number): boolean;
}

interface ReadonlyArray<T> {
  find(predicate: (value: T, index: number, array: readonly T[]) => unknown): T | undefined;
  findIndex(predicate: (value: T, index: number, array: readonly T[]) => unknown): number;
  includes(searchElement: T, fromIndex?: number): boolean;
}

interface String {
  padStart(maxLength: number, fillString?: string): string;
  padEnd(maxLength: number, fillString?: string): string;
  startsWith(searchString: string, position?: number): boolean;
  endsWith(searchString: string, endPosition?: number): boolean;
  includes(searchString: string, position?: number): boolean;
  repeat(count: number): string;
}

interface ObjectConstructor {
  assign<T extends object, U>(target: T, source: U): T & U;
  assign<T extends object, U, V>(target: T, source1: U, source2: V): T & U & V;
  values<T>(o: { [key: string]: T }): T[];
  entries<T>(o: { [key: string]: T }): [string, T][];
  setPrototypeOf(o: object, proto: object | null): object;
}

interface Uint8Array {
  fill(value: number, start?: number, end?: number): this;
}
