// One client socket as the engine runs it (libs/network/socketserver.c,
// socketClientConnectionsIdle): output waits in RAM and leaves at most one
// 536-byte chunk per idle pass; each pass first sends, then reads; closing
// reports error (if any), then end, then close(hadError).
import { SOCKET_BYTES_PER_PASS, SOCKET_ERRORS } from "../../engine/profile.js";
import { connectFailure, socketError, type SocketErrorDetails } from "./engine-errors.js";
import { EngineSocket } from "./engine-socket.js";
import { EventListeners, type Listener } from "./event-listeners.js";
import type { NetworkStack } from "./network-stack.js";
import type { Transport, TransportTarget } from "./transport.js";

export type SocketKind = "net" | "tls";

/** What the host can see of one socket (for tests and the emulator's reports). */
export interface SocketReport {
  kind: SocketKind;
  host: string;
  port: number;
  state: "connecting" | "open" | "closing" | "closed";
  /** Bytes written by the device and not yet handed to the network. */
  unsentBytes: number;
  bytesWritten: number;
  chunksWritten: number;
  largestChunk: number;
  bytesReceived: number;
}

export class Connection {
  readonly listeners = new EventListeners();
  readonly socket: EngineSocket;
  private unsent = "";
  private inFlight = false;
  private drainDue = false;
  /** end() was called: close once everything is sent (the engine's "cls"). */
  private closing = false;
  /** Close on the next pass whatever is pending (the engine's "clsNow"). */
  private closeNow = false;
  private announced = false;
  private closed = false;
  /** Received while nobody listened for `data`; handed over when someone does. */
  private held = "";
  /** The callback given to connect(), stored apart from `on("connect")` listeners. */
  private connectCallback: Listener | undefined;
  private readonly counters = { bytesWritten: 0, chunksWritten: 0, largestChunk: 0, bytesReceived: 0 };

  constructor(
    private readonly stack: NetworkStack,
    readonly kind: SocketKind,
    readonly target: TransportTarget,
    private readonly transport: Transport,
    /** Gives back what the connection holds (a TLS session's variables). */
    private readonly release: () => void,
    connectCallback: Listener | undefined,
  ) {
    this.socket = new EngineSocket(this);
    this.connectCallback = connectCallback;
    if (connectCallback) this.listeners.add("connect", connectCallback, false);
  }

  get unsentBytes(): number {
    return this.unsent.length;
  }

  write(data: unknown): void {
    if (this.closing || this.closeNow || this.closed) throw new Error("This socket is closed");
    if (data === undefined) return;
    const bytes = binaryString(data);
    this.stack.reserveUnsent(bytes.length);
    this.unsent += bytes;
    this.stack.wake();
  }

  end(data: unknown): void {
    if (this.closed) return;
    if (data !== undefined) this.write(data);
    if (this.unsent === "" && !this.inFlight) this.closeNow = true;
    this.closing = true;
    this.stack.wake();
  }

  /**
   * Engine bug (docs/engine.md, "Sockets"): the engine keeps connect()'s
   * callback as a bare function, and adding a `connect` listener to it loses
   * the callback and prints `Uncaught undefined` (the debug build asserts).
   */
  connectListenerAdding(): void {
    if (!this.connectCallback) return;
    this.listeners.remove("connect", this.connectCallback);
    this.connectCallback = undefined;
    this.stack.reportUncaught(undefined);
  }

  emitLater(event: string, args: unknown[]): void {
    this.stack.enqueue(this.listeners.snapshot(event), this.socket, args);
    this.stack.wake();
  }

  dataListenerAdded(): void {
    if (this.held === "") return;
    this.stack.enqueue(this.listeners.snapshot("data"), this.socket, [this.held]);
    this.held = "";
    this.stack.wake();
  }

  /** One idle pass; true when the connection has work for another pass at once. */
  idle(): boolean {
    if (this.closed) return false;
    if (this.closeNow) return this.finish(undefined);
    if (this.unsent !== "" && !this.inFlight && this.transport.ready) this.sendChunk();
    else if (this.closing && this.unsent === "" && !this.inFlight) return this.finish(undefined);
    if (this.drainDue && !this.inFlight) {
      this.drainDue = false;
      if (!this.closing) this.stack.enqueue(this.listeners.snapshot("drain"), this.socket, [this.socket]);
    }
    if (!this.announced && this.transport.connected) this.announce();
    const data = this.transport.take(SOCKET_BYTES_PER_PASS);
    if (data !== undefined) {
      this.deliver(data);
      // The engine notices a closed peer on the pass after the last data.
      return this.transport.hasInbound || this.transport.peerEnded || this.transport.failure !== undefined;
    }
    if (this.transport.failure || this.transport.peerEnded) return this.fail();
    return false;
  }

  /** Ends the connection silently: the boot is over, nothing is delivered. */
  drop(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.destroy();
    this.release();
  }

  report(): SocketReport {
    let state: SocketReport["state"] = this.announced ? "open" : "connecting";
    if (this.closing) state = "closing";
    if (this.closed) state = "closed";
    return { kind: this.kind, ...this.target, state, unsentBytes: this.unsent.length, ...this.counters };
  }

  private sendChunk(): void {
    const chunk = this.unsent.slice(0, SOCKET_BYTES_PER_PASS);
    this.unsent = this.unsent.slice(chunk.length);
    this.inFlight = true;
    this.counters.chunksWritten += 1;
    this.counters.largestChunk = Math.max(this.counters.largestChunk, chunk.length);
    this.transport.send(chunk, (error) => {
      this.inFlight = false;
      if (error) {
        // The engine cuts sent bytes off its buffer only once send() took
        // them: a chunk that failed is still unsent.
        this.unsent = chunk + this.unsent;
      } else {
        this.counters.bytesWritten += chunk.length;
        if (this.unsent === "") this.drainDue = true;
      }
      this.stack.wake();
    });
  }

  /**
   * The engine reports `connect` on its first pass over a connected socket,
   * for TLS before the handshake is done, and `drain` with it when nothing
   * is waiting to be sent. Both get the socket as their argument.
   */
  private announce(): void {
    this.announced = true;
    this.stack.enqueue(this.listeners.snapshot("connect"), this.socket, [this.socket]);
    if (this.unsent === "" && !this.inFlight) {
      this.stack.enqueue(this.listeners.snapshot("drain"), this.socket, [this.socket]);
    }
  }

  /** Received data goes to the listeners at once, ahead of queued events, as in the engine. */
  private deliver(data: string): void {
    this.counters.bytesReceived += data.length;
    const listeners = this.listeners.snapshot("data");
    if (listeners.length === 0) this.held += data;
    else this.stack.deliver(listeners, this.socket, [data]);
  }

  private fail(): boolean {
    const failure = this.transport.failure;
    if (failure?.phase === "connect") return this.finish(connectFailure(failure.code));
    // A failed handshake raises an exception in the engine's idle loop that
    // reaches the console as `Uncaught undefined` (measured; docs/engine.md).
    if (this.transport.handshakeFailed) this.stack.reportUncaught(undefined);
    // The engine sees a closed or reset socket as "connection closed", which
    // is no error unless output was still waiting.
    return this.finish(this.unsent === "" ? undefined : socketError(SOCKET_ERRORS.unsentData));
  }

  private finish(error: SocketErrorDetails | undefined): false {
    this.drop();
    this.stack.closed(this);
    if (error) this.stack.enqueue(this.listeners.snapshot("error"), this.socket, [error]);
    this.stack.enqueue(this.listeners.snapshot("end"), this.socket, []);
    this.stack.enqueue(this.listeners.snapshot("close"), this.socket, [error !== undefined]);
    return false;
  }
}

/**
 * The engine sends `String(data)`: arrays and typed arrays as "1,2,3", as its
 * jsvAsString does. Its strings hold bytes; a character above 255 cannot
 * exist there, so it is a bug in the device code.
 */
function binaryString(data: unknown): string {
  const text = String(data);
  for (let i = 0; i < text.length; i += 1) {
    if (text.charCodeAt(i) > 0xff) {
      throw new TypeError(
        `socket.write got character code ${text.charCodeAt(i)} at index ${i}: engine strings hold bytes (0-255); encode text to bytes first`,
      );
    }
  }
  return text;
}
