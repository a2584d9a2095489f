// A byte stream to a peer, as the protocol code above the platform layer sees
// it. Data is a binary string (bytes 0-255). The Espruino implementation is
// firmware/src/platform/net.ts; tests may hand in their own.

/** Client credentials for TLS: DER as binary strings (docs/engine.md, "Sockets"). */
export interface TlsCredentials {
  ca?: string;
  key?: string;
  cert?: string;
}

export interface ConnectTarget {
  host: string;
  port: number;
  /** Present for TLS; the engine does not verify the server certificate. */
  tls?: TlsCredentials;
}

/** What a connection reports. Exactly one `close` ends every connection, even one that never opened. */
export interface ConnectionEvents {
  /** The TCP connection is up (for TLS the handshake may still be running). */
  open(): void;
  data(chunk: string): void;
  /** Everything written so far has been sent: the next chunk may be written. */
  drain(): void;
  /** `reason`: the engine's words for a failure, when it gave any ("Unable to locate host"). */
  close(hadError: boolean, reason?: string): void;
}

export interface Connection {
  /**
   * Queues data. The engine holds unsent data in its variable store, so
   * write the next chunk only after `drain`.
   */
  write(data: string): void;
  /** Closes after the queued data is sent; `close` follows. */
  end(): void;
}

export type Connector = (target: ConnectTarget, events: ConnectionEvents) => Connection;
