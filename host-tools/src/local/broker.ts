// An in-process MQTT broker (aedes) for `npm start` and tests: nothing to
// install. aedes speaks MQTT 3.1.1 only, so the presigner falls back to a
// plain subscription against it (design.md, "Facts about the parts").
import { Aedes } from "aedes";
import { createServer, type AddressInfo } from "node:net";

export interface LocalBroker {
  /** mqtt://127.0.0.1:<port> */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface LocalBrokerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export async function startLocalBroker(options: LocalBrokerOptions = {}): Promise<LocalBroker> {
  const host = options.host ?? "127.0.0.1";
  const broker = await Aedes.createBroker();
  // Without TCP_NODELAY each small MQTT packet waits out a delayed ACK
  // (about 40 ms per hop on loopback).
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`the local MQTT broker cannot listen on ${host}:${options.port ?? 0}: ${err.message}`)));
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
