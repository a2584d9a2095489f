// Connections over the engine's sockets (`require("net")`, `require("tls")`),
// as firmware/src/net/connection.ts describes them. Engine facts this relies
// on are in docs/engine.md, "Sockets".
import type { Connection, Connector, TlsCredentials } from "../net/connection.js";

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
    // The engine parses a field that is present but undefined, and fails:
    // only the credentials that are set are passed.
    if (credentials) {
      for (const field in credentials) {
        const value = credentials[field as keyof TlsCredentials];
        if (value) options[field as keyof TlsCredentials] = value;
      }
    }
    socket = (credentials ? require("tls") : require("net")).connect(options);
  } catch (e) {
    // A refused connection, an unknown host or a TLS session that does not
    // fit in memory throws inside connect(), which blocks and returns no
    // socket. The caller still gets its one close, later, as for any other failure.
    reason = (e as Error).message;
    setTimeout(close, 0, true);
    return { write: () => {}, end: () => {} };
  }
  // Only on("connect"), never a connect() callback as well: the engine loses
  // the callback when both are given. The handlers take no `this`.
  socket.on("connect", events.open);
  socket.on("data", events.data);
  socket.on("drain", events.drain);
  socket.on("error", (error) => {
    reason = error.message;
  });
  socket.on("close", (hadError) => close(!!hadError));
  const connection: Connection = {
    // The engine throws `This socket is closed` on a write after the close;
    // a closed connection swallows the write, as the interface allows.
    write: (data) => {
      if (!closed) socket.write(data);
    },
    end: () => {
      if (!closed) socket.end();
    },
  };
  return connection;
};
