// Small records kept in the engine's Storage (flash): they survive load(),
// reboots and power cuts.

/** A JSON record in Storage. */
export interface StoredRecord<T> {
  /** `undefined` until first written. */
  read(): T | undefined;
  write(value: T): void;
}

/** The record in the Storage file `name` (a closure, which minifies smaller than a class). */
export function storedRecord<T>(name: string): StoredRecord<T> {
  return {
    read: () => require("Storage").readJSON(name, true) as T | undefined,
    write: (value) => {
      require("Storage").writeJSON(name, value);
    },
  };
}

/** A Storage file as a string mapped from flash (no RAM); undefined when absent. */
export function readStored(name: string): string | undefined {
  return require("Storage").read(name);
}
