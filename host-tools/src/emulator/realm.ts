// The device's JavaScript realm: its vm context plus the means to make
// values that belong to it. Values the engine modules hand to device code
// (arrays, errors, ArrayBuffers) are made here, so `x instanceof Array` and
// `e instanceof Error` answer in device code as they do on the engine.
import vm from "node:vm";
import type { EngineErrorClasses } from "./error-types.js";

export type ErrorKind = keyof EngineErrorClasses;

/** The built-ins of the context as they were before any was shaped. */
export interface Intrinsics {
  Array: ArrayConstructor;
  ArrayBuffer: ArrayBufferConstructor;
  Uint8Array: Uint8ArrayConstructor;
  JSON: JSON;
  ObjectPrototype: object;
}

export class DeviceRealm {
  constructor(
    readonly context: vm.Context,
    readonly global: Record<string, unknown>,
    private readonly intrinsics: Intrinsics,
    private readonly errors: EngineErrorClasses,
  ) {}

  /** Runs code as a sloppy script in the device context. */
  run(code: string, filename: string): unknown {
    return new vm.Script(code, { filename }).runInContext(this.context);
  }

  get objectPrototype(): object {
    return this.intrinsics.ObjectPrototype;
  }

  error(message: string, kind: ErrorKind = "Error"): Error {
    return new this.errors[kind](message);
  }

  array<T>(items: Iterable<T>): T[] {
    const made = new this.intrinsics.Array<T>();
    for (const item of items) made.push(item);
    return made;
  }

  object(properties: Record<string, unknown> = {}): Record<string, unknown> {
    const made = Object.create(this.intrinsics.ObjectPrototype) as Record<string, unknown>;
    return Object.assign(made, properties);
  }

  /** The device's JSON.stringify, with the engine's escaping. */
  stringifyJson(value: unknown): string | undefined {
    return this.intrinsics.JSON.stringify(value) as string | undefined;
  }

  uint8Array(bytes: Uint8Array): Uint8Array {
    const made = new this.intrinsics.Uint8Array(bytes.length);
    made.set(bytes);
    return made;
  }

  arrayBuffer(bytes: Uint8Array): ArrayBuffer {
    return this.uint8Array(bytes).buffer as ArrayBuffer;
  }
}
