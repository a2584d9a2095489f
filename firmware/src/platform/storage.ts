// Small records kept in the engine's Storage (flash): they survive load(),
// reboots and power cuts.

/** A JSON record in Storage; `undefined` until first written. */
export class StoredRecord<T> {
  constructor(private readonly name: string) {}

  read(): T | undefined {
    return require("Storage").readJSON(this.name, true) as T | undefined;
  }

  write(value: T): void {
    require("Storage").writeJSON(this.name, value);
  }
}

/** A Storage file as a string mapped from flash (no RAM); undefined when absent. */
export function readStored(name: string): string | undefined {
  return require("Storage").read(name);
}
