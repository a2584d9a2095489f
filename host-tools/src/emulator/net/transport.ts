// The real connection under an engine socket: a Node TCP or TLS socket whose
// state the engine socket polls once per idle pass, as the engine polls its
// lwIP socket. Node events only record state and wake the idle loop.
import net from "node:net";
import tls from "node:tls";
import { TLS_MAX_VERSION, TLS_SNI_NAME } from "../../engine/profile.js";

export interface TransportTarget {
  host: string;
  port: number;
}

/** PEM client credentials; both or neither. */
export interface ClientCredentials {
  key?: string;
  cert?: string;
}

/** Where a connection failed: before TCP was up, during the TLS handshake, or later. */
export type FailurePhase = "connect" | "handshake" | "stream";

export interface TransportFailure {
  phase: FailurePhase;
  /** Node's error code (ECONNREFUSED, ERR_SSL_...), if it had one. */
  code: string | undefined;
}

/**
 * Received bytes waiting for the engine above which the Node socket stops
 * reading, so a device that reads 536 bytes a pass closes the TCP window as
 * the real one does instead of buffering without bound.
 */
const INBOUND_HIGH_WATER = 64 * 1024;

export class Transport {
  private readonly inbound: Buffer[] = [];
  private inboundBytes = 0;
  private tcpUp = false;
  private secureUp = false;
  private ended = false;
  private failed: TransportFailure | undefined;
  private destroyed = false;

  private constructor(
    private readonly socket: net.Socket,
    private readonly secure: boolean,
    private readonly changed: () => void,
  ) {
    socket.on("connect", () => this.record(() => (this.tcpUp = true)));
    socket.on("data", (chunk: Buffer) => this.record(() => this.receive(chunk)));
    socket.on("end", () => this.record(() => (this.ended = true)));
    socket.on("close", () => this.record(() => (this.ended = true)));
    socket.on("error", (error: NodeJS.ErrnoException) => this.record(() => this.fail(error)));
  }

  static plain(target: TransportTarget, changed: () => void): Transport {
    const socket = net.connect({ host: target.host, port: target.port, family: 4, allowHalfOpen: true });
    return new Transport(socket, false, changed);
  }

  /**
   * The engine's TLS client: at most TLS 1.2, the fixed SNI name, and no check
   * of the server certificate (MBEDTLS_SSL_VERIFY_NONE); see the profile,
   * section "Sockets". Cipher suites are Node's: the ESP32 build's ESP-IDF
   * mbedtls offers ECDHE and RSA suites alike.
   */
  static secure(target: TransportTarget, credentials: ClientCredentials, changed: () => void): Transport {
    // tls.connect honours `family` and `allowHalfOpen`; Node's types omit them.
    const options: tls.ConnectionOptions & { family: number; allowHalfOpen: boolean } = {
      host: target.host,
      port: target.port,
      family: 4,
      allowHalfOpen: true,
      servername: TLS_SNI_NAME,
      rejectUnauthorized: false,
      maxVersion: TLS_MAX_VERSION,
      ...usableCredentials(credentials),
    };
    const socket = tls.connect(options);
    const transport = new Transport(socket, true, changed);
    socket.on("secureConnect", () => transport.record(() => (transport.secureUp = true)));
    return transport;
  }

  /** TCP is connected (the engine's first pass then reports `connect`). */
  get connected(): boolean {
    return this.tcpUp;
  }

  /** Bytes can be sent: TCP is up and, for TLS, the handshake is done. */
  get ready(): boolean {
    return this.tcpUp && (!this.secure || this.secureUp) && !this.ended && this.failed === undefined;
  }

  get peerEnded(): boolean {
    return this.ended;
  }

  get failure(): TransportFailure | undefined {
    return this.failed;
  }

  /** TCP came up, then the connection ended before the TLS handshake did. */
  get handshakeFailed(): boolean {
    return this.secure && this.tcpUp && !this.secureUp && (this.ended || this.failed !== undefined);
  }

  get hasInbound(): boolean {
    return this.inboundBytes > 0;
  }

  /** Takes up to `max` received bytes as a binary string. */
  take(max: number): string | undefined {
    if (this.inboundBytes === 0) return undefined;
    const taken: Buffer[] = [];
    let wanted = max;
    while (wanted > 0 && this.inbound.length > 0) {
      const head = this.inbound[0]!;
      const part = head.subarray(0, wanted);
      taken.push(part);
      wanted -= part.length;
      if (part.length === head.length) this.inbound.shift();
      else this.inbound[0] = head.subarray(part.length);
    }
    this.inboundBytes -= max - wanted;
    if (this.inboundBytes < INBOUND_HIGH_WATER && this.socket.isPaused()) this.socket.resume();
    return Buffer.concat(taken).toString("latin1");
  }

  /** Hands bytes to Node; `accepted` runs once Node has flushed them to the kernel. */
  send(bytes: string, accepted: (error: Error | null | undefined) => void): void {
    this.socket.write(Buffer.from(bytes, "latin1"), (error) => {
      if (!this.destroyed) accepted(error);
    });
  }

  /** Closes at once, as the engine's close() of its socket: no TLS close_notify. */
  destroy(): void {
    this.destroyed = true;
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.inbound.push(chunk);
    this.inboundBytes += chunk.length;
    if (this.inboundBytes >= INBOUND_HIGH_WATER) this.socket.pause();
  }

  private fail(error: NodeJS.ErrnoException): void {
    if (this.failed) return;
    let phase: FailurePhase = "stream";
    if (!this.tcpUp) phase = "connect";
    else if (this.secure && !this.secureUp) phase = "handshake";
    this.failed = { phase, code: error.code };
  }

  private record(update: () => void): void {
    if (this.destroyed) return;
    update();
    this.changed();
  }
}

/**
 * mbedtls takes a key and certificate that do not belong together and fails
 * only when the server asks for them; Node refuses them up front. Sending no
 * client certificate then gives the same outcome: a server that requires one
 * rejects the handshake, any other accepts it.
 */
function usableCredentials(credentials: ClientCredentials): ClientCredentials {
  if (credentials.key === undefined || credentials.cert === undefined) return {};
  try {
    tls.createSecureContext(credentials);
    return credentials;
  } catch {
    return {};
  }
}
