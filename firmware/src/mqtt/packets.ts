// MQTT 3.1.1 packets as binary strings (bytes 0-255): encoders for what a
// device sends, and an incremental reader for what a broker sends it. Pure:
// no I/O, no timers. Section numbers and rule ids are those of the OASIS
// MQTT 3.1.1 standard.
//
// Strings on the wire are UTF-8 (1.5.3). Engine strings are bytes, so text
// fields (client id, topics) are limited to ASCII here, which is UTF-8
// unchanged; anything else is refused rather than sent wrong. Payloads are
// binary data and pass as they are.
//
// CONNECT carries no user name or password: devices prove who they are with
// their TLS client certificate (Mosquitto takes its CN as the user name, AWS
// IoT the certificate itself), so the codec leaves both out.

export const enum PacketType {
  Connect = 1,
  Connack = 2,
  Publish = 3,
  Puback = 4,
  Subscribe = 8,
  Suback = 9,
  Pingreq = 12,
  Pingresp = 13,
  Disconnect = 14,
}

/** QoS 2 is not supported: the device never asks for it. */
export type QoS = 0 | 1;

export interface Will {
  topic: string;
  payload: string;
  qos?: QoS;
  retain?: boolean;
}

export interface ConnectFields {
  clientId: string;
  cleanSession: boolean;
  /** Seconds; 0 turns keep-alive off (3.1.2.10). */
  keepalive: number;
  will?: Will;
}

export interface PublishFields {
  topic: string;
  payload: string;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** Present exactly when qos is 1. */
  id?: number;
}

export interface Subscription {
  topic: string;
  qos: QoS;
}

/** A packet the broker sent. */
export type Packet =
  | { type: PacketType.Connack; sessionPresent: boolean; returnCode: number }
  | ({ type: PacketType.Publish } & PublishFields)
  | { type: PacketType.Puback; id: number }
  | { type: PacketType.Suback; id: number; granted: number[] }
  | { type: PacketType.Pingresp };

const chr = String.fromCharCode;

export const PINGREQ = "\xc0\x00";
export const DISCONNECT = "\xe0\x00";

export function encodeConnect(fields: ConnectFields): string {
  const will = fields.will;
  let flags = fields.cleanSession ? 2 : 0;
  let payload = text(fields.clientId);
  // Payload order is fixed: client id, then will topic and will message (3.1.3).
  if (will) {
    flags |= 4 | ((will.qos || 0) << 3) | (will.retain ? 32 : 0);
    payload += topicName(will.topic) + binary(will.payload);
  }
  // Protocol name "MQTT", level 4 [MQTT-3.1.2-1, -2].
  return packet(0x10, "\0\x04MQTT\x04" + chr(flags) + u16(fields.keepalive) + payload);
}

export function encodePublish(fields: PublishFields): string {
  const first = 0x30 | (fields.dup ? 8 : 0) | (fields.qos << 1) | (fields.retain ? 1 : 0);
  return packet(first, topicName(fields.topic) + (fields.qos ? u16(fields.id!) : "") + fields.payload);
}

/** The same PUBLISH marked as a retransmission [MQTT-3.3.1-1]. */
export function markDuplicate(publish: string): string {
  return chr(publish.charCodeAt(0) | 8) + publish.slice(1);
}

export function encodePuback(id: number): string {
  return "\x40\x02" + u16(id);
}

export function encodeSubscribe(id: number, subscriptions: Subscription[]): string {
  let body = u16(id);
  for (const s of subscriptions) body += topicName(s.topic, true) + chr(s.qos);
  // Fixed header flags 0010 [MQTT-3.8.1-1].
  return packet(0x82, body);
}

/**
 * Reads packets out of a byte stream cut anywhere: feed it every chunk the
 * connection delivers. It throws on a malformed or oversized packet; the
 * connection is then unusable [MQTT-4.8.0-1] and the reader goes with it.
 * `maxSize` bounds a whole packet, fixed header included.
 */
export function packetReader(maxSize: number, emit: (packet: Packet) => void): (chunk: string) => void {
  /** What has come of the current packet (and any after it). */
  let buffer = "";
  return (chunk) => {
    buffer += chunk;
    for (;;) {
      // Remaining Length: seven bits a byte, least significant first, high
      // bit set when another byte follows; at most four bytes (2.2.3).
      let remaining = 0;
      let at = 1;
      let byte: number;
      do {
        if (at >= buffer.length) return;
        byte = buffer.charCodeAt(at);
        remaining += (byte & 127) * Math.pow(128, at++ - 1);
        if (at > 4 && byte & 128) throw malformed("Remaining Length");
      } while (byte & 128);
      // Refused from its header, before any more of it is held in memory.
      const size = at + remaining;
      if (size > maxSize) throw new Error("MQTT: packet too big: " + size + " > " + maxSize);
      if (buffer.length < size) return;
      const packet = decode(buffer.charCodeAt(0), buffer.slice(at, size));
      buffer = buffer.slice(size);
      emit(packet);
    }
  };
}

function decode(first: number, body: string): Packet {
  const type = first >> 4;
  const flags = first & 15;
  const size = body.length;
  /** A packet id, or a PUBLISH's topic length. */
  const word = readU16(body, 0);
  if (type === PacketType.Publish) {
    const qos = (flags >> 1) & 3;
    // QoS 3 is malformed [MQTT-3.3.1-4]; QoS 2 exceeds every subscription this client makes [MQTT-3.8.4-6].
    if (qos > 1) throw malformed("QoS " + qos);
    const topicEnd = 2 + word;
    const payloadStart = topicEnd + qos * 2;
    if (payloadStart > size) throw malformed("PUBLISH");
    const publish: Packet = {
      type,
      topic: body.slice(2, topicEnd),
      payload: body.slice(payloadStart),
      qos: qos as QoS,
      retain: (flags & 1) > 0,
      dup: (flags & 8) > 0,
    };
    if (qos) publish.id = readU16(body, topicEnd);
    return publish;
  }
  // Every other packet a broker sends has its flags at 0 [MQTT-2.2.2-2].
  if (!flags) {
    if (type === PacketType.Connack && size === 2) {
      return { type, sessionPresent: (body.charCodeAt(0) & 1) > 0, returnCode: body.charCodeAt(1) };
    }
    if (type === PacketType.Puback && size === 2) return { type, id: word };
    if (type === PacketType.Suback && size > 2) {
      const granted: number[] = [];
      for (let i = 2; i < size; i++) granted.push(body.charCodeAt(i));
      return { type, id: word, granted };
    }
    if (type === PacketType.Pingresp && size === 0) return { type };
  }
  throw malformed("packet " + first + "/" + size);
}

function malformed(what: string): Error {
  return new Error("MQTT: bad " + what);
}

function packet(first: number, body: string): string {
  // Four length bytes carry 256 MB (2.2.3), more than a device can hold.
  let length = body.length;
  let header = chr(first);
  // Seven bits a byte, least significant first, high bit = more follow (2.2.3).
  do {
    const digit = length % 128;
    length = (length - digit) / 128;
    header += chr(length ? digit | 128 : digit);
  } while (length);
  return header + body;
}

function u16(n: number): string {
  return chr(n >> 8, n & 255);
}

function readU16(bytes: string, at: number): number {
  return (bytes.charCodeAt(at) << 8) | bytes.charCodeAt(at + 1);
}

/**
 * Binary data: a two-byte length, then the bytes (1.5.3, 3.1.3.3). Nothing
 * near 64 KB fits in the engine's variable store, so the length is not checked.
 */
function binary(bytes: string): string {
  return u16(bytes.length) + bytes;
}

/** A UTF-8 string field, ASCII only; U+0000 is forbidden [MQTT-1.5.3-2]. */
function text(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 1 || c > 127) throw new Error("MQTT: not ASCII: " + s);
  }
  return binary(s);
}

/**
 * A topic name, or a filter when `filter` is set: never empty [MQTT-4.7.3-1];
 * wildcards only in filters [MQTT-3.3.2-2].
 */
function topicName(topic: string, filter?: boolean): string {
  if (!topic || (!filter && (topic.indexOf("+") >= 0 || topic.indexOf("#") >= 0))) {
    throw new Error("MQTT: bad topic " + topic);
  }
  return text(topic);
}
