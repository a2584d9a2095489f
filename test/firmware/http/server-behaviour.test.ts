// The device's HTTP client on the emulated engine against TCP servers that
// answer as scripted: stalls, early answers, closes, chunked bodies. These
// are the server behaviours S3 stores show only under load or failure.
import { randomBytes } from "node:crypto";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_BOARD } from "../../../host-tools/src/emulator/index.js";
import { runJob } from "./device-job.js";
import { listenOnLoopback } from "../../support/ports.js";

interface ReceivedRequest {
  head: string;
  body: Buffer;
  /** Index of the connection it came on. */
  connection: number;
}

/**
 * A server that reads HTTP requests (head, then Content-Length bytes) and
 * hands each to `answer`, which writes whatever it likes to the socket.
 */
class ScriptedServer {
  readonly requests: ReceivedRequest[] = [];
  connections = 0;
  /** Resolves when a connection the server accepted has closed, with its index. */
  readonly closes: number[] = [];
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private closeWaiters: (() => void)[] = [];

  constructor(answer: (request: ReceivedRequest, socket: net.Socket) => void, onHead?: (head: string, socket: net.Socket) => void) {
    this.server = net.createServer((socket) => {
      const index = this.connections++;
      this.sockets.add(socket);
      let buffered = Buffer.alloc(0);
      let head: string | undefined;
      let length = 0;
      socket.on("data", (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        for (;;) {
          if (head === undefined) {
            const end = buffered.indexOf("\r\n\r\n");
            if (end < 0) return;
            head = buffered.subarray(0, end).toString("latin1");
            buffered = buffered.subarray(end + 4);
            length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
            onHead?.(head, socket);
          }
          if (buffered.length < length) return;
          const request = { head, body: buffered.subarray(0, length), connection: index };
          buffered = buffered.subarray(length);
          head = undefined;
          this.requests.push(request);
          answer(request, socket);
        }
      });
      socket.on("error", () => {});
      socket.on("close", () => {
        this.sockets.delete(socket);
        this.closes.push(index);
        for (const waiter of this.closeWaiters.splice(0)) waiter();
      });
    });
  }

  async listen(): Promise<string> {
    await listenOnLoopback(this.server);
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Resolves once `count` connections have closed. */
  closed(count: number): Promise<void> {
    if (this.closes.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(() => void (this.closes.length >= count && resolve())));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function serve(answer: (request: ReceivedRequest, socket: net.Socket) => void, onHead?: (head: string, socket: net.Socket) => void) {
  const server = new ScriptedServer(answer, onHead);
  servers.push(server);
  return { server, origin: await server.listen() };
}

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

describe("the device HTTP client against scripted servers", () => {
  it("writes the request line, Host as the URL's authority, the caller's headers and Content-Length; never chunked", async () => {
    const { server, origin } = await serve((_, socket) => socket.write(OK));
    const body = randomBytes(5000);
    const target = "/b/k%2Fx?X-Amz-Signature=ab%3D&x-id=PutObject";
    const { results } = await runJob(
      { requests: [{ method: "PUT", url: origin + target, file: "/f.bin", headers: { "Content-Length": "5000", "x-amz-meta-a": "1" } }] },
      { "f.bin": body },
    );
    expect(results[0]!.status).toBe(200);
    expect(results[0]!.body!.toString()).toBe("ok");
    const [request] = server.requests;
    expect(request!.head.split("\r\n")).toEqual([
      `PUT ${target} HTTP/1.1`,
      `Host: ${origin.slice("http://".length)}`,
      "x-amz-meta-a: 1",
      "Content-Length: 5000",
    ]);
    expect(request!.body.equals(body)).toBe(true);
  });

  it("times out a response that stops mid-body and closes the connection", async () => {
    const { server, origin } = await serve((_, socket) => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789"));
    const started = Date.now();
    const { results } = await runJob({ timeout: 300, requests: [{ method: "GET", url: origin + "/slow" }] });
    expect(results[0]!.error).toBe(`127.0.0.1:${new URL(origin).port}: no progress for 300 ms while receiving`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await server.closed(1);
  });

  it("times out a server that reads the request and never answers, and closes the connection", async () => {
    const { server, origin } = await serve(() => {});
    const { results } = await runJob({ timeout: 300, requests: [{ method: "GET", url: origin + "/silent" }] });
    expect(results[0]!.error).toBe(`127.0.0.1:${new URL(origin).port}: no progress for 300 ms while waiting`);
    await server.closed(1);
  });

  it("says the connection closed while connecting when nothing listens", async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const { results, device } = await runJob({
      requests: [{ method: "GET", url: `http://127.0.0.1:${closedPort}/x` }],
    });
    expect(results[0]!.error).toMatch(new RegExp(`^127\\.0\\.0\\.1:${closedPort}: connection closed while connecting`));
    expect(device.output).not.toContain("Uncaught");
  });

  it("reports the engine's own words when tls.connect throws: a TLS session that does not fit in memory", async () => {
    const { results, device } = await runJob({ requests: [{ method: "GET", url: "https://127.0.0.1:9/x" }] }, {}, 10_000, {
      board: { ...DEFAULT_BOARD, variables: 2000 },
    });
    expect(results[0]!.error).toBe("127.0.0.1:9: connection closed while connecting: mbedtls_ssl_setup: Not enough memory");
    expect(device.output).not.toContain("Uncaught");
  });

  it("keeps one connection for several requests, 204 and chunked answers included", async () => {
    const { server, origin } = await serve((request, socket) => {
      if (request.head.startsWith("DELETE")) socket.write("HTTP/1.1 204 No Content\r\nx-amz-request-id: 1\r\n\r\n");
      else socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n");
    });
    const { results } = await runJob({
      requests: [
        { method: "DELETE", url: origin + "/a" },
        { method: "GET", url: origin + "/b" },
        { method: "GET", url: origin + "/c" },
      ],
    });
    expect(results.map((result) => result.status)).toEqual([204, 200, 200]);
    expect(results[0]!.body!.length).toBe(0);
    expect(results[1]!.body!.toString()).toBe("abcde");
    expect(results[2]!.body!.toString()).toBe("abcde");
    expect(results[2]!.connections).toBe(1);
    expect(server.connections).toBe(1);
    expect(server.requests.map((request) => request.connection)).toEqual([0, 0, 0]);
  });

  it("refuses a request issued while another is in progress, and finishes the one in progress", async () => {
    const { server, origin } = await serve((_, socket) => setTimeout(() => socket.write(OK), 100));
    const { results } = await runJob({
      requests: [
        { method: "GET", url: origin + "/first" },
        { method: "GET", url: origin + "/second", overlapping: true },
        { method: "GET", url: origin + "/third" },
      ],
    });
    expect(results[1]!.error).toBe("a request is in progress");
    expect(results[0]).toMatchObject({ status: 200, connections: 1 });
    expect(results[2]).toMatchObject({ status: 200, connections: 1 });
    expect(server.requests.map((request) => request.head.split(" ")[1])).toEqual(["/first", "/third"]);
  });

  it("close() resolves only once the connection has closed, and leaves no timer behind", async () => {
    const { server, origin } = await serve((_, socket) => socket.write(OK));
    const { results, openAtClose, timersAtClose } = await runJob({
      close: true,
      requests: [
        { method: "GET", url: origin + "/a" },
        { method: "GET", url: origin + "/b" },
      ],
    });
    expect(results.map((result) => result.status)).toEqual([200, 200]);
    expect(openAtClose).toEqual([]);
    // A pending timer would hold the whole session (about 1,000 variables on
    // the engine) until it fired: its idle timeout and close()'s own limit.
    expect(timersAtClose).toBe(0);
    await server.closed(1);
  });

  it("opens a new connection after a response with Connection: close, and reads a body that runs until close", async () => {
    const { server, origin } = await serve((request, socket) => {
      if (request.connection === 0) socket.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope");
      else socket.end("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
    });
    const { results } = await runJob({
      requests: [
        { method: "GET", url: origin + "/a" },
        { method: "GET", url: origin + "/b" },
      ],
    });
    expect(results[0]).toMatchObject({ status: 403, connections: 1 });
    expect(results[1]).toMatchObject({ status: 200, connections: 2 });
    expect(results[1]!.body!.toString()).toBe("until the end");
    expect(server.connections).toBe(2);
  });

  it("stops uploading when the server answers early, and does not reuse that connection", async () => {
    const { server, origin } = await serve(
      () => {},
      (head, socket) => {
        if (head.startsWith("PUT")) socket.write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n");
        else socket.write(OK);
      },
    );
    const { results, device } = await runJob(
      {
        requests: [
          { method: "PUT", url: origin + "/big", file: "/big.bin" },
          { method: "GET", url: origin + "/after" },
        ],
      },
      { "big.bin": randomBytes(1024 * 1024) },
    );
    expect(results[0]!.status).toBe(413);
    expect(server.requests.filter((request) => request.head.startsWith("PUT"))).toEqual([]);
    expect(results[1]).toMatchObject({ status: 200, connections: 2 });
    expect(server.connections).toBe(2);
    expect(device.outOfMemory).toBe(false);
  });

  it("says what the request was doing when the server closes the connection: sending, waiting or receiving", async () => {
    const { server, origin } = await serve(
      (request, socket) => {
        if (request.head.startsWith("GET /wait")) socket.end();
        else socket.end("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234");
      },
      (head, socket) => {
        if (head.startsWith("PUT")) socket.destroy();
      },
    );
    const { results, device } = await runJob(
      {
        requests: [
          { method: "PUT", url: origin + "/send", file: "/big.bin" },
          { method: "GET", url: origin + "/wait" },
          { method: "GET", url: origin + "/receive" },
        ],
      },
      { "big.bin": randomBytes(1024 * 1024) },
    );
    const closed = (step: string) => new RegExp(`^127\\.0\\.0\\.1:${new URL(origin).port}: connection closed while ${step}(: .*)?$`);
    expect(results[0]!.error).toMatch(closed("sending \\d+ of 1048576 body bytes"));
    expect(results[1]!.error).toMatch(closed("waiting"));
    expect(results[2]!.error).toMatch(closed("receiving"));
    expect(results.map((result) => result.connections)).toEqual([1, 2, 3]);
    expect(server.connections).toBe(3);
    expect(device.outOfMemory).toBe(false);
  });

  it("fails on a malformed response and closes the connection", async () => {
    const { server, origin } = await serve((_, socket) => socket.write("HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n"));
    const { results } = await runJob({ requests: [{ method: "GET", url: origin + "/" }] });
    expect(results[0]!.error).toBe("bad HTTP response: Content-Length lots");
    await server.closed(1);
  });
});
