// The fault proxies fault one request or answer of a kept-alive connection and
// leave the rest alone, and judge the device by what the store answered, so
// they must find message boundaries wherever TCP splits the stream.
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { RequestFramer, ResponseFramer, type MessageHead, type Piece } from "./http-framing.js";
import { PacketFramer, publishPacket, readPublish, remainingLength } from "./mqtt-framing.js";

/** Every way of cutting `stream` in two, plus one byte at a time. */
function splits(stream: Buffer): Buffer[][] {
  const ways = Array.from({ length: stream.length + 1 }, (_, at) => [stream.subarray(0, at), stream.subarray(at)]);
  ways.push([...stream].map((byte) => Buffer.from([byte])));
  return ways;
}

/** The pieces regrouped per message, with each message's head and whether it ended. */
function messages<Head extends MessageHead>(pieces: Piece<Head>[]): { head: Head; bytes: string; ended: boolean }[] {
  const out: { head: Head; bytes: string; ended: boolean }[] = [];
  for (const piece of pieces) {
    const message = (out[piece.message] ??= { head: piece.head, bytes: "", ended: false });
    expect(message.ended).toBe(false);
    expect(piece.offset).toBe(Buffer.byteLength(message.bytes, "latin1"));
    message.bytes += piece.bytes.toString("latin1");
    message.ended = piece.last;
  }
  return out;
}

describe("RequestFramer", () => {
  const put = "PUT /bucket/devices/d/logs/1.log?X-Amz-Signature=ab HTTP/1.1\r\nHost: 127.0.0.1:9\r\nContent-Length: 7\r\n\r\n\r\n\r\nabc";
  const get = "GET /bucket/devices/d/logs/1.log?X-Amz-Signature=cd HTTP/1.1\r\nHost: 127.0.0.1:9\r\nRange: bytes=0-0\r\n\r\n";
  const empty = "PUT /bucket/e HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n";

  it("finds every request's head and body, a body that looks like a head included, wherever the stream is cut", () => {
    for (const chunks of splits(Buffer.from(put + get + empty, "latin1"))) {
      const framer = new RequestFramer();
      const found = messages(chunks.flatMap((chunk) => framer.feed(chunk)));
      expect(found.map((message) => message.bytes)).toEqual([put, get, empty]);
      expect(found.every((message) => message.ended)).toBe(true);
      expect(found.map((message) => [message.head.method, message.head.target.split("?")[0], message.head.bodyBytes])).toEqual([
        ["PUT", "/bucket/devices/d/logs/1.log", 7],
        ["GET", "/bucket/devices/d/logs/1.log", 0],
        ["PUT", "/bucket/e", 0],
      ]);
      expect(found[0]!.head.headBytes).toBe(put.length - 7);
    }
  });

  it("hands on nothing of a message until its head is complete", () => {
    const framer = new RequestFramer();
    expect(framer.feed(Buffer.from(put.slice(0, put.indexOf("\r\n\r\n") + 3), "latin1"))).toEqual([]);
    expect(framer.feed(Buffer.from("\n"))).toHaveLength(1);
  });
});

describe("ResponseFramer", () => {
  const continued = "HTTP/1.1 100 Continue\r\n\r\n";
  const stored = 'HTTP/1.1 200 OK\r\nETag: "9a0364b9e99bb480dd25e1f0284c8555"\r\nContent-Length: 0\r\n\r\n';
  const ranged = "HTTP/1.1 206 Partial Content\r\nTransfer-Encoding: chunked\r\n\r\n1;ext=1\r\nA\r\n0\r\nX-Trailer: y\r\n\r\n";
  const head = "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n";
  const refused = "HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nContent-Length: 37\r\n\r\n<Error><Code>AccessDenied</Code></Error>".slice(0, -3);
  const methods = ["PUT", "GET", "HEAD", "GET"];

  it("numbers each answer as the request it answers: interim answers, chunked bodies, HEAD and Content-Length", () => {
    const stream = Buffer.from(continued + stored + ranged + head + refused, "latin1");
    for (const chunks of splits(stream)) {
      const framer = new ResponseFramer((message) => methods[message]);
      const pieces = chunks.flatMap((chunk) => framer.feed(chunk));
      const byMessage = new Map<number, string>();
      for (const piece of pieces) byMessage.set(piece.message, (byMessage.get(piece.message) ?? "") + piece.bytes.toString("latin1"));
      expect([...byMessage.values()]).toEqual([continued + stored, ranged, head, refused]);
      expect(pieces.filter((piece) => piece.last).map((piece) => [piece.message, piece.head.status])).toEqual([
        [0, 100],
        [0, 200],
        [1, 206],
        [2, 200],
        [3, 403],
      ]);
    }
  });
});

describe("MQTT framing", () => {
  const packets = [
    mqttPacket.generate({ cmd: "connack", returnCode: 0, sessionPresent: false }),
    mqttPacket.generate({ cmd: "publish", topic: "ferry/d/presign/reply", payload: Buffer.alloc(300, 7), qos: 1, messageId: 9, dup: false, retain: false }),
    mqttPacket.generate({ cmd: "pingresp" }),
    mqttPacket.generate({ cmd: "publish", topic: "t", payload: Buffer.alloc(20_000, 1), qos: 0, dup: false, retain: false }),
  ];

  it("cuts a stream into whole packets wherever it is split", () => {
    for (const chunks of splits(Buffer.concat(packets.slice(0, 3)))) {
      const framer = new PacketFramer();
      expect(chunks.flatMap((chunk) => framer.feed(chunk))).toEqual(packets.slice(0, 3));
    }
    const framer = new PacketFramer();
    expect(framer.feed(packets[3]!.subarray(0, 3))).toEqual([]);
    expect(framer.feed(packets[3]!.subarray(3))).toEqual([packets[3]]);
  });

  it("reads a PUBLISH's topic and payload at QoS 0 and 1, and nothing from other packets", () => {
    expect(readPublish(packets[1]!)).toEqual({ topic: "ferry/d/presign/reply", payload: Buffer.alloc(300, 7), qos: 1 });
    expect(readPublish(packets[3]!)?.payload.length).toBe(20_000);
    expect(readPublish(packets[0]!)).toBeUndefined();
  });

  it("builds what mqtt-packet builds", () => {
    expect(publishPacket("ferry/d/presign/reply", Buffer.from("{}"))).toEqual(
      mqttPacket.generate({ cmd: "publish", topic: "ferry/d/presign/reply", payload: Buffer.from("{}"), qos: 0, dup: false, retain: false }),
    );
    for (const length of [3, 127, 128, 16_383, 16_384, 100_000]) {
      const packet = mqttPacket.generate({ cmd: "publish", topic: "t", payload: Buffer.alloc(length - 3), qos: 0, dup: false, retain: false });
      expect(remainingLength(length)).toEqual(packet.subarray(1, packet.length - length));
    }
    // The largest values of the table in MQTT 3.1.1 §2.2.3.
    expect(remainingLength(2_097_151)).toEqual(Buffer.from([0xff, 0xff, 0x7f]));
    expect(remainingLength(2_097_152)).toEqual(Buffer.from([0x80, 0x80, 0x80, 0x01]));
    expect(remainingLength(268_435_455)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0x7f]));
  });
});
