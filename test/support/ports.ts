/**
 * Loopback ports for the suite's real peers (Mosquitto, Ceph RGW).
 */
import { connect, createServer, type Server } from "node:net";
import { setTimeout as delay } from "node:timers/promises";

/**
 * Ports the kernel reports free on 127.0.0.1 right now, all distinct. They are
 * released before a peer binds them, so another process could take one in
 * between: callers report a failed bind as such.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<Server>((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve(server));
      }),
    ),
  );
  // Every listener stays open until all ports are known, so none repeats.
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("listener has no TCP address");
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export interface WaitForPortOptions {
  /** Connection attempts before giving up. */
  attempts?: number;
  /** Pause after a refused attempt. */
  retryDelayMs?: number;
  /** Stops waiting, e.g. when the process that should listen has exited. */
  signal?: AbortSignal;
}

/**
 * Resolves once 127.0.0.1:`port` accepts a TCP connection. A process shows no
 * event when its listener opens, so a refused connection is retried, a bounded
 * number of times; any other error ends the wait at once.
 */
export async function waitForPort(port: number, options: WaitForPortOptions = {}): Promise<void> {
  const { attempts = 200, retryDelayMs = 50, signal } = options;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    signal?.throwIfAborted();
    if (await accepts(port)) return;
    await delay(retryDelayMs, undefined, { signal });
  }
  throw new Error(`nothing accepted connections on 127.0.0.1:${port} after ${attempts} attempts`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      socket.destroy();
      if (error.code === "ECONNREFUSED") resolve(false);
      else reject(error);
    });
  });
}

/** Starts `server` on a free loopback port; rejects if it cannot bind. Resolves to the port. */
export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address();
      if (address === null || typeof address === "string") reject(new Error("listener has no TCP address"));
      else resolve(address.port);
    });
  });
}
