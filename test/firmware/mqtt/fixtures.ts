// MQTT 3.1.1 packets as the device codec sees them, the bytes on the wire,
// and the same packet as mqtt-packet (MQTT.js's codec) describes it. The
// bytes were written from the standard's figures; the tests check every row
// against both codecs.
import { Buffer } from "node:buffer";
import type { Packet as ReferencePacket } from "mqtt-packet";
import {
  DISCONNECT,
  encodeConnect,
  encodeFilter,
  encodePublish,
  encodeWithId,
  PacketFirstByte,
  PINGREQ,
  PacketType,
  type ConnectFields,
  type PacketHandler,
} from "../../../firmware/src/mqtt/packets.js";

/** What the reader hands its handler for one packet: the handler's arguments. */
export type Decoded = Parameters<PacketHandler>;

export interface Fixture {
  name: string;
  /** Hex of the whole packet. */
  bytes: string;
  reference: ReferencePacket;
  /** The device encodes this packet (device to broker). */
  encode?: () => string;
  /** The device decodes it to this (broker to device). */
  decoded?: Decoded;
}

const bin = (text: string): Buffer => Buffer.from(text, "latin1");

const connect = (fields: ConnectFields) => () => encodeConnect(fields);

export const FIXTURES: Fixture[] = [
  {
    name: "CONNECT, clean session, no will",
    bytes: "101000044d5154540402003c000464657631",
    encode: connect({ clientId: "dev1", cleanSession: true, keepalive: 60 }),
    reference: { cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId: "dev1", keepalive: 60 },
  },
  {
    name: "CONNECT, persistent session, retained QoS 1 will",
    bytes: "102b00044d515454042c001e000464657631001066657272792f646576312f737461746500076f66666c696e65",
    encode: connect({
      clientId: "dev1",
      cleanSession: false,
      keepalive: 30,
      will: { topic: "ferry/dev1/state", payload: "offline", qos: 1, retain: true },
    }),
    reference: {
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clean: false,
      clientId: "dev1",
      keepalive: 30,
      will: { topic: "ferry/dev1/state", payload: bin("offline"), qos: 1, retain: true },
    },
  },
  {
    name: "CONNECT, keep-alive off",
    bytes: "100d00044d51545404020000000164",
    encode: connect({ clientId: "d", cleanSession: true, keepalive: 0 }),
    reference: { cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId: "d", keepalive: 0 },
  },
  {
    name: "CONNECT with an empty client id and a QoS 0 will",
    bytes: "101400044d5154540406ffff00000001740003686921",
    encode: connect({ clientId: "", cleanSession: true, keepalive: 65535, will: { topic: "t", payload: "hi!" } }),
    reference: {
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clean: true,
      clientId: "",
      keepalive: 65535,
      will: { topic: "t", payload: bin("hi!"), qos: 0, retain: false },
    },
  },
  {
    name: "CONNACK accepted",
    bytes: "20020000",
    decoded: [PacketType.Connack, 0],
    reference: { cmd: "connack", sessionPresent: false, returnCode: 0 },
  },
  {
    name: "CONNACK accepted, session present",
    bytes: "20020100",
    // The flags byte above the return code: the client reads the low byte.
    decoded: [PacketType.Connack, 0x0100],
    reference: { cmd: "connack", sessionPresent: true, returnCode: 0 },
  },
  {
    name: "CONNACK refused, not authorized",
    bytes: "20020005",
    decoded: [PacketType.Connack, 5],
    reference: { cmd: "connack", sessionPresent: false, returnCode: 5 },
  },
  {
    name: "PUBLISH QoS 0",
    bytes: "300a0005612f622f63686921",
    encode: () => encodePublish("a/b/c", "hi!"),
    decoded: [PacketType.Publish, 0, "a/b/c", "hi!"],
    reference: { cmd: "publish", topic: "a/b/c", payload: bin("hi!"), qos: 0, retain: false, dup: false },
  },
  {
    name: "PUBLISH QoS 1, retained, binary payload",
    bytes: "330a0001741234000180ff0a",
    encode: () => encodePublish("t", "\x00\x01\x80\xff\x0a", true, 0x1234),
    decoded: [PacketType.Publish, 0x1234, "t", "\x00\x01\x80\xff\x0a"],
    reference: { cmd: "publish", topic: "t", payload: bin("\x00\x01\x80\xff\x0a"), qos: 1, retain: true, dup: false, messageId: 0x1234 },
  },
  {
    name: "PUBLISH QoS 1, DUP, empty payload, id 65535",
    bytes: "3a05000178ffff",
    encode: () => encodePublish("x", "", false, 65535, true),
    decoded: [PacketType.Publish, 65535, "x", ""],
    reference: { cmd: "publish", topic: "x", payload: bin(""), qos: 1, retain: false, dup: true, messageId: 65535 },
  },
  {
    name: "PUBACK",
    bytes: "40020001",
    encode: () => encodeWithId(PacketFirstByte.Puback, 1, ""),
    decoded: [PacketType.Puback, 1],
    reference: { cmd: "puback", messageId: 1 },
  },
  {
    name: "PUBACK, high id",
    bytes: "4002beef",
    encode: () => encodeWithId(PacketFirstByte.Puback, 0xbeef, ""),
    decoded: [PacketType.Puback, 0xbeef],
    reference: { cmd: "puback", messageId: 0xbeef },
  },
  {
    name: "SUBSCRIBE, one filter",
    bytes: "82140007000f66657272792f2b2f642f7265706c7901",
    encode: () => encodeWithId(PacketFirstByte.Subscribe, 7, encodeFilter("ferry/+/d/reply", 1)),
    reference: { cmd: "subscribe", messageId: 7, subscriptions: [{ topic: "ferry/+/d/reply", qos: 1 }] },
  },
  {
    name: "SUBSCRIBE, two filters",
    bytes: "820e01020003612f230100032f2b2f00",
    encode: () => encodeWithId(PacketFirstByte.Subscribe, 258, encodeFilter("a/#", 1) + encodeFilter("/+/", 0)),
    reference: {
      cmd: "subscribe",
      messageId: 258,
      subscriptions: [
        { topic: "a/#", qos: 1 },
        { topic: "/+/", qos: 0 },
      ],
    },
  },
  {
    name: "SUBACK, granted and refused",
    bytes: "90050007010080",
    decoded: [PacketType.Suback, 7],
    reference: { cmd: "suback", messageId: 7, granted: [1, 0, 0x80] },
  },
  {
    name: "PINGREQ",
    bytes: "c000",
    encode: () => PINGREQ,
    reference: { cmd: "pingreq" },
  },
  {
    name: "PINGRESP",
    bytes: "d000",
    decoded: [PacketType.Pingresp, 0],
    reference: { cmd: "pingresp" },
  },
  {
    name: "DISCONNECT",
    bytes: "e000",
    encode: () => DISCONNECT,
    reference: { cmd: "disconnect" },
  },
];
