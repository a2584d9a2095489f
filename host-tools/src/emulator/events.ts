// Every object on the engine is an event emitter: `on`, `addListener`,
// `prependListener`, `emit`, `removeListener` and `removeAllListeners` live
// on Object.prototype (src/jswrap_object.c). `emit` queues the listeners as
// one event instead of calling them at once; the boot sequence calls
// `E.on('init')` listeners directly.

type Listener = (...args: unknown[]) => unknown;

export interface EventHost {
  /** Runs a job after the current task, as an engine callback. */
  enqueue(job: () => void): void;
  /** A TypeError in the device's realm with the engine's text. */
  typeError(message: string): Error;
}

export class EngineEvents {
  private readonly listeners = new WeakMap<object, Map<string, Listener[]>>();

  constructor(private readonly host: EventHost) {}

  /** The listeners an event emitted now would call, in order. */
  listenersOf(target: object, event: string): Listener[] {
    return [...(this.listeners.get(target)?.get(event) ?? [])];
  }

  /** Calls the listeners at once, as the engine does for `E`'s `init` event. */
  emitNow(target: object, event: string, args: unknown[] = []): void {
    for (const listener of this.listenersOf(target, event)) listener.apply(target, args);
  }

  /** Installs the emitter methods on the device's Object.prototype. */
  install(objectPrototype: object): void {
    const events = this;
    const methods: Record<string, (this: unknown, ...args: unknown[]) => unknown> = {
      on(event, listener) {
        events.add(this, event, listener, false);
      },
      addListener(event, listener) {
        events.add(this, event, listener, false);
      },
      prependListener(event, listener) {
        events.add(this, event, listener, true);
      },
      emit(event, ...args) {
        const target = events.targetOf(this);
        if (typeof event !== "string") throw events.host.typeError("First argument must be String");
        const listeners = events.listenersOf(target, event);
        if (listeners.length === 0) return;
        events.host.enqueue(() => {
          for (const listener of listeners) listener.apply(target, args);
        });
      },
      removeListener(event, listener) {
        const target = events.targetOf(this);
        if (typeof event !== "string") throw events.host.typeError("First argument must be String");
        const list = events.listeners.get(target)?.get(event);
        const index = list ? list.indexOf(listener as Listener) : -1;
        if (list && index >= 0) list.splice(index, 1);
      },
      removeAllListeners(event) {
        const target = events.targetOf(this);
        if (event !== undefined && typeof event !== "string") {
          throw events.host.typeError("First argument must be String or undefined");
        }
        if (event === undefined) events.listeners.delete(target);
        else events.listeners.get(target)?.delete(event);
      },
    };
    for (const [name, method] of Object.entries(methods)) {
      Object.defineProperty(objectPrototype, name, { value: method, writable: true, configurable: true, enumerable: false });
    }
  }

  private add(self: unknown, event: unknown, listener: unknown, first: boolean): void {
    const target = this.targetOf(self);
    if (typeof event !== "string") throw this.host.typeError("First argument must be String");
    if (typeof listener !== "function") throw this.host.typeError("Second argument must be a function or a String");
    let byEvent = this.listeners.get(target);
    if (!byEvent) this.listeners.set(target, (byEvent = new Map()));
    const list = byEvent.get(event) ?? [];
    if (first) list.unshift(listener as Listener);
    else list.push(listener as Listener);
    byEvent.set(event, list);
  }

  private targetOf(self: unknown): object {
    if ((typeof self !== "object" || self === null) && typeof self !== "function") {
      throw this.host.typeError("Parent must be an object - not a String, Integer, etc");
    }
    return self;
  }
}
