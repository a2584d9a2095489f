// Connections over the engine's sockets (`require("net")`, `require("tls")`),
// as firmware/src/net/connection.ts describes them. Engine facts this relies
// on are in docs/engine.md, "Sockets".
import type { Connection, Connector } from "../net/connection.js";

export const connect: Connector = (target, events) => {
  let closed = false;
  let reason: string | undefined;
  const close = (hadError: boolean): void => {
    if (closed) return;
    closed = true;
    events.close(hadError, reason);
  };
  let socket: EspruinoSocket;
  try {
    const options: TlsConnectOptions = { host: target.host, port: target.port };
    const credentials = target.tls;
    if (credentials) {
      // The engine parses a field that is present but undefined, and fails:
      // only the credentials that are set are passed.
      if (credentials.ca) options.ca = credentials.ca;
      if (credentials.key) options.key = credentials.key;
      if (credentials.cert) options.cert = credentials.cert;
    }
    socket = credentials ? require("tls").connect(options) : require("net").connect(options);
  } catch (e) {
    // A refused connection, an unknown host or a TLS session that does not
    // fit in memory throws inside connect(), which blocks and returns no
    // socket. The caller still gets its one close, later, as for any other failure.
    reason = (e as Error).message;
    setTimeout(() => close(true), 0);
    return { write: () => {}, end: () => {} };
  }
  // Only on("connect"), never a connect() callback as well: the engine loses
  // the callback when both are given.
  socket.on("connect", () => events.open());
  socket.on("data", (chunk) => events.data(chunk));
  socket.on("drain", () => events.drain());
  socket.on("error", (error) => {
    reason = error.message;
  });
  socket.on("close", (hadError) => close(!!hadError));
  const connection: Connection = {
    // The emulated engine throws on a write to a closed socket; a closed
    // connection swallows it, as the interface promises nothing more anyway.
    write: (data) => {
      if (!closed) socket.write(data);
    },
    end: () => {
      if (!closed) socket.end();
    },
  };
  return connection;
};
