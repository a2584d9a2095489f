/**
 * MQTT 5 clients (the `mqtt` package) connected to a test broker.
 */
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { Mosquitto } from "./mosquitto.js";
import type { ClientIdentity } from "./pki.js";

/**
 * Connects over mutual TLS as `identity` (its CN becomes the MQTT username).
 * Rejects when the broker refuses the connection, including by a TLS alert.
 */
export function connectWithCertificate(
  broker: Mosquitto,
  identity: ClientIdentity,
  options: IClientOptions = {},
): Promise<MqttClient> {
  return connectOnce(broker.tlsUrl, {
    ca: broker.ca,
    cert: identity.cert,
    key: identity.key,
    ...options,
  });
}

/** Connects anonymously to the plain listener. */
export function connectPlain(broker: Mosquitto, options: IClientOptions = {}): Promise<MqttClient> {
  return connectOnce(broker.url, options);
}

/**
 * One connection attempt, no reconnects. `mqtt.connectAsync` would hang when a
 * TLS handshake ends in a bare close, so a close before CONNACK rejects too.
 */
export function connectOnce(url: string, options: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 10_000, ...options });
    const settle = (error?: Error) => {
      client.removeListener("connect", onConnect);
      client.removeListener("error", onError);
      client.removeListener("close", onClose);
      if (error === undefined) {
        resolve(client);
      } else {
        client.end(true);
        reject(error);
      }
    };
    const onConnect = () => settle();
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(new Error(`${url} closed the connection before CONNACK`));
    client.once("connect", onConnect);
    client.once("error", onError);
    client.once("close", onClose);
  });
}

export interface ReceivedMessage {
  readonly topic: string;
  readonly payload: string;
}

/** Everything a client receives, in order, with a way to await a message. */
export class ReceivedMessages {
  readonly all: ReceivedMessage[] = [];
  private readonly waiters = new Set<{ matches: (message: ReceivedMessage) => boolean; resolve: (message: ReceivedMessage) => void }>();

  constructor(client: MqttClient) {
    client.on("message", (topic, payload) => {
      const message = { topic, payload: payload.toString("utf8") };
      this.all.push(message);
      for (const waiter of this.waiters) {
        if (waiter.matches(message)) {
          this.waiters.delete(waiter);
          waiter.resolve(message);
        }
      }
    });
  }

  /** The first message on `topic`, already received or still to come. */
  on(topic: string): Promise<ReceivedMessage> {
    const matches = (message: ReceivedMessage) => message.topic === topic;
    const received = this.all.find(matches);
    if (received !== undefined) return Promise.resolve(received);
    return new Promise((resolve) => this.waiters.add({ matches, resolve }));
  }

  topics(): string[] {
    return this.all.map((message) => message.topic);
  }
}
