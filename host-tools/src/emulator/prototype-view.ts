// The engine finds built-in methods through the value's type, not through
// the prototype object: `Array.prototype.slice` is undefined there while
// `[].slice` works, and polyfills assigned to `Array.prototype` do attach
// (espruino-profile.md, HIDDEN_PROTOTYPES). A shielded constructor shows
// such a view of its prototype; the real prototype stays behind it, so
// instances keep every method and see what device code adds.

export interface ShieldOptions {
  /** Hide the built-in members of the prototype (and its chain) from reads through it. */
  hidePrototype: boolean;
  /** Members of Object.prototype, at the root of every chain, that stay readable through the view. */
  visible?: readonly string[];
  /** What `x instanceof Constructor` answers; default: the ordinary test against the real prototype. */
  hasInstance?: (value: unknown) => boolean;
  /** Called with each object the constructor makes, by `new` or by a plain call. */
  onConstruct?: (made: unknown) => void;
  /** Static members the engine lacks: the stand-in does not carry them. */
  omit?: readonly string[];
}

interface BuiltinMember {
  owner: object;
  descriptor: PropertyDescriptor;
}

/**
 * A stand-in for a built-in constructor. A Proxy cannot serve: V8 makes a
 * built-in's `prototype` permanent, and a proxy must report it unchanged.
 * The stand-in is a function that constructs and calls through to the real
 * one, carries its static members, and has the view as its `prototype`.
 */
export function shieldConstructor<T extends Function>(target: T, options: ShieldOptions): T {
  const prototype = target.prototype as object;
  const builtins = options.hidePrototype ? snapshotBuiltins(prototype, options.visible ?? []) : new Map<string, BuiltinMember>();
  const hasInstance = options.hasInstance ?? ((value: unknown) => isInstance(value, prototype));

  const shield = function (this: unknown, ...args: unknown[]): unknown {
    const made: unknown = new.target
      ? Reflect.construct(target, args, new.target === shield ? target : new.target)
      : Reflect.apply(target, this, args);
    options.onConstruct?.(made);
    return made;
  };
  const view = options.hidePrototype
    ? new Proxy(prototype, {
        get(real, key, receiver) {
          if (typeof key === "string" && builtins.has(key) && isUntouched(real, key, builtins.get(key)!)) return undefined;
          if (key === "constructor") return shield;
          return Reflect.get(real, key, receiver === view ? real : receiver);
        },
      })
    : prototype;

  for (const key of Reflect.ownKeys(target)) {
    if (key === "prototype" || (typeof key === "string" && options.omit?.includes(key))) continue;
    Object.defineProperty(shield, key, Object.getOwnPropertyDescriptor(target, key)!);
  }
  Object.defineProperty(shield, "prototype", { value: view, writable: false, enumerable: false, configurable: false });
  Object.defineProperty(shield, Symbol.hasInstance, { value: hasInstance, writable: false, enumerable: false, configurable: true });
  // Statics inherited by the built-in (Uint8Array.from from %TypedArray%) and call/apply/bind come from its realm.
  Object.setPrototypeOf(shield, Object.getPrototypeOf(target) as object);
  if (view !== prototype) {
    viewsByPrototype.set(prototype, view);
    prototypesByView.set(view, prototype);
  } else {
    // A plain class on the engine: `new Error().constructor === Error`. For the
    // hidden ones the engine answers false (`[].constructor === Array`, measured).
    Object.defineProperty(prototype, "constructor", { value: shield, writable: true, configurable: true, enumerable: false });
  }
  return shield as unknown as T;
}

const viewsByPrototype = new WeakMap<object, object>();
const prototypesByView = new WeakMap<object, object>();

/** What device code sees for a prototype: its view when it has one. */
export function visiblePrototype(prototype: object | null): object | null {
  return prototype === null ? null : (viewsByPrototype.get(prototype) ?? prototype);
}

/** The real prototype behind a view, so objects never inherit through a view. */
export function realPrototype(prototype: unknown): unknown {
  return typeof prototype === "object" && prototype !== null ? (prototypesByView.get(prototype) ?? prototype) : prototype;
}

/** Whether `prototype` is on the value's prototype chain. */
export function isInstance(value: unknown, prototype: object): boolean {
  if ((typeof value !== "object" || value === null) && typeof value !== "function") return false;
  for (let p = Object.getPrototypeOf(value) as object | null; p; p = Object.getPrototypeOf(p) as object | null) {
    if (p === prototype) return true;
  }
  return false;
}

/** Every built-in member reachable from the prototype, by name, except the visible ones of the root. */
function snapshotBuiltins(prototype: object, visible: readonly string[]): Map<string, BuiltinMember> {
  const builtins = new Map<string, BuiltinMember>();
  for (let owner: object | null = prototype; owner; owner = Object.getPrototypeOf(owner) as object | null) {
    const isRoot = Object.getPrototypeOf(owner) === null;
    for (const name of Object.getOwnPropertyNames(owner)) {
      if (name === "constructor" || builtins.has(name) || (isRoot && visible.includes(name))) continue;
      builtins.set(name, { owner, descriptor: Object.getOwnPropertyDescriptor(owner, name)! });
    }
  }
  return builtins;
}

/** True while the member the chain resolves for `key` is still the built-in one. */
function isUntouched(prototype: object, key: string, builtin: BuiltinMember): boolean {
  for (let p: object | null = prototype; p; p = Object.getPrototypeOf(p) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(p, key);
    if (!descriptor) continue;
    if (p !== builtin.owner) return false;
    return descriptor.value === builtin.descriptor.value && descriptor.get === builtin.descriptor.get;
  }
  return false;
}
