// The socket object device code holds, with the engine's methods and nothing
// else: the listener calls every engine object has, write and end. There is
// no destroy() and no setTimeout() on the engine (profile, "Sockets").
import { checkListenerArguments } from "./event-listeners.js";
import type { Connection } from "./connection.js";

export class EngineSocket {
  readonly #connection: Connection;

  constructor(connection: Connection) {
    this.#connection = connection;
  }

  /** Returns undefined, as the engine's `on` does: calls cannot be chained. */
  on(event: unknown, listener: unknown): void {
    this.#listen(event, listener, false);
  }

  addListener(event: unknown, listener: unknown): void {
    this.#listen(event, listener, false);
  }

  prependListener(event: unknown, listener: unknown): void {
    this.#listen(event, listener, true);
  }

  removeListener(event: unknown, listener: unknown): void {
    checkListenerArguments(event, listener);
    this.#connection.listeners.remove(event as string, listener);
  }

  removeAllListeners(event?: unknown): void {
    this.#connection.listeners.removeAll(event === undefined ? undefined : String(event));
  }

  /** Queues the event, as the engine's `emit` does: listeners run after the current code. */
  emit(event: unknown, ...args: unknown[]): void {
    if (typeof event !== "string") throw new TypeError("First argument must be String");
    this.#connection.emitLater(event, args);
  }

  /** Always false: the data waits in RAM until sent; wait for `drain`. */
  write(data?: unknown): boolean {
    this.#connection.write(data);
    return false;
  }

  /** Sends what is buffered (and `data`, if given), then closes. */
  end(data?: unknown): void {
    this.#connection.end(data);
  }

  #listen(event: unknown, listener: unknown, first: boolean): void {
    checkListenerArguments(event, listener);
    if (event === "connect") this.#connection.connectListenerAdding();
    this.#connection.listeners.add(event as string, listener, first);
    if (event === "data") this.#connection.dataListenerAdded();
  }
}
