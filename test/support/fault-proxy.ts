/**
 * A TCP proxy between a client under test and a real peer, with faults on
 * demand: it forwards both ways and can delay or drop bytes in either
 * direction, cut a link once some more bytes have passed, cut every link
 * now, and record what passed. TLS goes through it untouched (it never looks
 * inside the bytes), so faults hit TLS sessions as a bad network would.
 *
 * "up" is client to peer, "down" is peer to client. Faults apply to the open
 * links and to every link accepted later, until changed. When the peer
 * cannot be reached, the proxy closes the client's connection at once, as a
 * proxy in front of a dead server would.
 */
import { EventEmitter } from "node:events";
import net from "node:net";
import { listenOnLoopback } from "./ports.js";

export type Direction = "up" | "down";

export interface DirectionFaults {
  /** Holds every chunk this long before forwarding it; order is kept. */
  delayMs?: number;
  /** Discards the bytes instead of forwarding them. */
  drop?: boolean;
  /** Forwards this many more bytes, then cuts the link. */
  cutAfterBytes?: number;
}

export interface ProxyTarget {
  host: string;
  port: number;
}

export interface FaultProxyOptions {
  /** Where links go; can be changed later with `retarget`. */
  target: ProxyTarget;
  /** Keep every forwarded chunk in `link.recorded`. */
  record?: boolean;
}

export class ProxyLink {
  /** Bytes forwarded so far, per direction. */
  readonly forwarded: Record<Direction, number> = { up: 0, down: 0 };
  /** Bytes dropped by a fault, per direction. */
  readonly dropped: Record<Direction, number> = { up: 0, down: 0 };
  /** What was forwarded, in order, when the proxy records. */
  readonly recorded: Record<Direction, Buffer[]> = { up: [], down: [] };
  /** Resolves once both sockets are closed. */
  readonly closed: Promise<void>;
  private readonly budget: Record<Direction, number | undefined> = { up: undefined, down: undefined };
  private readonly queues: Record<Direction, { chunk: Buffer; due: number }[]> = { up: [], down: [] };
  private readonly timers: Record<Direction, NodeJS.Timeout | undefined> = { up: undefined, down: undefined };
  private readonly ended: Record<Direction, boolean> = { up: false, down: false };
  private upstream: net.Socket | undefined;
  /** The byte budget ran out: the allowed bytes are leaving, then the link is cut. */
  private cutting = false;
  private closedSockets = 0;
  private isClosed = false;
  private markClosed!: () => void;

  constructor(
    readonly id: number,
    private readonly client: net.Socket,
    private readonly proxy: FaultProxy,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    client.setNoDelay(true);
    this.watch(client, "up");
    for (const direction of ["up", "down"] as const) this.applyBudget(direction);
  }

  get open(): boolean {
    return !this.isClosed;
  }

  /** Everything recorded in one direction, as one buffer. */
  bytes(direction: Direction): Buffer {
    return Buffer.concat(this.recorded[direction]);
  }

  /** Closes both sockets now; bytes still held are lost. */
  cut(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const direction of ["up", "down"] as const) {
      clearTimeout(this.timers[direction]);
      this.queues[direction] = [];
    }
    this.client.destroy();
    this.upstream?.destroy();
    this.proxy.linkClosed(this);
    this.markClosed();
  }

  connectUpstream(target: ProxyTarget): void {
    const upstream = net.connect({ host: target.host, port: target.port });
    this.upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on("connect", () => this.pump("up"));
    this.watch(upstream, "down");
  }

  /** Called by the proxy when the faults of a direction change. */
  applyBudget(direction: Direction): void {
    this.budget[direction] = this.proxy.faultsOf(direction).cutAfterBytes;
  }

  /**
   * A socket's FIN is passed on once the bytes before it are; the link is
   * closed when both sockets are, or at once on an error.
   */
  private watch(socket: net.Socket, sending: Direction): void {
    socket.on("data", (chunk: Buffer) => this.receive(sending, chunk));
    socket.on("end", () => this.sourceEnded(sending));
    socket.on("error", () => this.cut());
    socket.on("close", (hadError) => {
      this.closedSockets += 1;
      if (hadError || this.closedSockets === 2) this.cut();
      else this.sourceEnded(sending);
    });
  }

  private receive(direction: Direction, chunk: Buffer): void {
    if (this.isClosed || this.cutting) return;
    const faults = this.proxy.faultsOf(direction);
    if (faults.drop) {
      this.dropped[direction] += chunk.length;
      return;
    }
    this.queues[direction].push({ chunk, due: Date.now() + (faults.delayMs ?? 0) });
    this.pump(direction);
  }

  private pump(direction: Direction): void {
    const destination = direction === "up" ? this.upstream : this.client;
    if (this.isClosed || this.cutting || !destination || destination.connecting) return;
    clearTimeout(this.timers[direction]);
    this.timers[direction] = undefined;
    const queue = this.queues[direction];
    while (queue.length > 0) {
      const wait = queue[0]!.due - Date.now();
      if (wait > 0) {
        this.timers[direction] = setTimeout(() => this.pump(direction), wait);
        return;
      }
      if (!this.forward(direction, destination, queue.shift()!.chunk)) return;
    }
    if (this.ended[direction] && !destination.writableEnded) destination.end();
  }

  /** Writes a chunk, or the part of it the byte budget allows; false once the link is cut. */
  private forward(direction: Direction, destination: net.Socket, chunk: Buffer): boolean {
    const budget = this.budget[direction];
    const part = budget === undefined ? chunk : chunk.subarray(0, budget);
    destination.write(part);
    this.forwarded[direction] += part.length;
    if (this.proxy.recording) this.recorded[direction].push(Buffer.from(part));
    if (budget === undefined) return true;
    this.budget[direction] = budget - part.length;
    if (budget - part.length > 0) return true;
    // The allowed bytes leave first, then the link is cut.
    this.cutting = true;
    if (destination.writableLength === 0) this.cut();
    else destination.once("drain", () => this.cut());
    return false;
  }

  private sourceEnded(direction: Direction): void {
    this.ended[direction] = true;
    this.pump(direction);
  }
}

/** Events: "link"(ProxyLink) when a client connects. */
export class FaultProxy extends EventEmitter {
  /** Every link ever accepted, in order. */
  readonly links: ProxyLink[] = [];
  /** When each link was accepted (Date.now()), in order. */
  readonly acceptedAt: number[] = [];
  private readonly faults: Record<Direction, DirectionFaults> = { up: {}, down: {} };
  private readonly openLinks = new Set<ProxyLink>();
  private currentTarget: ProxyTarget;

  private constructor(
    private readonly server: net.Server,
    options: FaultProxyOptions,
    readonly recording: boolean,
  ) {
    super();
    this.currentTarget = options.target;
    server.on("connection", (socket) => this.accept(socket));
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = net.createServer();
    const proxy = new FaultProxy(server, options, options.record ?? false);
    await listenOnLoopback(server);
    return proxy;
  }

  /** The proxy's own port on 127.0.0.1. */
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get target(): ProxyTarget {
    return this.currentTarget;
  }

  /** Links that are still open. */
  get open(): ProxyLink[] {
    return [...this.openLinks];
  }

  /** Sends later links to another peer (a restarted server on a new port). */
  retarget(target: ProxyTarget): void {
    this.currentTarget = target;
  }

  /** Replaces the faults of one direction; `{}` clears them. */
  setFaults(direction: Direction, faults: DirectionFaults): void {
    this.faults[direction] = { ...faults };
    for (const link of this.openLinks) link.applyBudget(direction);
  }

  clearFaults(): void {
    this.setFaults("up", {});
    this.setFaults("down", {});
  }

  faultsOf(direction: Direction): DirectionFaults {
    return this.faults[direction];
  }

  /** Cuts every open link now (both sockets closed, no goodbye on either side). */
  cutAll(): void {
    for (const link of [...this.openLinks]) link.cut();
  }

  /** The next link to be accepted. */
  nextLink(): Promise<ProxyLink> {
    return new Promise((resolve) => this.once("link", resolve));
  }

  linkClosed(link: ProxyLink): void {
    this.openLinks.delete(link);
  }

  /** Stops listening and cuts every link. */
  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const link = new ProxyLink(this.links.length + 1, socket, this);
    this.links.push(link);
    this.acceptedAt.push(Date.now());
    this.openLinks.add(link);
    link.connectUpstream(this.currentTarget);
    this.emit("link", link);
  }
}
