// The store proxy is the fault suite's witness: what it says the store took
// whole is what the device's deletes are judged by, and its faults must hit
// the byte and the request they are aimed at and nothing else. Here it runs
// between a TLS client writing raw HTTP, as the device does, and a Node HTTP
// server that records what reaches it.
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPki, type Pki } from "../support/pki.js";
import { s3Error, StoreProxy } from "./store-proxy.js";

interface Received {
  method: string;
  url: string;
  body: Buffer;
  at: number;
}

let pki: Pki;
let store: Server;
const received: Received[] = [];
/** Raw bytes that reached the store, per connection, once it has closed. */
const rawBytes: Promise<number>[] = [];

beforeAll(async () => {
  pki = await createPki();
  store = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ method: request.method!, url: request.url!, body: Buffer.concat(chunks), at: Date.now() });
      const refused = request.url!.includes("refuse");
      response.writeHead(refused ? 403 : request.method === "GET" ? 206 : 200, { ETag: '"e"', "Content-Length": refused ? "9" : request.method === "GET" ? "1" : "0" });
      response.end(refused ? "forbidden" : request.method === "GET" ? "x" : "");
    });
  });
  store.on("connection", (socket) => {
    let bytes = 0;
    socket.on("data", (chunk: Buffer) => (bytes += chunk.length));
    rawBytes.push(new Promise((resolve) => socket.on("close", () => resolve(bytes))));
  });
  store.listen(0, "127.0.0.1");
  await once(store, "listening");
});

afterAll(async () => {
  store?.close();
  await pki?.dispose();
});

async function proxy(): Promise<StoreProxy> {
  const { port } = store.address() as AddressInfo;
  return StoreProxy.start({ store: { host: "127.0.0.1", port }, cert: pki.server.cert, key: pki.server.key });
}

/** A device-like client: raw requests over one TLS connection, everything it gets back until the close. */
async function client(port: number): Promise<{ socket: tls.TLSSocket; send(text: string): void; answer(): Promise<string>; closed: Promise<string> }> {
  const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
  await once(socket, "secureConnect");
  let text = "";
  const waiters: (() => void)[] = [];
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString("latin1");
    for (const waiter of waiters.splice(0)) waiter();
  });
  const closed = new Promise<string>((resolve) => socket.on("close", () => resolve(text)));
  socket.on("error", () => {});
  return {
    socket,
    send: (request) => socket.write(Buffer.from(request, "latin1")),
    /** Resolves with everything received once a whole answer head and its body are in. */
    answer: () =>
      new Promise((resolve) => {
        const check = () => {
          const end = text.indexOf("\r\n\r\n");
          const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
          if (end >= 0 && text.length >= end + 4 + length) {
            const whole = text.slice(0, end + 4 + length);
            text = text.slice(whole.length);
            resolve(whole);
          } else waiters.push(check);
        };
        check();
      }),
    closed,
  };
}

const put = (path: string, body: string) => `PUT ${path} HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: h\r\nRange: bytes=0-0\r\n\r\n`;

describe("the store proxy", () => {
  it("passes requests and answers through on one connection, and counts a PUT as stored only when the store answered 200 to all of it", async () => {
    const gate = await proxy();
    const device = await client(gate.port);
    device.send(put("/bucket/a%20b.log?sig=1", "hello"));
    expect(await device.answer()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    device.send(get("/bucket/a%20b.log?sig=2"));
    expect(await device.answer()).toMatch(/^HTTP\/1\.1 206 .*x$/s);
    device.send(put("/bucket/refuse.log", "no"));
    expect(await device.answer()).toMatch(/^HTTP\/1\.1 403 /);
    expect(gate.accepted).toBe(1);
    expect([...gate.stored.keys()]).toEqual(["/bucket/a b.log"]);
    expect(gate.stored.get("/bucket/a b.log")!.body.toString()).toBe("hello");
    expect(gate.exchanges.map((exchange) => [exchange.method, exchange.storeStatus])).toEqual([
      ["PUT", 200],
      ["GET", 206],
      ["PUT", 403],
    ]);
    device.socket.destroy();
    await gate.close();
  });

  it("cuts a request after exactly its fraction of bytes, head included, and leaves the next request alone", async () => {
    const gate = await proxy();
    const request = put("/bucket/cut.log", "0123456789".repeat(100));
    gate.arm({ match: (seen) => seen.path === "/bucket/cut.log", fault: { kind: "cut-request", fraction: 0.5 } });
    const before = rawBytes.length;
    const device = await client(gate.port);
    device.send(request);
    expect(await device.closed).toBe("");
    expect(await Promise.all(rawBytes.slice(before))).toEqual([Math.floor(request.length / 2)]);
    expect(gate.stored.has("/bucket/cut.log")).toBe(false);
    const again = await client(gate.port);
    again.send(request);
    expect(await again.answer()).toMatch(/^HTTP\/1\.1 200 /);
    expect(gate.stored.get("/bucket/cut.log")!.body.length).toBe(1000);
    again.socket.destroy();
    await gate.close();
  });

  it("cuts an answer after exactly its fraction of bytes", async () => {
    const gate = await proxy();
    gate.arm({ match: (seen) => seen.method === "GET", fault: { kind: "cut-response", fraction: 0.4 } });
    const device = await client(gate.port);
    device.send(put("/bucket/r.log", "abc"));
    const stored = await device.answer();
    device.send(get("/bucket/r.log"));
    const rest = await device.closed;
    const whole = stored.replace(/^HTTP\/1\.1 200 OK/, "HTTP/1.1 206 Partial Content").replace("Content-Length: 0", "Content-Length: 1");
    expect(rest.length).toBe(Math.floor(0.4 * (whole.length + 1)));
    expect(whole.startsWith(rest.slice(0, 12))).toBe(true);
    await gate.close();
  });

  it("answers 503 in the store's place as soon as the head is in, closes, and the store never sees the request", async () => {
    const gate = await proxy();
    const count = received.length;
    gate.arm({ match: (seen) => seen.path === "/bucket/early.log", fault: { kind: "answer", status: 503, when: "early" } });
    const device = await client(gate.port);
    device.send(put("/bucket/early.log", "x".repeat(5000)));
    const answer = await device.closed;
    expect(answer).toBe(s3Error(503, true).toString("latin1"));
    expect(answer).toContain("<Code>SlowDown</Code>");
    expect(received.length).toBe(count);
    await gate.close();
  });

  it("answers 500 after the body without the store, or in place of the store's own 200; only the latter is stored", async () => {
    const gate = await proxy();
    gate.arm({ match: (seen) => seen.path === "/bucket/body.log", fault: { kind: "answer", status: 500, when: "after-body" } });
    gate.arm({ match: (seen) => seen.path === "/bucket/store.log", fault: { kind: "answer", status: 500, when: "after-store" } });
    const count = received.length;
    const device = await client(gate.port);
    device.send(put("/bucket/body.log", "abc"));
    expect(await device.answer()).toBe(s3Error(500, false).toString("latin1"));
    device.send(put("/bucket/store.log", "def"));
    expect(await device.answer()).toBe(s3Error(500, false).toString("latin1"));
    device.send(put("/bucket/after.log", "ghi"));
    expect(await device.answer()).toMatch(/^HTTP\/1\.1 200 /);
    expect(received.slice(count).map((request) => request.url)).toEqual(["/bucket/store.log", "/bucket/after.log"]);
    expect([...gate.stored.keys()].sort()).toEqual(["/bucket/after.log", "/bucket/store.log"]);
    device.socket.destroy();
    await gate.close();
  });

  it("holds a request back before the store sees any of it", async () => {
    const gate = await proxy();
    gate.arm({ match: () => true, fault: { kind: "delay", ms: 300 } });
    const device = await client(gate.port);
    const sent = Date.now();
    device.send(put("/bucket/late.log", "late"));
    expect(await device.answer()).toMatch(/^HTTP\/1\.1 200 /);
    expect(received.at(-1)!.at - sent).toBeGreaterThanOrEqual(290);
    device.socket.destroy();
    await gate.close();
  });
});
