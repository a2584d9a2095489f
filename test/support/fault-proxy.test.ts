// The fault-injecting proxy other tests stand between a device and its peer.
import { Buffer } from "node:buffer";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { FaultProxy } from "./fault-proxy.js";
import { listenOnLoopback } from "./ports.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server that sends every byte straight back. */
async function echoServer(): Promise<{ port: number; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    socket.pipe(socket);
  });
  await listenOnLoopback(server);
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as net.AddressInfo).port, sockets };
}

async function proxyTo(port: number, record = false): Promise<FaultProxy> {
  const proxy = await FaultProxy.start({ target: { host: "127.0.0.1", port }, record });
  cleanups.push(() => proxy.close());
  return proxy;
}

interface TestClient {
  socket: net.Socket;
  received: () => Buffer;
  /** Resolves once `length` bytes in all have come back. */
  until(length: number): Promise<Buffer>;
  closed: Promise<void>;
}

async function connectClient(port: number): Promise<TestClient> {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  const chunks: Buffer[] = [];
  const waiters: (() => void)[] = [];
  socket.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    for (const waiter of waiters.splice(0)) waiter();
  });
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  cleanups.push(async () => {
    socket.destroy();
  });
  const received = () => Buffer.concat(chunks);
  const until = async (length: number): Promise<Buffer> => {
    while (received().length < length) await new Promise<void>((resolve) => waiters.push(resolve));
    return received();
  };
  return { socket, received, until, closed };
}

describe("FaultProxy", () => {
  it("forwards both ways unchanged and records what passed", async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port, true);
    const client = await connectClient(proxy.port);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    client.socket.write(bytes);
    expect((await client.until(256)).equals(bytes)).toBe(true);
    const [link] = proxy.links;
    expect(link!.bytes("up").equals(bytes)).toBe(true);
    expect(link!.bytes("down").equals(bytes)).toBe(true);
    expect(link!.forwarded).toEqual({ up: 256, down: 256 });
  });

  it("delays a direction by the set time and keeps the order", async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port);
    const client = await connectClient(proxy.port);
    proxy.setFaults("down", { delayMs: 300 });
    const sentAt = Date.now();
    client.socket.write("first");
    await new Promise((resolve) => setTimeout(resolve, 100));
    proxy.clearFaults();
    client.socket.write("second");
    expect((await client.until(11)).toString()).toBe("firstsecond");
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(290);
  });

  it("drops a direction while asked to, counting what it dropped", async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port);
    const client = await connectClient(proxy.port);
    proxy.setFaults("up", { drop: true });
    client.socket.write("lost");
    await new Promise((resolve) => setTimeout(resolve, 100));
    proxy.clearFaults();
    client.socket.write("kept");
    expect((await client.until(4)).toString()).toBe("kept");
    expect(proxy.links[0]!.dropped.up).toBe(4);
  });

  it("cuts a link after exactly the allowed bytes in one direction", async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port);
    const client = await connectClient(proxy.port);
    proxy.setFaults("down", { cutAfterBytes: 10 });
    client.socket.write("0123456789abcdef");
    await client.closed;
    expect(client.received().toString()).toBe("0123456789");
    expect(proxy.open).toEqual([]);
  });

  it("cuts every link on demand, and sends later links to a new target", async () => {
    const first = await echoServer();
    const second = await echoServer();
    const proxy = await proxyTo(first.port);
    const before = await connectClient(proxy.port);
    before.socket.write("x");
    await before.until(1);
    proxy.cutAll();
    await before.closed;

    proxy.retarget({ host: "127.0.0.1", port: second.port });
    const after = await connectClient(proxy.port);
    after.socket.write("y");
    await after.until(1);
    expect(second.sockets).toHaveLength(1);
    expect(first.sockets).toHaveLength(1);
  });

  it("closes the client at once when the peer cannot be reached", async () => {
    const echo = await echoServer();
    const proxy = await proxyTo(echo.port);
    proxy.retarget({ host: "127.0.0.1", port: 1 });
    const client = await connectClient(proxy.port);
    await client.closed;
    expect(proxy.acceptedAt).toHaveLength(1);
  });
});
