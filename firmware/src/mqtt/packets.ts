// MQTT 3.1.1 packets as binary strings (bytes 0-255): encoders for what a
// device sends, and an incremental reader for what a broker sends it. Pure:
// no I/O, no timers. Section numbers and rule ids are those of the OASIS
// MQTT 3.1.1 standard.
//
// Text fields (client id, topics) go out as they are: the wire wants UTF-8
// (1.5.3) and engine strings are bytes, so the caller keeps them ASCII, which
// UTF-8 leaves unchanged. The device's are its id, checked at provisioning
// (protocol/topics.ts), under the configured prefix. Payloads are binary data.
//
// CONNECT carries no user name or password: devices prove who they are with
// their TLS client certificate (Mosquitto takes its CN as the user name, AWS
// IoT the certificate itself), so the codec leaves both out.

/** The first byte of the packets sent with encodeWithId(). */
export const enum PacketFirstByte {
  Puback = 0x40,
  /** Fixed header flags 0010 [MQTT-3.8.1-1]. */
  Subscribe = 0x82,
}

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
 * flags byte and return code (0 accepted, 1-5 refused, 3.2.2.3) in the low
 * byte; `topic` and `payload` come only with a PUBLISH. SUBACK and PINGRESP
 * carry nothing the client needs.
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
    // An absent QoS shifts as 0.
    flags |= 4 | (will.qos! << 3) | (will.retain ? 32 : 0);
    payload += binary(will.topic) + binary(will.payload);
  }
  // Protocol name "MQTT", level 4 [MQTT-3.1.2-1, -2].
  return packet(0x10, "\0\x04MQTT\x04" + chr(flags) + u16(fields.keepalive) + payload);
}

/** QoS 1 when given a packet id, QoS 0 without; `duplicate` marks a retransmission [MQTT-3.3.1-1]. */
export function encodePublish(topic: string, payload: string, retain?: boolean, id?: number, duplicate?: boolean): string {
  return packet(0x30 | (duplicate ? 8 : 0) | (id ? 2 : 0) | (retain ? 1 : 0), binary(topic) + (id ? u16(id) : "") + payload);
}

/** A topic filter and its QoS as SUBSCRIBE lists them (3.8.3); one packet may list several. */
export function encodeFilter(filter: string, qos: QoS): string {
  return binary(filter) + chr(qos);
}

/**
 * A packet that is a packet id and `rest`: PUBACK (nothing after the id) or
 * SUBSCRIBE (one or more encodeFilter() results, joined).
 */
export function encodeWithId(first: PacketFirstByte, id: number, rest: string): string {
  return packet(first, u16(id) + rest);
}

/**
 * Reads packets out of a byte stream cut anywhere: feed it every chunk the
 * connection delivers. On a malformed or oversized packet it throws what
 * is wrong, as a string (a reason for the connection's end, not a bug); the
 * connection is then unusable [MQTT-4.8.0-1] and the reader goes with it.
 * `maxSize` bounds a whole packet, fixed header included.
 */
export function packetReader(maxSize: number, handle: PacketHandler): (chunk: string) => void {
  /** What has come of the current packet (and any after it). */
  let buffer = "";
  let byte: number;
  return (chunk) => {
    buffer += chunk;
    for (;;) {
      // Remaining Length: seven bits a byte, least significant first, high
      // bit set when another byte follows; at most four bytes (2.2.3).
      let size = 0;
      let at = 1;
      do {
        if (at >= buffer.length) return;
        byte = buffer.charCodeAt(at);
        size += (byte & 127) << (7 * at++ - 7);
      } while (byte & 128 && at < 5);
      const end = at + size;
      // Refused from its header, before any more of it is held in memory. A
      // fifth length byte would announce 256 MB or more: too big as well.
      if (end > maxSize || byte & 128) throw "packet too big: " + end + " > " + maxSize;
      if (buffer.length < end) return;
      const first = buffer.charCodeAt(0);
      const body = buffer.slice(at, end);
      buffer = buffer.slice(end);
      const type: PacketType = first >> 4;
      /** A packet id, CONNACK's flags and return code, or a PUBLISH's topic length. */
      const word = readU16(body, 0);
      const qos = (first >> 1) & 3;
      const topicEnd = 2 + word;
      const payloadStart = topicEnd + qos * 2;
      // QoS 3 is malformed [MQTT-3.3.1-4]; QoS 2 exceeds every subscription this client makes [MQTT-3.8.4-6].
      if (type === PacketType.Publish && qos < 2 && payloadStart <= size) {
        handle(type, qos && readU16(body, topicEnd), body.slice(2, topicEnd), body.slice(payloadStart));
      } else if (first === 0x20 || first === 0x40 ? size === 2 : first === 0x90 ? size > 2 : first === 0xd0 && !size) {
        // Every other packet a broker sends has its flags at 0 [MQTT-2.2.2-2] and
        // a set length: 2 for CONNACK and PUBACK, 0 for PINGRESP, a packet id and
        // at least one return code for SUBACK. Anything else was never asked for.
        handle(type, word);
      } else throw "bad packet " + first + "/" + size;
    }
  };
}

function packet(first: number, body: string): string {
  // Seven bits a byte, least significant first, high bit = more follow (2.2.3).
  // Four length bytes carry 256 MB, more than a device can hold.
  let length = body.length;
  let header = chr(first);
  do header += chr(length > 127 ? 128 | (length & 127) : length);
  while ((length >>= 7));
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
