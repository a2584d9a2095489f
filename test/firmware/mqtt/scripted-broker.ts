// A broker the test scripts packet by packet, over plain TCP: it parses what
// the device sends with mqtt-packet and sends back whatever bytes the test
// chooses, well-formed or not.
import { Buffer } from "node:buffer";
import net from "node:net";
import mqttPacket, { type Packet } from "mqtt-packet";
import { listenOnLoopback } from "../../support/ports.js";

export class ScriptedConnection {
  /** Packets received and not yet taken by `next`. */
  private readonly inbox: Packet[] = [];
  private readonly waiters: { resolve: (packet: Packet) => void; reject: (error: Error) => void }[] = [];
  private parseError: Error | undefined;
  private isClosed = false;
  readonly closed: Promise<void>;

  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on("packet", (packet: Packet) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(packet);
      else this.inbox.push(packet);
    });
    parser.on("error", (error: Error) => this.stop(new Error(`the device sent a malformed packet: ${error.message}`)));
    socket.on("data", (chunk: Buffer) => parser.parse(chunk));
    socket.on("error", () => {});
    this.closed = new Promise((resolve) => socket.on("close", () => resolve()));
    void this.closed.then(() => this.stop(new Error("the device closed the connection")));
  }

  get open(): boolean {
    return !this.isClosed;
  }

  /** The next packet the device sends. */
  next(timeoutMs = 10_000): Promise<Packet> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.parseError) return Promise.reject(this.parseError);
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (packet: Packet) => {
          clearTimeout(timer);
          resolve(packet);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no packet from the device within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The next packet, which must be of kind `cmd`. */
  async expect<C extends Packet["cmd"]>(cmd: C): Promise<Extract<Packet, { cmd: C }>> {
    const packet = await this.next();
    if (packet.cmd !== cmd) throw new Error(`expected ${cmd} from the device, got ${JSON.stringify(packet)}`);
    return packet as Extract<Packet, { cmd: C }>;
  }

  send(packet: Packet | Buffer): void {
    this.socket.write(Buffer.isBuffer(packet) ? packet : mqttPacket.generate(packet));
  }

  /** Takes the CONNECT and accepts it. */
  async accept(): Promise<Extract<Packet, { cmd: "connect" }>> {
    const connect = await this.expect("connect");
    this.send({ cmd: "connack", returnCode: 0, sessionPresent: false });
    return connect;
  }

  close(): void {
    this.socket.destroy();
  }

  private stop(error: Error): void {
    this.isClosed = true;
    this.parseError ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}

export class ScriptedBroker {
  readonly connections: ScriptedConnection[] = [];
  private readonly waiting: ((connection: ScriptedConnection) => void)[] = [];

  private constructor(private readonly server: net.Server) {
    server.on("connection", (socket) => {
      const connection = new ScriptedConnection(socket);
      this.connections.push(connection);
      for (const waiter of this.waiting.splice(0)) waiter(connection);
    });
  }

  static async start(): Promise<ScriptedBroker> {
    const server = net.createServer();
    await listenOnLoopback(server);
    return new ScriptedBroker(server);
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The `n`th connection (1-based), made already or still to come. */
  connection(n: number, timeoutMs = 10_000): Promise<ScriptedConnection> {
    const made = this.connections[n - 1];
    if (made) return Promise.resolve(made);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the device did not open connection ${n} within ${timeoutMs} ms`)), timeoutMs);
      const check = (): void => {
        const connection = this.connections[n - 1];
        if (!connection) {
          this.waiting.push(check);
          return;
        }
        clearTimeout(timer);
        resolve(connection);
      };
      this.waiting.push(check);
    });
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
