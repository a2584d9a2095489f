/**
 * MQTT 3.1.1 packet boundaries in a byte stream cut anywhere, and the
 * PUBLISH fields a fault test watches for. Pure, no I/O. Only what a proxy
 * needs: the device's own codec is tested elsewhere against mqtt-packet.
 */

export interface Publish {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: number;
}

/** Splits a stream into whole packets (fixed header, Remaining Length, body). */
export class PacketFramer {
  private pending: Buffer = Buffer.alloc(0);

  /** Whole packets completed by `chunk`; a partial one waits for more. */
  feed(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const packets: Buffer[] = [];
    for (;;) {
      const size = packetSize(this.pending);
      if (size === undefined || this.pending.length < size) break;
      packets.push(this.pending.subarray(0, size));
      this.pending = this.pending.subarray(size);
    }
    return packets;
  }
}

/** The whole packet's size, or undefined until its Remaining Length is in. */
function packetSize(bytes: Buffer): number | undefined {
  let length = 0;
  for (let i = 1; i <= 4; i++) {
    if (i >= bytes.length) return undefined;
    const byte = bytes[i]!;
    length += (byte & 0x7f) * 128 ** (i - 1);
    if ((byte & 0x80) === 0) return 1 + i + length;
  }
  throw new Error("an MQTT Remaining Length longer than 4 bytes (MQTT-2.2.3)");
}

/** The topic and payload of a PUBLISH packet; undefined for any other packet. */
export function readPublish(packet: Buffer): Publish | undefined {
  if (packet[0]! >> 4 !== 3) return undefined;
  const qos = (packet[0]! >> 1) & 3;
  let at = 1;
  while (packet[at]! & 0x80) at++;
  at++;
  const topicLength = packet.readUInt16BE(at);
  const topic = packet.subarray(at + 2, at + 2 + topicLength).toString("utf8");
  at += 2 + topicLength + (qos > 0 ? 2 : 0);
  return { topic, payload: packet.subarray(at), qos };
}

/** Remaining Length as MQTT encodes it (MQTT-2.2.3). */
export function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

/** A QoS 0 PUBLISH, as a broker would deliver it. */
export function publishPacket(topic: string, payload: Buffer): Buffer {
  const name = Buffer.from(topic, "utf8");
  const body = Buffer.concat([Buffer.from([name.length >> 8, name.length & 0xff]), name, payload]);
  return Buffer.concat([Buffer.from([0x30]), remainingLength(body.length), body]);
}

/**
 * Bytes no broker would send, each breaking one rule of MQTT 3.1.1; the
 * client must drop the connection (docs/device-mqtt.md) and connect again.
 */
export const MALFORMED_PACKETS = {
  /** Type 15 is reserved. */
  "reserved-type": Buffer.from([0xf0, 0x00]),
  /** QoS 3 (MQTT-3.3.1-4). */
  "qos3-publish": Buffer.concat([Buffer.from([0x36, 0x07, 0x00, 0x01, 0x74, 0x00, 0x01]), Buffer.from("xx")]),
  /** A fifth Remaining Length byte (MQTT-2.2.3). */
  "long-length": Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]),
  /** A PUBACK must be exactly two bytes long after its header. */
  "bad-puback": Buffer.from([0x40, 0x03, 0x00, 0x01, 0x00]),
  /** 1 MB announced, over any device's maxPacketSize; only the header is sent. */
  "oversized-header": Buffer.concat([Buffer.from([0x30]), remainingLength(1024 * 1024), Buffer.from([0x00, 0x01, 0x74])]),
} as const;
