// Connections over the engine's sockets (`require("net")`, `require("tls")`),
// as firmware/src/net/connection.ts describes them. Engine facts this relies
// on are in docs/engine.md, "Sockets".
import type { Connector, TlsCredentials } from "../net/connection.js";

export const connect: Connector = (target, events) => {
  /** The one close is reported; after it, writes are swallowed, as the interface allows (the engine would throw `This socket is closed`). */
  let closed = false;
  let reason: string | undefined;
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
    // Only on("connect"), never a connect() callback as well: the engine loses
    // the callback when both are given. The handlers take no `this`.
    socket.on("connect", events.open);
    socket.on("data", events.data);
    socket.on("drain", events.drain);
    socket.on("error", (error) => {
      reason = error.message;
    });
    socket.on("close", (hadError) => {
      if (!closed) events.close(!!hadError, reason);
      closed = true;
    });
  } catch (e) {
    // A refused connection, an unknown host or a TLS session that does not
    // fit in memory throws inside connect(), which blocks and returns no
    // socket. The caller still gets its one close, later, as for any other failure.
    closed = true;
    setTimeout(events.close, 0, true, (e as Error).message);
  }
  return {
    write: (data) => {
      if (!closed) socket.write(data);
    },
    end: () => {
      if (!closed) socket.end();
    },
  };
};
