// MQTT 3.1.1 packets as binary strings (bytes 0-255): encoders for what a
// device sends, and an incremental reader for what a broker sends it. Pure:
// no I/O, no timers. Section numbers and rule ids are those of the OASIS
// MQTT 3.1.1 standard.
//
// Text fields (client id, topics) go out as they are: the wire wants UTF-8
// (1.5.3) and engine strings are bytes, so the caller keeps them ASCII, which
// UTF-8 leaves unchanged. The device's are its id, checked at provisioning
// (protocol/topics.ts), under a fixed prefix. Payloads are binary data.
//
// CONNECT carries no user name or password: devices prove who they are with
// their TLS client certificate (Mosquitto takes its CN as the user name, AWS
// IoT the certificate itself), so the codec leaves both out.

export const enum PacketType {
  Connack = 2,
  Publish = 3,
  Puback = 4,
  Suback = 9,
  Pingresp = 13,
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

/**
 * What the reader hands on for each packet a broker sent. `code` is the
 * packet id of a PUBACK or a QoS 1 PUBLISH (0 for QoS 0), or CONNACK's
 * return code (0 accepted, 1-5 refused, 3.2.2.3); `topic` and `payload` come
 * only with a PUBLISH. SUBACK and PINGRESP carry nothing the client needs.
 */
export type PacketHandler = (type: PacketType, code: number, topic?: string, payload?: string) => void;

const chr = String.fromCharCode;

export const PINGREQ = "\xc0\x00";
export const DISCONNECT = "\xe0\x00";

export function encodeConnect(fields: ConnectFields): string {
  const will = fields.will;
  let flags = fields.cleanSession ? 2 : 0;
  let payload = binary(fields.clientId);
  // Payload order is fixed: client id, then will topic and will message (3.1.3).
  if (will) {
    flags |= 4 | ((will.qos || 0) << 3) | (will.retain ? 32 : 0);
    payload += binary(will.topic) + binary(will.payload);
  }
  // Protocol name "MQTT", level 4 [MQTT-3.1.2-1, -2].
  return packet(0x10, "\0\x04MQTT\x04" + chr(flags) + u16(fields.keepalive) + payload);
}

/** QoS 1 when given a packet id, QoS 0 without. */
export function encodePublish(topic: string, payload: string, retain?: boolean, id?: number): string {
  return packet(0x30 | (id ? 2 : 0) | (retain ? 1 : 0), binary(topic) + (id ? u16(id) : "") + payload);
}

/** The same PUBLISH marked as a retransmission [MQTT-3.3.1-1]. */
export function markDuplicate(publish: string): string {
  return chr(publish.charCodeAt(0) | 8) + publish.slice(1);
}

export function encodePuback(id: number): string {
  return "\x40\x02" + u16(id);
}

/** A topic filter and its QoS as SUBSCRIBE lists them (3.8.3); one packet may list several. */
export function encodeFilter(filter: string, qos: QoS): string {
  return binary(filter) + chr(qos);
}

/** `filters`: one or more encodeFilter() results, joined. */
export function encodeSubscribe(id: number, filters: string): string {
  // Fixed header flags 0010 [MQTT-3.8.1-1].
  return packet(0x82, u16(id) + filters);
}

/**
 * Reads packets out of a byte stream cut anywhere: feed it every chunk the
 * connection delivers. It throws on a malformed or oversized packet; the
 * connection is then unusable [MQTT-4.8.0-1] and the reader goes with it.
 * `maxSize` bounds a whole packet, fixed header included.
 */
export function packetReader(maxSize: number, handle: PacketHandler): (chunk: string) => void {
  /** What has come of the current packet (and any after it). */
  let buffer = "";
  return (chunk) => {
    let byte: number;
    buffer += chunk;
    for (;;) {
      // Remaining Length: seven bits a byte, least significant first, high
      // bit set when another byte follows; at most four bytes (2.2.3).
      let remaining = 0;
      let at = 1;
      do {
        if (at >= buffer.length) return;
        byte = buffer.charCodeAt(at);
        remaining += (byte & 127) << (7 * at++ - 7);
        if (at > 4 && byte & 128) throw malformed("Remaining Length");
      } while (byte & 128);
      // Refused from its header, before any more of it is held in memory.
      const size = at + remaining;
      if (size > maxSize) throw new Error("MQTT: packet too big: " + size + " > " + maxSize);
      if (buffer.length < size) return;
      decode(buffer.charCodeAt(0), buffer.slice(at, size), handle);
      buffer = buffer.slice(size);
    }
  };
}

function decode(first: number, body: string, handle: PacketHandler): void {
  const type: PacketType = first >> 4;
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
    return handle(type, qos && readU16(body, topicEnd), body.slice(2, topicEnd), body.slice(payloadStart));
  }
  // Every other packet a broker sends has its flags at 0 [MQTT-2.2.2-2] and
  // a set length: 2 for CONNACK and PUBACK, 0 for PINGRESP, a packet id and
  // at least one return code for SUBACK. Anything else was never asked for.
  const fits =
    type === PacketType.Connack || type === PacketType.Puback ? size === 2 : type === PacketType.Suback ? size > 2 : type === PacketType.Pingresp && !size;
  if (flags || !fits) throw malformed("packet " + first + "/" + size);
  handle(type, type === PacketType.Connack ? body.charCodeAt(1) : word);
}

function malformed(what: string): Error {
  return new Error("MQTT: bad " + what);
}

function packet(first: number, body: string): string {
  // Seven bits a byte, least significant first, high bit = more follow (2.2.3).
  // Four length bytes carry 256 MB, more than a device can hold.
  let length = body.length;
  let header = chr(first);
  do {
    const digit = length & 127;
    length >>= 7;
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
 * A string field or binary data: a two-byte length, then the bytes (1.5.3,
 * 3.1.3.3). Nothing near 64 KB fits in the engine's variable store, so the
 * length is not checked.
 */
function binary(bytes: string): string {
  return u16(bytes.length) + bytes;
}
