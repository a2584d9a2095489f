// A vm context shaped like the engine's global scope: built-ins the engine
// lacks are really absent, prototypes hide their built-in methods, and the
// error classes keep the engine's hierarchy (engine/profile.ts holds the
// measured tables this reads).
import vm from "node:vm";
import {
  HIDDEN_PROTOTYPES,
  MISSING_GLOBALS,
  MISSING_INSTANCE_MEMBERS,
  MISSING_STATICS,
  OBJECT_PROTOTYPE_VISIBLE,
} from "../engine/profile.js";
import { shapeErrorClasses } from "./error-types.js";
import { realPrototype, shieldConstructor, visiblePrototype } from "./prototype-view.js";
import { DeviceRealm, type Intrinsics } from "./realm.js";

export function createEngineContext(): DeviceRealm {
  const context = vm.createContext({}, { name: "device", codeGeneration: { strings: true, wasm: false } });
  const global = vm.runInContext("globalThis", context) as Record<string, unknown>;
  const intrinsics: Intrinsics = {
    Array: global.Array as ArrayConstructor,
    ArrayBuffer: global.ArrayBuffer as ArrayBufferConstructor,
    Uint8Array: global.Uint8Array as Uint8ArrayConstructor,
    JSON: global.JSON as JSON,
    ObjectPrototype: (global.Object as ObjectConstructor).prototype,
  };
  removeMissingMembers(global);
  const errors = shapeErrorClasses(global);
  for (const name of [...HIDDEN_PROTOTYPES, "Object"]) {
    const constructor = global[name];
    if (typeof constructor === "function") global[name] = hideBuiltins(constructor, name);
  }
  removeMissingStatics(global);
  mapPrototypeViews(global.Object as ObjectConstructor);
  escapeJsonOutput(intrinsics.JSON);
  return new DeviceRealm(context, global, intrinsics, errors);
}

/**
 * On the engine `Object.getPrototypeOf([]) === Array.prototype` (measured);
 * here Array.prototype is a view of the real prototype, so the Object
 * functions that hand out or take prototypes translate between the two.
 */
function mapPrototypeViews(object: ObjectConstructor): void {
  const { getPrototypeOf, setPrototypeOf, create } = object;
  Object.defineProperties(object, {
    getPrototypeOf: { value: (target: unknown) => visiblePrototype(getPrototypeOf(target) as object | null) },
    setPrototypeOf: { value: (target: unknown, prototype: unknown) => setPrototypeOf(target, realPrototype(prototype) as object | null) },
    create: {
      value: (prototype: unknown, properties?: PropertyDescriptorMap) => {
        const real = realPrototype(prototype) as object | null;
        return properties === undefined ? create(real) : create(real, properties);
      },
    },
  });
}

/**
 * The engine's JSON.stringify escapes every byte from 0x7F up as `\u00XX`
 * (escapeCharacter in src/jsutils.c; measured: a 0xFF byte comes out as
 * `\u00FF`), so binary strings stay 7-bit in JSON text.
 */
function escapeJsonOutput(json: JSON): void {
  const stringify = json.stringify;
  json.stringify = function (this: JSON, ...args: Parameters<JSON["stringify"]>): string {
    const text: unknown = Reflect.apply(stringify, json, args);
    if (typeof text !== "string") return text as string;
    return text.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
  } as JSON["stringify"];
}

/** The engine-shaped binding of a built-in constructor, also used for the engine's own Promise. */
export function hideBuiltins<T extends Function>(constructor: T, name: string): T {
  return shieldConstructor(constructor, { hidePrototype: true, visible: OBJECT_PROTOTYPE_VISIBLE, omit: MISSING_STATICS[name] });
}

/** Removes the globals and the instance members the engine lacks. */
function removeMissingMembers(global: Record<string, unknown>): void {
  for (const name of MISSING_GLOBALS) Reflect.deleteProperty(global, name);
  for (const [owner, names] of Object.entries(MISSING_INSTANCE_MEMBERS)) {
    const prototype = prototypeOf(global, owner);
    if (prototype) for (const name of names) Reflect.deleteProperty(prototype, name);
  }
}

/**
 * Removes the static members the engine lacks from what the globals now
 * name. Stand-ins were made without them; from the rest (Math, Date) they
 * are deleted.
 */
export function removeMissingStatics(global: Record<string, unknown>): void {
  for (const [owner, names] of Object.entries(MISSING_STATICS)) {
    const target = global[owner];
    if ((typeof target === "object" && target !== null) || typeof target === "function") {
      for (const name of names) Reflect.deleteProperty(target, name);
    }
  }
}

function prototypeOf(global: Record<string, unknown>, owner: string): Record<string, unknown> | undefined {
  if (owner === "TypedArray") {
    return Object.getPrototypeOf((global.Uint8Array as Uint8ArrayConstructor).prototype) as Record<string, unknown>;
  }
  const constructor = global[owner];
  return typeof constructor === "function" ? (constructor.prototype as Record<string, unknown>) : undefined;
}
