// The engine's error classes do not form V8's hierarchy: a TypeError,
// ReferenceError or SyntaxError is not `instanceof Error` (espruino-profile.md,
// "Other measured differences"). Faults the engine raises itself, such as
// reading a property of undefined, are plain Errors there ("Can't read
// property 'x' of undefined"), while V8 raises TypeErrors for them; so a
// TypeError counts as an engine TypeError only when something constructed it
// through the `TypeError` binding, and otherwise as the engine's plain Error.
import { MISSING_STATICS } from "../engine/profile.js";
import { isInstance, shieldConstructor } from "./prototype-view.js";

type ErrorClass = new (message?: string) => Error;

export interface EngineErrorClasses {
  Error: ErrorClass;
  TypeError: ErrorClass;
  ReferenceError: ErrorClass;
  SyntaxError: ErrorClass;
}

/** Rebinds the error constructors of a device global to the engine's hierarchy. */
export function shapeErrorClasses(global: Record<string, unknown>): EngineErrorClasses {
  const real = {
    Error: global.Error as ErrorClass,
    TypeError: global.TypeError as ErrorClass,
    ReferenceError: global.ReferenceError as ErrorClass,
    SyntaxError: global.SyntaxError as ErrorClass,
  };
  const declaredTypeErrors = new WeakSet<object>();
  const isDeclaredTypeError = (value: unknown): boolean =>
    isInstance(value, real.TypeError.prototype) && declaredTypeErrors.has(value as object);

  const isEngineError = (value: unknown): boolean => {
    if (!isInstance(value, real.Error.prototype)) return false;
    if (isInstance(value, real.ReferenceError.prototype) || isInstance(value, real.SyntaxError.prototype)) return false;
    return !isDeclaredTypeError(value);
  };

  const shaped: EngineErrorClasses = {
    Error: shieldConstructor(real.Error, { hidePrototype: false, hasInstance: isEngineError, omit: MISSING_STATICS.Error }),
    TypeError: shieldConstructor(real.TypeError, {
      hidePrototype: false,
      hasInstance: isDeclaredTypeError,
      onConstruct: (made) => {
        if (typeof made === "object" && made !== null) declaredTypeErrors.add(made);
      },
    }),
    ReferenceError: shieldConstructor(real.ReferenceError, { hidePrototype: false }),
    SyntaxError: shieldConstructor(real.SyntaxError, { hidePrototype: false }),
  };
  Object.assign(global, shaped);
  // Node formats stacks with the realm's Error.prepareStackTrace: keep only
  // device frames, as the engine's own trace shows only device code.
  Object.defineProperty(shaped.Error, "prepareStackTrace", {
    value: (error: unknown, frames: NodeJS.CallSite[]) =>
      [String(error), ...frames.filter(isDeviceFrame).map((frame) => `    at ${frame.toString()}`)].join("\n"),
    writable: true,
    configurable: true,
    enumerable: false,
  });
  return shaped;
}

/** Frames of device scripts, named like `.bootcde`; host files have absolute paths or URLs. */
function isDeviceFrame(frame: NodeJS.CallSite): boolean {
  const file = frame.getFileName();
  return file !== undefined && file !== null && !/^(?:\/|node:|file:|[A-Za-z]:\\)/.test(file);
}
