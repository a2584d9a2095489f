// The sockets of one boot and the engine's idle loop that drives them. One
// pass is one turn of the host event loop (a setImmediate), run only while
// some socket has work; Node events wake it, nothing polls. Events a pass
// queues reach device code through runtime.dispatch at the end of the pass,
// as the engine runs its event queue after its idle work.
import type { DeviceRuntime } from "../runtime.js";
import type { Connection, SocketReport } from "./connection.js";
import type { EngineSocket } from "./engine-socket.js";
import type { Listener } from "./event-listeners.js";

/** Host-side view of a device's sockets, for tests and diagnostics. */
export interface SocketMonitor {
  /** Idle passes run so far. */
  readonly passes: number;
  /** The sockets not closed yet. */
  open(): SocketReport[];
  /** Output written and not yet sent, summed over the open sockets. */
  unsentBytes(): number;
  /** Any socket these modules created, open or closed. */
  describe(socket: unknown): SocketReport | undefined;
}

interface QueuedEvent {
  listeners: readonly Listener[];
  target: EngineSocket;
  args: unknown[];
}

export class NetworkStack implements SocketMonitor {
  private readonly connections = new Set<Connection>();
  private readonly bySocket = new WeakMap<object, Connection>();
  private queue: QueuedEvent[] = [];
  private scheduled = false;
  private stopped = false;
  private passCount = 0;

  constructor(private readonly runtime: DeviceRuntime) {
    runtime.onStop(() => this.stop());
  }

  get passes(): number {
    return this.passCount;
  }

  add(connection: Connection): void {
    this.connections.add(connection);
    this.bySocket.set(connection.socket, connection);
    this.wake();
  }

  closed(connection: Connection): void {
    this.connections.delete(connection);
  }

  wake(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => this.pass());
  }

  /**
   * Unsent output lives in the engine's variables: past the budget the
   * engine runs out of memory (profile, "Memory").
   */
  reserveUnsent(bytes: number): void {
    const total = this.unsentBytes() + bytes;
    if (total <= this.runtime.socketBufferBudget) return;
    this.runtime.outOfMemory(
      `socket output: writing ${bytes} more bytes would leave ${total} bytes unsent, over the ` +
        `${this.runtime.socketBufferBudget}-byte budget; write the next chunk on 'drain'`,
    );
  }

  /** Queues an event for the end of the current (or next) pass. */
  enqueue(listeners: readonly Listener[], target: EngineSocket, args: unknown[]): void {
    if (listeners.length === 0) return;
    this.queue.push({ listeners, target, args });
  }

  /** Runs listeners now; an exception skips the rest, as in the engine. */
  deliver(listeners: readonly Listener[], target: EngineSocket, args: unknown[]): void {
    this.runtime.dispatch(() => {
      for (const listener of listeners) listener.apply(target, args);
    });
  }

  /** An exception the engine raises outside any device call: shown as uncaught. */
  reportUncaught(thrown: unknown): void {
    this.runtime.dispatch(() => {
      throw thrown;
    });
  }

  open(): SocketReport[] {
    return [...this.connections].map((connection) => connection.report());
  }

  unsentBytes(): number {
    let total = 0;
    for (const connection of this.connections) total += connection.unsentBytes;
    return total;
  }

  describe(socket: unknown): SocketReport | undefined {
    if (typeof socket !== "object" || socket === null) return undefined;
    return this.bySocket.get(socket)?.report();
  }

  private pass(): void {
    this.scheduled = false;
    if (this.stopped || this.runtime.stopped) return;
    this.passCount += 1;
    let again = false;
    for (const connection of [...this.connections]) {
      if (connection.idle()) again = true;
    }
    const events = this.queue;
    this.queue = [];
    for (const event of events) this.deliver(event.listeners, event.target, event.args);
    if (again || this.queue.length > 0) this.wake();
  }

  /** A power cut or reboot: every socket goes at once, nothing more is delivered. */
  private stop(): void {
    this.stopped = true;
    this.queue = [];
    for (const connection of this.connections) connection.drop();
    this.connections.clear();
  }
}
