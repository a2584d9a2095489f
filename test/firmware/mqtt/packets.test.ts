// The device's MQTT codec against byte fixtures and against mqtt-packet, the
// codec MQTT.js uses: every fixture is checked both ways with both codecs.
import { Buffer } from "node:buffer";
import mqttPacket, { type Packet as ReferencePacket } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { encodePublish, encodeConnect, packetReader, PacketType } from "../../../firmware/src/mqtt/packets.js";
import { FIXTURES, type Decoded } from "./fixtures.js";

const binary = (hex: string): string => Buffer.from(hex, "hex").toString("latin1");
const hex = (bytes: string): string => Buffer.from(bytes, "latin1").toString("hex");

function decodeAll(chunks: string[], maxSize = 1 << 30): Decoded[] {
  const packets: Decoded[] = [];
  const read = packetReader(maxSize, (...packet) => packets.push(packet));
  for (const chunk of chunks) read(chunk);
  return packets;
}

function referenceParse(bytes: string): ReferencePacket[] {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: ReferencePacket[] = [];
  const errors: Error[] = [];
  parser.on("packet", (packet: ReferencePacket) => packets.push(packet));
  parser.on("error", (error: Error) => errors.push(error));
  parser.parse(Buffer.from(bytes, "latin1"));
  if (errors.length > 0) throw errors[0];
  return packets;
}

function referenceGenerate(packet: ReferencePacket): string {
  return mqttPacket.generate(packet).toString("latin1");
}

/** A repeatable sequence of pseudo-random numbers (mulberry32). */
function randomSource(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("MQTT packet fixtures", () => {
  for (const fixture of FIXTURES) {
    describe(fixture.name, () => {
      const bytes = binary(fixture.bytes);

      it("are what mqtt-packet generates, and parse back to the same packet there", () => {
        expect(hex(referenceGenerate(fixture.reference))).toBe(fixture.bytes);
        expect(referenceParse(bytes)).toEqual([expect.objectContaining(fixture.reference)]);
      });

      if (fixture.encode) {
        it("are what the device encodes", () => {
          expect(hex(fixture.encode!())).toBe(fixture.bytes);
        });
      }

      if (fixture.decoded) {
        it("decode on the device to the expected packet", () => {
          expect(decodeAll([bytes])).toEqual([fixture.decoded]);
        });
      }
    });
  }
});

describe("the device codec against mqtt-packet on random packets", () => {
  const random = randomSource(0x5eed);
  const pick = (n: number): number => Math.floor(random() * n);
  const asciiTopic = (): string => {
    const levels = 1 + pick(4);
    const parts: string[] = [];
    for (let i = 0; i < levels; i++) {
      let level = "";
      for (let j = pick(12); j > 0; j--) level += String.fromCharCode(0x21 + pick(94)).replace(/[+#/]/, "_");
      parts.push(level);
    }
    const topic = parts.join("/");
    return topic === "" ? "t" : topic;
  };
  const bytes = (n: number): string => {
    let out = "";
    for (let i = 0; i < n; i++) out += String.fromCharCode(pick(256));
    return out;
  };
  /** A PUBLISH as the device encodes it: QoS 1 exactly when it has a packet id, DUP only then. */
  interface Publish {
    topic: string;
    payload: string;
    retain: boolean;
    id: number;
    dup: boolean;
  }
  const randomPublish = (): Publish => {
    const id = pick(2) ? 1 + pick(65535) : 0;
    return { topic: asciiTopic(), payload: bytes(pick(300)), retain: pick(2) === 1, id, dup: id > 0 && pick(2) === 1 };
  };
  const encode = (p: Publish): string => encodePublish(p.topic, p.payload, p.retain, p.id, p.dup);
  const asReference = (p: Publish): ReferencePacket => ({
    cmd: "publish",
    topic: p.topic,
    payload: Buffer.from(p.payload, "latin1"),
    qos: p.id ? 1 : 0,
    retain: p.retain,
    dup: p.dup,
    ...(p.id ? { messageId: p.id } : {}),
  });

  it("PUBLISH: mqtt-packet parses what the device encodes, and the device decodes what mqtt-packet generates", () => {
    for (let round = 0; round < 300; round++) {
      const fields = randomPublish();
      expect(referenceParse(encode(fields))).toEqual([expect.objectContaining(asReference(fields))]);
      expect(decodeAll([referenceGenerate(asReference(fields))])).toEqual([[PacketType.Publish, fields.id, fields.topic, fields.payload]]);
    }
  });

  it("CONNECT: mqtt-packet parses what the device encodes", () => {
    for (let round = 0; round < 100; round++) {
      const will = pick(2) ? { topic: asciiTopic(), payload: bytes(pick(50)), qos: pick(2) as 0 | 1, retain: pick(2) === 1 } : undefined;
      const fields = { clientId: asciiTopic().slice(0, 23), cleanSession: pick(2) === 1, keepalive: pick(65536), will };
      const [parsed] = referenceParse(encodeConnect(fields));
      expect(parsed).toMatchObject({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clientId: fields.clientId, clean: fields.cleanSession, keepalive: fields.keepalive });
      const expectedWill = will ? { topic: will.topic, payload: Buffer.from(will.payload, "latin1"), qos: will.qos, retain: will.retain } : undefined;
      expect((parsed as { will?: unknown }).will).toEqual(expectedWill);
      // Devices authenticate with their certificate: never a user name or password.
      expect((parsed as { username?: string }).username).toBeUndefined();
      expect((parsed as { password?: Buffer }).password).toBeUndefined();
    }
  });

  it("Remaining Length at every boundary of its 1 to 4 byte forms (2.2.3)", () => {
    // Remaining length = 2 + 1 (topic "t") + payload.
    for (const remaining of [0x7f, 0x80, 0x3fff, 0x4000, 0x1fffff, 0x200000]) {
      const fields: Publish = { topic: "t", payload: "z".repeat(remaining - 3), retain: false, id: 0, dup: false };
      const encoded = encode(fields);
      expect(encoded === referenceGenerate(asReference(fields))).toBe(true);
      expect(decodeAll([encoded])).toEqual([[PacketType.Publish, 0, "t", fields.payload]]);
    }
  });

  it("marks a retransmission DUP without touching anything else (MQTT-3.3.1-1)", () => {
    const fields: Publish = { topic: "a/b", payload: "\x00body\xff", retain: true, id: 42, dup: true };
    expect(hex(encode(fields))).toBe(hex(referenceGenerate(asReference(fields))));
    expect(hex(encode({ ...fields, dup: false })).slice(2)).toBe(hex(encode(fields)).slice(2));
  });
});

describe("the incremental reader", () => {
  const inbound = FIXTURES.filter((fixture) => fixture.decoded !== undefined);
  const stream = inbound.map((fixture) => binary(fixture.bytes)).join("");
  const expected = inbound.map((fixture) => fixture.decoded);

  it("gives the same packets fed one byte at a time", () => {
    expect(decodeAll(stream.split(""))).toEqual(expected);
  });

  it("gives the same packets split in two at every point", () => {
    for (let at = 0; at <= stream.length; at++) {
      expect(decodeAll([stream.slice(0, at), stream.slice(at)])).toEqual(expected);
    }
  });

  it("gives the same packets in engine-sized 536-byte reads of a long stream", () => {
    const payload = "x".repeat(3000);
    const long = stream + encodePublish("ferry/d/ota", payload, true, 9) + stream;
    const reads: string[] = [];
    for (let at = 0; at < long.length; at += 536) reads.push(long.slice(at, at + 536));
    expect(decodeAll(reads)).toEqual([...expected, [PacketType.Publish, 9, "ferry/d/ota", payload], ...expected]);
  });

  it("refuses a Remaining Length that does not end within 4 bytes, as too big whatever the limit", () => {
    // Four bytes of seven bits say 268,435,455; a fifth would say 256 MB or more.
    expect(() => decodeAll([binary("30ffffffff01")])).toThrow(/^packet too big: 268435460 > 1073741824$/);
    expect(() => decodeAll([binary("3080808080")])).toThrow(/^packet too big: 5 > 1073741824$/);
    // The largest four-byte value is legal; the reader waits for its body.
    expect(decodeAll([binary("30ffffff7f")])).toEqual([]);
  });

  it("refuses a packet over maxPacketSize from its header alone, holding none of its body", () => {
    // Remaining Length 200 in two bytes: a 203-byte packet.
    expect(() => decodeAll([binary("30c801")], 202)).toThrow(/^packet too big: 203 > 202$/);
    const exact = encodePublish("t", "p".repeat(197));
    expect(exact.length).toBe(203);
    expect(decodeAll([exact], 203)).toHaveLength(1);
  });

  const malformed: [string, string][] = [
    ["CONNACK of 3 bytes", "2003000000"],
    ["CONNACK with flags set (MQTT-2.2.2-2)", "21020000"],
    ["PUBACK of 3 bytes", "4003000100"],
    ["PUBACK with flags set", "42020001"],
    ["PUBLISH with QoS 3 (MQTT-3.3.1-4)", "3603000174"],
    ["PUBLISH with QoS 2, never subscribed", "34050001740001"],
    ["PUBLISH whose topic runs past the packet", "3003000561"],
    ["QoS 1 PUBLISH without its packet id", "3203000174"],
    ["empty PUBLISH", "3000"],
    ["SUBACK without return codes", "90020007"],
    ["PINGRESP with a body", "d00100"],
    ["CONNECT from the broker", "1000"],
    ["PUBREC (QoS 2 flow)", "50020001"],
    ["UNSUBACK, never unsubscribed", "b0020001"],
    ["reserved type 0", "0000"],
    ["reserved type 15", "f000"],
  ];
  for (const [name, bytes] of malformed) {
    it(`refuses ${name}`, () => {
      // The first byte and the Remaining Length (one byte in every row), in decimal.
      const [first, remaining] = [bytes.slice(0, 2), bytes.slice(2, 4)].map((byte) => parseInt(byte, 16));
      expect(() => decodeAll([binary(bytes)])).toThrow(new RegExp(`^bad packet ${first}/${remaining}$`));
    });
  }
});
