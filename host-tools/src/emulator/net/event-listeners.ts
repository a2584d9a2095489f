// The engine's event listeners for one object (Object.prototype.on and
// friends in jswrap_object.c): adding a listener builds a new list, so a
// queued event calls the listeners that existed when it was queued.

export type Listener = (...args: unknown[]) => unknown;

export class EventListeners {
  private readonly byEvent = new Map<string, readonly Listener[]>();

  add(event: string, listener: Listener, first: boolean): void {
    const current = this.byEvent.get(event) ?? [];
    this.byEvent.set(event, first ? [listener, ...current] : [...current, listener]);
  }

  remove(event: string, listener: Listener): void {
    const current = this.byEvent.get(event);
    if (!current) return;
    const index = current.indexOf(listener);
    if (index < 0) return;
    const rest = current.filter((_, i) => i !== index);
    if (rest.length > 0) this.byEvent.set(event, rest);
    else this.byEvent.delete(event);
  }

  removeAll(event?: string): void {
    if (event === undefined) this.byEvent.clear();
    else this.byEvent.delete(event);
  }

  /** The listeners an event queued now would call. */
  snapshot(event: string): readonly Listener[] {
    return this.byEvent.get(event) ?? [];
  }
}

/** Throws the engine's TypeError for a bad `on()` call. */
export function checkListenerArguments(event: unknown, listener: unknown): asserts listener is Listener {
  if (typeof event !== "string") throw new TypeError("First argument must be String");
  if (typeof listener === "string") {
    throw new TypeError("A string listener is code the engine would evaluate; the emulator takes functions only");
  }
  if (typeof listener !== "function") throw new TypeError("Second argument must be a function or a String");
}
