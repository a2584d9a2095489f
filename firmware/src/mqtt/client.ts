// An MQTT 3.1.1 client for the device: QoS 0 and 1, keep-alive, reconnects
// with backoff, and pause()/resume() to hand the board's one TLS session to
// something else. The connection comes from a Connector, so the same code
// runs over engine sockets (platform/net.ts) or anything a test hands in.
//
// A closure rather than a class: the minifier shortens local names but not
// property names, and this file is a good part of the device's flash budget.
import type { Connection, ConnectTarget, Connector } from "../net/connection.js";
import {
  DISCONNECT,
  encodeConnect,
  encodePuback,
  encodePublish,
  encodeSubscribe,
  markDuplicate,
  packetReader,
  PacketType,
  PINGREQ,
  type ConnectFields,
  type QoS,
  type Subscription,
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
  onConnect: (sessionPresent: boolean) => void;
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

type Timer = ReturnType<typeof setTimeout>;

interface Unacked {
  packet: string;
  acked: (sent: boolean) => void;
  timer?: Timer;
}

const DEFAULT_TIMEOUT = 30000;

function ignore(): void {}

// The engine throws on clearTimeout(undefined), clears every timer on
// clearTimeout(), and gives a fired timer's id to the next new timer. So a
// handle is cleared only if set, and forgotten (assign the undefined this
// returns) once cancelled or fired, lest it cancel someone else's timer.
function cancel(timer: Timer | undefined): undefined {
  if (timer) clearTimeout(timer);
  return undefined;
}

export function createMqttClient(options: MqttOptions): MqttClient {
  const connectPacket = encodeConnect(options);
  const timeout = options.timeout || DEFAULT_TIMEOUT;
  const keepalive = options.keepalive;
  const subscriptions: Subscription[] = [];
  const unacked: { [id: number]: Unacked } = {};
  /** pause() calls waiting for the last connection to close. */
  const pausing: (() => void)[] = [];
  let sock: Connection | undefined;
  /** CONNACK accepted on `sock`. */
  let ready = false;
  /** Not started, or paused: no reconnects. */
  let stopped = true;
  /** Packets waiting for `drain`; undefined when the connection may take a write now. */
  let queue: string[] | undefined;
  /** The CONNACK deadline, or the wait before reconnecting. */
  let timer: Timer | undefined;
  let pinger: Timer | undefined;
  let pingPending = false;
  let attempts = 0;
  let lastId = 0;
  /** Connections not closed yet, old ones included. */
  let open = 0;

  function start(): void {
    if (stopped) {
      stopped = false;
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
      stopped = true;
      timer = cancel(timer);
      if (sock) {
        sock.write((queue ? queue.join("") : "") + DISCONNECT);
        fail("paused");
      }
      return new Promise<void>((resolve) => {
        if (!open) return resolve();
        pausing.push(resolve);
        setTimeout(resolve, timeout);
      });
    },

    subscribe(topic, qos) {
      const subscription = { topic: topic, qos: qos };
      const packet = encodeSubscribe(nextId(), [subscription]);
      subscriptions.push(subscription);
      send(packet);
    },

    publish(topic, payload, publishOptions) {
      const how = publishOptions || {};
      const qos: QoS = how.qos ? 1 : 0;
      const id = qos ? nextId() : undefined;
      const packet = encodePublish({ topic: topic, payload: payload, qos: qos, retain: !!how.retain, dup: false, id: id });
      return qos
        ? new Promise<boolean>((acked) => {
            unacked[id!] = { packet: packet, acked: acked };
            transmit(id!);
          })
        : Promise.resolve(send(packet));
    },
  };

  function dial(): void {
    const read = packetReader(options.maxPacketSize, (packet) => {
      // A chunk may hold more packets after one that ended this connection.
      if (sock !== connection) return;
      // The broker's first packet must be CONNACK [MQTT-3.2.0-1].
      if (!ready && packet.type !== PacketType.Connack) return fail("expected CONNACK");
      if (packet.type === PacketType.Connack) {
        // Return codes 1-5 refuse the connection (3.2.2.3).
        if (packet.returnCode) return fail("refused, code " + packet.returnCode);
        timer = cancel(timer);
        ready = true;
        attempts = 0;
        pingPending = false;
        if (keepalive) pinger = setInterval(ping, keepalive * 1000);
        // Subscriptions go before retransmitted publishes, so replies to those cannot be missed.
        if (subscriptions.length) send(encodeSubscribe(nextId(), subscriptions));
        for (const id in unacked) transmit(+id);
        setTimeout(client.onConnect, 0, packet.sessionPresent);
      } else if (packet.type === PacketType.Publish) {
        if (packet.qos) send(encodePuback(packet.id!));
        // Deferred: a throwing handler surfaces as the engine's own
        // "Uncaught" report, outside the reader's call stack.
        setTimeout(client.onMessage, 0, packet.topic, packet.payload);
      } else if (packet.type === PacketType.Puback) {
        const done = unacked[packet.id];
        if (done) {
          cancel(done.timer);
          delete unacked[packet.id];
          done.acked(true);
        }
      } else if (packet.type === PacketType.Pingresp) pingPending = false;
    });
    queue = [];
    open++;
    timer = setTimeout(() => {
      timer = undefined;
      fail("no CONNACK");
    }, timeout);
    const connection: Connection = (sock = options.connector(options.target, {
      open: () => {
        if (sock === connection) connection.write(connectPacket);
      },
      data: (chunk) => {
        if (sock !== connection) return;
        try {
          read(chunk);
        } catch (error) {
          fail((error as Error).message);
        }
      },
      // The engine keeps unsent output in its variable store: one packet is
      // written at a time, the next once the previous has left.
      drain: () => {
        const next = sock === connection && queue && queue.shift();
        if (next) connection.write(next);
        else if (sock === connection) queue = undefined;
      },
      close: (_hadError, reason) => {
        open--;
        if (sock === connection) fail(reason || "closed");
        if (!open) pausing.splice(0).forEach((resolve) => resolve());
      },
    }));
  }

  /** Sends an unacknowledged QoS 1 publish now, and again after the timeout. */
  function transmit(id: number): void {
    const pending = unacked[id];
    if (!pending) return;
    pending.timer = cancel(pending.timer);
    if (!send(pending.packet)) return;
    pending.packet = markDuplicate(pending.packet);
    pending.timer = setTimeout(() => {
      pending.timer = undefined;
      transmit(id);
    }, timeout);
  }

  // No PINGRESP within a keep-alive period means the connection is dead;
  // the engine has no socket timeout of its own (docs/engine.md, "Sockets").
  function ping(): void {
    if (pingPending) return fail("no PINGRESP");
    pingPending = true;
    send(PINGREQ);
  }

  function send(packet: string): boolean {
    if (ready) {
      if (queue) queue.push(packet);
      else {
        queue = [];
        sock!.write(packet);
      }
    }
    return ready;
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
    sock = undefined;
    ready = false;
    queue = undefined;
    timer = cancel(timer);
    pinger = cancel(pinger);
    ended.end();
    setTimeout(client.onClose, 0, reason);
    if (stopped) return;
    const wait = Math.min(options.backoff.max, options.backoff.min * Math.pow(2, attempts++));
    timer = setTimeout(() => {
      timer = undefined;
      dial();
    }, wait - (Math.random() * wait) / 2);
  }

  return client;
}
