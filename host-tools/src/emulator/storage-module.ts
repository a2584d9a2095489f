// `require("Storage")` on the engine (src/jswrap_storage.c) over the board's
// Storage area. A name longer than 28 chars is cut to its first 28 without
// any error (jsfNameFromVar copies into a fixed 28-byte field), so two long
// names sharing a prefix are the same file: measured on 2v29.
import { MAX_STORAGE_NAME_LENGTH } from "../engine/profile.js";
import { binaryOf } from "./binary.js";
import { parseLiberal, stringifyForStorage } from "./engine-json.js";
import type { EngineScope } from "./engine-scope.js";
import type { StorageArea } from "./storage.js";

export function storageName(name: unknown): string {
  return String(name).slice(0, MAX_STORAGE_NAME_LENGTH);
}

function integer(value: unknown): number {
  const n = Math.trunc(Number(value));
  return Number.isFinite(n) ? n : 0;
}

/** @param flash the board's Storage area, looked up on each call */
export function createStorageModule(flash: () => StorageArea, scope: EngineScope): Record<string, unknown> {
  const { realm } = scope;
  const readJSON = (name: unknown, noExceptions: unknown): unknown => {
    const text = flash().read(storageName(name));
    if (text === undefined) return undefined;
    try {
      return parseLiberal(text, {
        object: () => realm.object(),
        array: (items) => realm.array(items),
        syntaxError: (message) => realm.error(message, "SyntaxError"),
      });
    } catch (error) {
      if (noExceptions) return undefined;
      throw error;
    }
  };
  const functions: Record<string, (...args: never[]) => unknown> = {
    read: (name: unknown, offset: unknown, length: unknown) => flash().read(storageName(name), integer(offset), integer(length)),
    readJSON,
    readArrayBuffer: (name: unknown) => {
      const text = flash().read(storageName(name));
      return text === undefined ? undefined : realm.arrayBuffer(Buffer.from(text, "latin1"));
    },
    // An object (not an array) is written as JSON, always as a whole new file.
    write: (name: unknown, data: unknown, offset: unknown, size: unknown) => {
      if (typeof data === "object" && data !== null && !Array.isArray(data) && !ArrayBuffer.isView(data) && !isBuffer(data)) {
        return flash().write(storageName(name), realm.stringifyJson(data) ?? "", 0, 0);
      }
      return flash().write(storageName(name), binaryOf(data ?? ""), integer(offset), integer(size));
    },
    writeJSON: (name: unknown, data: unknown) => flash().write(storageName(name), stringifyForStorage(data), 0, 0),
    list: (pattern: unknown) => {
      const names = flash().list();
      const matching = pattern === undefined ? names : names.filter((name) => String.prototype.match.call(name, pattern as RegExp) !== null);
      return realm.array(matching);
    },
    erase: (name: unknown) => {
      flash().erase(storageName(name));
    },
    eraseAll: () => flash().eraseAll(),
    getFree: () => flash().getFree(),
    getStats: () => realm.object({ ...flash().getStats() }),
    compact: () => {
      flash().compact();
    },
  };
  const storage = realm.object();
  for (const [name, fn] of Object.entries(functions)) storage[name] = scope.guard(fn as (...args: unknown[]) => unknown);
  return storage;
}

function isBuffer(value: unknown): boolean {
  return Object.prototype.toString.call(value) === "[object ArrayBuffer]";
}
