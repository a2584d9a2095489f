/**
 * A TCP proxy between the device and a plain MQTT listener that reads the
 * packets going by: a test sees what the device publishes and what it is
 * sent, acts at the exact moment a packet passes (before it is forwarded),
 * and slips its own bytes in between two packets from the broker. Packets
 * are forwarded whole, so anything injected lands on a packet boundary.
 *
 * With a certificate it terminates TLS (the engine's TLS accepts any server
 * certificate, docs/engine.md) and speaks plain MQTT to the broker, so a
 * device configured for MQTT over TLS can be watched the same way.
 */
import { EventEmitter } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { PacketFramer, readPublish, type Publish } from "./mqtt-framing.js";

export interface BrokerTarget {
  host: string;
  port: number;
}

export type PacketDirection = "up" | "down";

/**
 * Sees each PUBLISH before it is forwarded; returning a Buffer sends those
 * bytes to the device first (down only).
 */
export type PublishWatcher = (direction: PacketDirection, publish: Publish, link: BrokerLink) => Buffer | void;

export interface BrokerPathOptions {
  /** PEM certificate and key: the device connects with TLS. */
  readonly tls?: { cert: string; key: string };
}

/** Events: "link"(BrokerLink), "closed"(BrokerLink). */
export class BrokerPath extends EventEmitter {
  private readonly links = new Set<BrokerLink>();
  private readonly watchers = new Set<PublishWatcher>();
  private accepted = 0;
  private listeningPort = 0;

  private constructor(
    private readonly server: net.Server,
    private target: BrokerTarget,
  ) {
    super();
    server.on(server instanceof tls.Server ? "secureConnection" : "connection", (socket: net.Socket) => {
      const link = new BrokerLink(++this.accepted, socket, this.target, this);
      this.links.add(link);
      this.emit("link", link);
    });
    // A device that cuts its own handshake is the device's business.
    server.on("tlsClientError", () => {});
  }

  static async start(target: BrokerTarget, options: BrokerPathOptions = {}): Promise<BrokerPath> {
    const server = options.tls ? tls.createServer({ cert: options.tls.cert, key: options.tls.key }) : net.createServer();
    const path = new BrokerPath(server, target);
    await path.listen(0);
    return path;
  }

  get port(): number {
    return this.listeningPort;
  }

  get listening(): boolean {
    return this.server.listening;
  }

  /**
   * The broker's address goes dark: nothing listens on the port any more
   * (connects are refused) and every connection is cut.
   */
  async goAway(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.cutAll();
    await closed;
  }

  /** Listens again on the same port, forwarding to `target`. */
  async comeBack(target: BrokerTarget): Promise<void> {
    this.target = target;
    await this.listen(this.listeningPort);
  }

  private listen(port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => {
        this.server.off("error", reject);
        this.listeningPort = (this.server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  /** Connections accepted so far. */
  get connections(): number {
    return this.accepted;
  }

  get open(): BrokerLink[] {
    return [...this.links];
  }

  /** Later connections go to `target` (a broker restarted on another port). */
  retarget(target: BrokerTarget): void {
    this.target = target;
  }

  watch(watcher: PublishWatcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Sends raw bytes to the device on every open link, between two packets. */
  inject(bytes: Buffer): number {
    for (const link of this.links) link.inject(bytes);
    return this.links.size;
  }

  cutAll(): void {
    for (const link of [...this.links]) link.cut();
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.goAway();
    else this.cutAll();
  }

  /** Runs the watchers over one PUBLISH; what they return goes to the device before it. */
  seen(direction: PacketDirection, publish: Publish, link: BrokerLink): Buffer[] {
    const extra: Buffer[] = [];
    for (const watcher of [...this.watchers]) {
      const bytes = watcher(direction, publish, link);
      if (bytes) extra.push(bytes);
    }
    return extra;
  }

  linkClosed(link: BrokerLink): void {
    this.links.delete(link);
    this.emit("closed", link);
  }
}

export class BrokerLink {
  private readonly up = new PacketFramer();
  private readonly down = new PacketFramer();
  private readonly broker: net.Socket;
  private closed = false;

  constructor(
    readonly id: number,
    private readonly device: net.Socket,
    target: BrokerTarget,
    private readonly path: BrokerPath,
  ) {
    device.setNoDelay(true);
    this.broker = net.connect(target);
    this.broker.setNoDelay(true);
    device.on("data", (chunk: Buffer) => this.relay("up", chunk));
    this.broker.on("data", (chunk: Buffer) => this.relay("down", chunk));
    for (const socket of [device, this.broker]) {
      socket.on("error", () => this.cut());
      socket.on("close", () => this.cut());
      // MQTT has no half-close: either side ending ends the session.
      socket.on("end", () => this.cut());
    }
  }

  /** Bytes to the device now; the proxy forwards only whole packets, so this is between two. */
  inject(bytes: Buffer): void {
    if (!this.closed) this.device.write(bytes);
  }

  cut(): void {
    if (this.closed) return;
    this.closed = true;
    this.device.destroy();
    this.broker.destroy();
    this.path.linkClosed(this);
  }

  private relay(direction: PacketDirection, chunk: Buffer): void {
    if (this.closed) return;
    let packets: Buffer[];
    try {
      packets = (direction === "up" ? this.up : this.down).feed(chunk);
    } catch {
      return this.cut();
    }
    const to = direction === "up" ? this.broker : this.device;
    for (const packet of packets) {
      const publish = readPublish(packet);
      if (publish) {
        for (const extra of this.path.seen(direction, publish, this)) this.device.write(extra);
      }
      if (this.closed) return;
      to.write(packet);
    }
  }
}
