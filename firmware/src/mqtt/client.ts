// An MQTT 3.1.1 client for the device: QoS 0 and 1, keep-alive, reconnects
// with backoff, and pause()/resume() to hand the board's one TLS session to
// something else. The connection comes from a Connector, so the same code
// runs over engine sockets (platform/net.ts) or anything a test hands in.
//
// A closure rather than a class: the minifier always shortens local names,
// property names only where they stay inside the bundle, and this file is a
// good part of the device's flash budget.
import type { Connection, ConnectTarget, Connector } from "../net/connection.js";
import { after } from "../platform/time.js";
import {
  DISCONNECT,
  encodeConnect,
  encodeFilter,
  encodePublish,
  encodeWithId,
  PacketFirstByte,
  packetReader,
  PacketType,
  PINGREQ,
  type ConnectFields,
  type QoS,
} from "./packets.js";

export interface MqttOptions extends ConnectFields {
  connector: Connector;
  target: ConnectTarget;
  /** Largest packet taken from the broker, header included; a bigger one drops the connection. */
  maxPacketSize: number;
  /** Milliseconds before a reconnect: doubling from `min` to at most `max`, less up to half at random. */
  backoff: { min: number; max: number };
  /** Milliseconds to wait for CONNACK, for a PUBACK before sending again, and for the close after pause(). Default 30 s. */
  timeout?: number;
}

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
}

export interface MqttClient {
  /** A PUBLISH from the broker; the payload is bytes as a string. */
  onMessage: (topic: string, payload: string) => void;
  /** The broker accepted the connection (after every reconnect too). */
  onConnect: () => void;
  /** A connection ended, or an attempt failed; the reason is for logs. */
  onClose: (reason: string) => void;
  /** Starts connecting; the client reconnects on its own from then on. */
  connect(): void;
  /** Connects again after pause(). */
  resume(): void;
  /**
   * Disconnects cleanly (the broker then drops the will [MQTT-3.14.4-3]) and
   * stays offline until resume(). Resolves once every connection is closed
   * and its memory given back, or after the timeout if one never closes.
   */
  pause(): Promise<void>;
  /** Subscribes now if connected, and again after every reconnect. */
  subscribe(topic: string, qos: QoS): void;
  /**
   * QoS 1 resolves true on PUBACK, sending again (marked DUP) after every
   * reconnect and timeout until then. QoS 0 resolves true once handed to the
   * connection, false when dropped because the client is offline.
   */
  publish(topic: string, payload: string, options?: PublishOptions): Promise<boolean>;
}

/** How far the current connection has come. */
const enum Phase {
  /** Not open yet: nothing may be written, not even DISCONNECT. */
  Opening,
  /** CONNECT written, CONNACK awaited. */
  Greeted,
  /** CONNACK accepted: packets flow. */
  Ready,
}

const DEFAULT_TIMEOUT = 30000;

function ignore(): void {}

export function createMqttClient(options: MqttOptions): MqttClient {
  const timeout = options.timeout || DEFAULT_TIMEOUT;
  const keepalive = options.keepalive * 1000;
  /** QoS 1 publishes awaiting PUBACK, by packet id: each sends its PUBLISH (again), or with `true` takes the PUBACK. */
  const unacked: { [id: number]: (acked?: boolean) => void } = {};
  /** pause() calls waiting for the last connection to close. */
  const pausing: (() => void)[] = [];
  /** Every filter subscribed to, as SUBSCRIBE lists them: asked for again on each connection. */
  let filters = "";
  let sock: Connection | undefined;
  /** How far the current connection has come; unset before the first. */
  let phase: Phase;
  /** Started and not paused: reconnects. */
  let active: boolean | undefined;
  /** Packets waiting for `drain`; undefined when the connection may take a write now. */
  let queue: string[] | undefined;
  /**
   * Cancels the one wait there is at a time: for CONNACK while connecting,
   * until the next PINGREQ while connected, before reconnecting after a close.
   */
  let stopWaiting = ignore;
  /** Cancels pause()'s limit on waiting for a close that may never come. */
  let stopPauseLimit = ignore;
  /** A wait is running that only a packet from the broker ends: for CONNACK, or for anything after a PINGREQ. Set by dial(). */
  let awaiting: boolean;
  /** The last wait before reconnecting; 0 after a CONNACK. */
  let backoff = 0;
  let lastId = 0;
  /** Connections not closed yet, old ones included. */
  let open = 0;

  function start(): void {
    if (!active) {
      active = true;
      dial();
    }
  }

  const client: MqttClient = {
    onMessage: ignore,
    onConnect: ignore,
    onClose: ignore,
    connect: start,
    resume: start,

    pause() {
      active = false;
      stopWaiting();
      if (sock) {
        // DISCONNECT only once past Opening, after CONNECT: a socket written
        // before it opens would send it first.
        if (phase) sock.write((queue || []).join("") + DISCONNECT);
        fail("paused");
      }
      return new Promise<void>((resolve) => {
        pausing.push(resolve);
        stopPauseLimit();
        stopPauseLimit = after(timeout, released);
        if (!open) released();
      });
    },

    subscribe(topic, qos) {
      const filter = encodeFilter(topic, qos);
      filters += filter;
      send(encodeWithId(PacketFirstByte.Subscribe, nextId(), filter));
    },

    publish(topic, payload, how) {
      const wanted = how || {};
      const id = wanted.qos ? nextId() : 0;
      let stopResend = ignore;
      let duplicate: boolean | undefined;
      return new Promise<boolean>((resolve) => {
        if (!id) return resolve(send(encodePublish(topic, payload, wanted.retain)));
        const transmit = (unacked[id] = (acked?: boolean) => {
          stopResend();
          if (acked) {
            delete unacked[id];
            resolve(true);
          } else if (send(encodePublish(topic, payload, wanted.retain, id, duplicate))) {
            duplicate = true;
            stopResend = after(timeout, transmit);
          }
        });
        transmit();
      });
    },
  };

  function dial(): void {
    const read = packetReader(options.maxPacketSize, (type, code, topic, payload) => {
      // A chunk may hold more packets after one that ended this connection
      // (only fail() changes `sock` while a chunk is read: to undefined).
      if (!sock) return;
      // Anything from the broker shows the connection alive, a PINGRESP included.
      awaiting = false;
      if (phase !== Phase.Ready) {
        // The broker's first packet must be CONNACK [MQTT-3.2.0-1], with
        // return code (its low byte, 3.2.2.3) 0; else the reason shows both.
        if (type !== PacketType.Connack || (code &= 255)) return fail("refused " + type + "/" + code);
        stopWaiting();
        phase = Phase.Ready;
        backoff = 0;
        if (keepalive) stopWaiting = after(keepalive, ping);
        // Subscriptions go before retransmitted publishes, so replies to those cannot be missed.
        if (filters) send(encodeWithId(PacketFirstByte.Subscribe, nextId(), filters));
        for (const id in unacked) unacked[id]!();
        setTimeout(client.onConnect, 0);
      } else if (type === PacketType.Publish) {
        if (code) send(encodeWithId(PacketFirstByte.Puback, code, ""));
        // Deferred: a throwing handler surfaces as the engine's own
        // "Uncaught" report, outside the reader's call stack.
        setTimeout(client.onMessage, 0, topic!, payload!);
      } else if (type === PacketType.Puback) (unacked[code] || ignore)(true);
    });
    queue = [];
    open++;
    // No wait is running here: a reconnect's has just ended, pause() ended any other.
    awaiting = true;
    stopWaiting = after(timeout, ping);
    const connection: Connection = (sock = options.connector(options.target, {
      open: () => {
        if (sock !== connection) return;
        phase = Phase.Greeted;
        connection.write(encodeConnect(options));
      },
      data: (chunk) => {
        if (sock !== connection) return;
        try {
          read(chunk);
        } catch (reason) {
          // The reader's own reasons are strings; anything else shows as "Error: ...".
          fail("" + reason);
        }
      },
      // The engine keeps unsent output in its variable store: one packet is
      // written at a time, the next once the previous has left.
      drain: () => {
        if (sock !== connection || !queue) return;
        if (queue[0]) connection.write(queue.shift()!);
        else queue = undefined;
      },
      close: (_hadError, reason) => {
        open--;
        if (sock === connection) fail(reason || "closed");
        if (!open) released();
      },
    }));
  }

  /** Every connection has closed (or pause() waited long enough): pause() may resolve. */
  function released(): void {
    stopPauseLimit();
    while (pausing.length) pausing.pop()!();
  }

  // No CONNACK within the timeout, or nothing from the broker, not even the
  // PINGRESP, within a keep-alive period after a PINGREQ: the connection is
  // dead. The engine has no socket timeout of its own (docs/engine.md, "Sockets").
  function ping(): void {
    if (awaiting) return fail("no answer");
    awaiting = true;
    send(PINGREQ);
    stopWaiting = after(keepalive, ping);
  }

  function send(packet: string): boolean {
    if (phase !== Phase.Ready) return false;
    if (queue) queue.push(packet);
    else {
      queue = [];
      sock!.write(packet);
    }
    return true;
  }

  function nextId(): number {
    // Packet ids are 1-65535 and not reused while in flight [MQTT-2.3.1-1, -2].
    do lastId = (lastId % 65535) + 1;
    while (unacked[lastId]);
    return lastId;
  }

  /** Every end of a connection comes here, once per connection. */
  function fail(reason: string): void {
    const ended = sock;
    if (!ended) return;
    // Packets still waiting for a drain go with the connection: a paused
    // client would otherwise hold them through the upload round.
    sock = queue = undefined;
    phase = Phase.Opening;
    stopWaiting();
    ended.end();
    setTimeout(client.onClose, 0, reason);
    if (!active) return;
    backoff = Math.min(options.backoff.max, backoff * 2 || options.backoff.min);
    stopWaiting = after(backoff - (Math.random() * backoff) / 2, dial);
  }

  return client;
}
