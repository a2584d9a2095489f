import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { SOCKET_BYTES_PER_PASS } from "../../host-tools/src/engine/profile.js";
import { createNetModules } from "../../host-tools/src/emulator/net/index.js";
import { EngineOutOfMemory } from "../../host-tools/src/emulator/runtime.js";
import {
  TestDevice,
  allByteValues,
  binaryBody,
  closeServer,
  listen,
  nextConnection,
  receiveAll,
  turn,
  unusedPort,
  watch,
  writeOnDrain,
} from "./net-harness.js";

const servers: net.Server[] = [];
const devices: TestDevice[] = [];

afterEach(async () => {
  for (const device of devices.splice(0)) if (!device.stopped) device.stop();
  await Promise.all(servers.splice(0).map(closeServer));
});

async function startServer(onConnection?: (socket: net.Socket) => void): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer(onConnection);
  servers.push(server);
  return { server, port: await listen(server) };
}

function boot(options?: ConstructorParameters<typeof TestDevice>[0]) {
  const device = new TestDevice(options);
  devices.push(device);
  return { device, ...createNetModules(device) };
}

describe("net.connect on the emulated engine", () => {
  it("hands the socket to the connect callback, returns false from write and round-trips all 256 byte values", async () => {
    const { port } = await startServer((socket) => socket.pipe(socket));
    const { device, net: engineNet } = boot();
    let connected: unknown;
    let listenerThis: unknown;
    const socket = engineNet.connect({ host: "127.0.0.1", port }, (s: unknown) => {
      connected = s;
    })!;
    const log = watch(socket, { connect: false });
    socket.on("data", function (this: unknown) {
      listenerThis = this;
    });

    expect(socket.write(allByteValues())).toBe(false);
    const echoed = await log.received(256);

    expect(connected).toBe(socket);
    expect(listenerThis).toBe(socket);
    expect(echoed).toBe(allByteValues());
    expect(device.uncaught).toEqual([]);
    socket.end();
    expect(await log.closed).toBe(false);
  });

  it("sends at most 536 bytes per pass and fires drain only once the whole buffer was accepted", async () => {
    const { server, port } = await startServer();
    const accepted = nextConnection<net.Socket>(server);
    const { net: engineNet, monitor } = boot();
    const body = binaryBody(3000);
    const socket = engineNet.connect({ host: "127.0.0.1", port })!;
    const log = watch(socket);
    socket.write(body);
    const atDrain: unknown[] = [];
    socket.on("drain", () => {
      atDrain.push(monitor.describe(socket));
      socket.end();
    });
    const received = receiveAll(await accepted);

    expect(await log.closed).toBe(false);
    expect((await received).equals(Buffer.from(body, "latin1"))).toBe(true);
    // Written before connect, so no drain comes with connect: one drain, at the end.
    expect(log.events).toEqual(["connect", "drain", "end", "close(false)"]);
    expect(atDrain).toEqual([expect.objectContaining({ unsentBytes: 0, bytesWritten: body.length })]);
    const report = monitor.describe(socket)!;
    expect(report.largestChunk).toBe(SOCKET_BYTES_PER_PASS);
    expect(report.chunksWritten).toBe(Math.ceil(body.length / SOCKET_BYTES_PER_PASS));
    expect(monitor.passes).toBeGreaterThanOrEqual(report.chunksWritten);
  });

  it("carries a 200 KB body written 2 KB per drain byte for byte, without running out of memory", async () => {
    const { server, port } = await startServer();
    const accepted = nextConnection<net.Socket>(server);
    const { device, net: engineNet, monitor } = boot();
    const body = binaryBody(200 * 1024);
    const socket = engineNet.connect({ host: "127.0.0.1", port })!;
    const log = watch(socket);
    writeOnDrain(socket, body, 2048);
    const received = receiveAll(await accepted);

    expect(await log.closed).toBe(false);
    expect((await received).equals(Buffer.from(body, "latin1"))).toBe(true);
    expect(device.outOfMemoryReasons).toEqual([]);
    const report = monitor.describe(socket)!;
    expect(report.largestChunk).toBeLessThanOrEqual(SOCKET_BYTES_PER_PASS);
    expect(report.bytesWritten).toBe(body.length);
    expect(report.chunksWritten).toBeGreaterThanOrEqual(Math.ceil(body.length / SOCKET_BYTES_PER_PASS));
  });

  it("runs out of memory when a loop writes without waiting for drain", async () => {
    const { server, port } = await startServer();
    const accepted = nextConnection<net.Socket>(server);
    const { device, net: engineNet, monitor } = boot();
    const socket = engineNet.connect({ port })!;
    const log = watch(socket);
    let written = 0;
    let failure: unknown;
    try {
      while (written < 200 * 1024) {
        socket.write("x".repeat(1024));
        written += 1024;
      }
    } catch (error) {
      failure = error;
    }

    expect(failure).toBeInstanceOf(EngineOutOfMemory);
    expect(written).toBe(device.socketBufferBudget);
    expect(monitor.unsentBytes()).toBe(device.socketBufferBudget);
    expect(device.outOfMemoryReasons).toHaveLength(1);
    // What fitted still goes out.
    socket.end();
    const received = await receiveAll(await accepted);
    expect(received.length).toBe(device.socketBufferBudget);
    expect(await log.closed).toBe(false);
  });

  it("fires drain with connect when nothing is waiting, both with the socket as argument", async () => {
    const { port } = await startServer();
    const { net: engineNet } = boot();
    const args: unknown[][] = [];
    const socket = engineNet.connect({ host: "127.0.0.1", port }, (...a: unknown[]) => args.push(a))!;
    const drained = new Promise<void>((resolve) =>
      socket.on("drain", (...a: unknown[]) => {
        args.push(a);
        resolve();
      }),
    );

    await drained;
    expect(args).toEqual([[socket], [socket]]);
    socket.end();
  });

  it("loses the connect callback when a connect listener is added too, as the engine does", async () => {
    const { port } = await startServer();
    const { device, net: engineNet } = boot();
    let callbackCalled = false;
    const socket = engineNet.connect({ host: "127.0.0.1", port }, () => (callbackCalled = true))!;
    const log = watch(socket, { connect: false });
    const listenerCalled = new Promise<void>((resolve) => socket.on("connect", () => resolve()));

    await listenerCalled;
    expect(callbackCalled).toBe(false);
    expect(device.uncaught).toEqual([undefined]);
    socket.end();
    await log.closed;
  });

  it("delivers received data as binary strings of at most 536 chars, then end and close", async () => {
    const body = binaryBody(10_000);
    const { port } = await startServer((socket) => socket.end(Buffer.from(body, "latin1")));
    const { net: engineNet } = boot();
    const log = watch(engineNet.connect({ host: "localhost", port })!);

    expect(await log.closed).toBe(false);
    expect(log.data.join("")).toBe(body);
    expect(Math.max(...log.data.map((d) => d.length))).toBe(SOCKET_BYTES_PER_PASS);
    expect(log.events.slice(-2)).toEqual(["end", "close(false)"]);
    expect(log.errors).toEqual([]);
  });

  it("keeps data that arrives before anyone listens and hands it to the first data listener", async () => {
    const { port } = await startServer((socket) => socket.end("banner"));
    const { net: engineNet } = boot();
    const socket = engineNet.connect({ host: "127.0.0.1", port })!;
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    await closed;
    const late = new Promise<string>((resolve) => socket.on("data", (data: unknown) => resolve(String(data))));

    expect(await late).toBe("banner");
  });

  it("sends what the engine's String() makes of non-strings and refuses characters above 255", async () => {
    const { server, port } = await startServer();
    const accepted = nextConnection<net.Socket>(server);
    const { net: engineNet } = boot();
    const socket = engineNet.connect({ host: "127.0.0.1", port })!;
    socket.write(new Uint8Array([1, 2, 3]));
    socket.write([4, 5]);
    socket.write(undefined);
    socket.write(null);

    expect(() => socket.write("\u20ac")).toThrow(/character code 8364/);
    socket.end();
    expect((await receiveAll(await accepted)).toString("latin1")).toBe("1,2,34,5null");
  });

  it("closes after end() once everything is sent, without drain, and refuses later writes", async () => {
    const { server, port } = await startServer();
    const accepted = nextConnection<net.Socket>(server);
    const { net: engineNet } = boot();
    const socket = engineNet.connect({ host: "127.0.0.1", port })!;
    const log = watch(socket);
    socket.write("first ");
    socket.end("last");

    expect(() => socket.write("more")).toThrow("This socket is closed");
    expect((await receiveAll(await accepted)).toString()).toBe("first last");
    expect(await log.closed).toBe(false);
    expect(log.events).not.toContain("drain");
    expect(log.events.slice(-2)).toEqual(["end", "close(false)"]);
  });

  it("reports a refused connection as error -9, end, close(true), and never calls the connect callback", async () => {
    const port = await unusedPort();
    const { net: engineNet, monitor } = boot();
    let connected = false;
    const log = watch(engineNet.connect({ host: "127.0.0.1", port }, () => (connected = true))!, { connect: false });

    expect(await log.closed).toBe(true);
    expect(log.events).toEqual(["error", "end", "close(true)"]);
    expect(log.errors).toEqual([{ code: -9, message: "connection reset" }]);
    expect(connected).toBe(false);
    expect(monitor.open()).toEqual([]);
  });

  it("reports a host that does not resolve as error -6 'not found'", async () => {
    const { net: engineNet } = boot();
    const log = watch(engineNet.connect({ host: "no-such-host.invalid", port: 80 })!);

    expect(await log.closed).toBe(true);
    expect(log.errors).toEqual([{ code: -6, message: "not found" }]);
  });

  it("reports output the peer did not take as error -8 'unsent data' when the peer closes", async () => {
    const { port } = await startServer((socket) => socket.destroy());
    const { net: engineNet } = boot({ socketBufferBudget: 1024 * 1024 });
    const socket = engineNet.connect({ host: "127.0.0.1", port })!;
    const log = watch(socket);
    socket.write(binaryBody(1024 * 1024));

    expect(await log.closed).toBe(true);
    expect(log.errors).toEqual([{ code: -8, message: "unsent data" }]);
    expect(log.events.slice(-3)).toEqual(["error", "end", "close(true)"]);
  });

  it("reports a listener's exception as uncaught and keeps the socket working", async () => {
    const { port } = await startServer((socket) => {
      socket.write("one");
      socket.once("data", () => socket.end("two"));
    });
    const { device, net: engineNet } = boot();
    const socket = engineNet.connect({ host: "127.0.0.1", port })!;
    const log = watch(socket);
    let calls = 0;
    socket.on("data", () => {
      calls += 1;
      if (calls === 1) {
        socket.write("ack");
        throw new Error("handler failed");
      }
    });

    expect(await log.closed).toBe(false);
    expect(device.uncaught).toEqual([new Error("handler failed")]);
    expect(log.data.join("")).toBe("onetwo");
  });

  it("prints the engine's error and returns undefined for options that are not an object", () => {
    const { device, net: engineNet } = boot();

    expect(engineNet.connect(42)).toBeUndefined();
    expect(engineNet.connect({ port: 1 }, "not a function")).toBeUndefined();
    expect(device.console).toEqual([
      "ERROR: Expecting Options to be an Object but it was Number\n",
      "ERROR: Expecting Callback Function but got String\n",
    ]);
  });

  it("drops every socket at once on a power cut and delivers nothing afterwards", async () => {
    const { server, port } = await startServer();
    const accepted = nextConnection<net.Socket>(server);
    const { device, net: engineNet, monitor } = boot();
    const socket = engineNet.connect({ host: "127.0.0.1", port })!;
    const log = watch(socket);
    const connected = new Promise<void>((resolve) => socket.on("connect", () => resolve()));
    const peer = await accepted;
    const peerClosed = new Promise<void>((resolve) => peer.on("close", () => resolve()));
    await connected;
    socket.write("unsent at the power cut");
    const before = [...log.events];

    device.stop();
    peer.write("too late");
    await peerClosed;
    await turn();
    await turn();

    expect(log.events).toEqual(before);
    expect(monitor.open()).toEqual([]);
  });
});
