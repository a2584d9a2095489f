// The engine's `require`: a module is made once per boot; names that are
// not built in are looked up as Storage files and run as modules, with
// `module` and `exports` in scope (jswrap_require in src/jswrap_modules.c).
// Anything else throws `Module "name" not found`.
import { MAX_STORAGE_NAME_LENGTH } from "../engine/profile.js";
import { quote } from "./console-format.js";
import type { EngineScope } from "./engine-scope.js";
import type { StorageArea } from "./storage.js";

export type ModuleFactory = () => unknown;

export function createRequire(
  builtins: Readonly<Record<string, ModuleFactory>>,
  flash: () => StorageArea,
  scope: EngineScope,
): (name: unknown) => unknown {
  const made = new Map<string, unknown>();
  const fromStorage = (name: string): unknown => {
    if (name.length > MAX_STORAGE_NAME_LENGTH) return undefined;
    const code = flash().read(name);
    if (code === undefined) return undefined;
    const module = scope.realm.object({ exports: scope.realm.object() });
    const body = scope.realm.run(`(function (module, exports) {${code}\n})`, name) as (module: unknown, exports: unknown) => void;
    body(module, module.exports);
    return module.exports;
  };
  return (name: unknown) => {
    const id = String(name);
    if (made.has(id)) return made.get(id);
    const exported = Object.hasOwn(builtins, id) ? builtins[id]!() : fromStorage(id);
    if (exported === undefined) throw scope.realm.error(`Module ${quote(id)} not found`);
    made.set(id, exported);
    return exported;
  };
}
