// The real brokers the device's MQTT client must work with, behind one
// interface so a single suite runs against each: aedes in-process over plain
// TCP (what `npm start` runs) and Mosquitto over mutual TLS (what a
// self-hosted deployment runs).
import { Buffer } from "node:buffer";
import type { MqttClient } from "mqtt";
import { startLocalBroker, type LocalBroker } from "../../../host-tools/src/local/broker.js";
import type { ProxyTarget } from "../../support/fault-proxy.js";
import { startMosquitto, type Mosquitto } from "../../support/mosquitto.js";
import { connectOnce, connectWithCertificate } from "../../support/mqtt-clients.js";
import { createPki, type ClientIdentity, type Pki } from "../../support/pki.js";

export interface BrokerPeer {
  readonly name: string;
  /** Devices must speak TLS with a client certificate. */
  readonly tls: boolean;
  /** Where the broker listens now; a restart may move it. */
  address(): ProxyTarget;
  /** The credentials a device needs, if any. */
  identity(deviceId: string): Promise<ClientIdentity | undefined>;
  /** A service-side client allowed on every device's topics. */
  observer(): Promise<Observer>;
  /** Stops the broker; its sessions and retained messages are gone. */
  stop(): Promise<void>;
  /** Starts a fresh broker after stop(). */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export interface ObservedMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

/** A real MQTT client (MQTT.js) watching what the broker delivers. */
export class Observer {
  readonly messages: ObservedMessage[] = [];
  private readonly waiters: (() => void)[] = [];
  private syncs = 0;

  constructor(readonly client: MqttClient) {
    client.on("message", (topic, payload, packet) => {
      this.messages.push({ topic, payload, retain: packet.retain });
      for (const waiter of this.waiters.splice(0)) waiter();
    });
  }

  async subscribe(topic: string): Promise<void> {
    const [granted] = await this.client.subscribeAsync(topic, { qos: 1 });
    if (granted === undefined || granted.qos >= 0x80) throw new Error(`the broker refused the observer's subscription to ${topic}`);
  }

  async publish(topic: string, payload: string | Buffer, options: { retain?: boolean } = {}): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain: options.retain ?? false });
  }

  on(topic: string): ObservedMessage[] {
    return this.messages.filter((message) => message.topic === topic);
  }

  /** Resolves with the messages on `topic` once there are `count` of them. */
  async received(topic: string, count = 1, timeoutMs = 10_000): Promise<ObservedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.on(topic).length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the observer got ${this.on(topic).length} of ${count} messages on ${topic}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.on(topic);
  }

  /**
   * A round trip through the broker: whatever it queued for this observer
   * before the call has arrived when this resolves.
   */
  async sync(): Promise<void> {
    const topic = `ferry/observer/sync-${++this.syncs}`;
    await this.subscribe(topic);
    await this.publish(topic, "sync");
    await this.received(topic);
  }

  /** The retained message on `topic` as a new subscriber gets it, if there is one. */
  async retained(topic: string): Promise<string | undefined> {
    await this.subscribe(topic);
    await this.sync();
    const retained = this.on(topic).filter((message) => message.retain);
    return retained.at(-1)?.payload.toString("latin1");
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}

export async function aedesPeer(): Promise<BrokerPeer> {
  let broker: LocalBroker | undefined = await startLocalBroker();
  const port = broker.port;
  const observers: Observer[] = [];
  return {
    name: "aedes",
    tls: false,
    address: () => ({ host: "127.0.0.1", port }),
    identity: async () => undefined,
    async observer() {
      const observer = new Observer(await connectOnce(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4 }));
      observers.push(observer);
      return observer;
    },
    async stop() {
      await broker?.close();
      broker = undefined;
    },
    async start() {
      broker = await startLocalBroker({ port });
    },
    async dispose() {
      await Promise.all(observers.map((observer) => observer.close()));
      await broker?.close();
    },
  };
}

export async function mosquittoPeer(): Promise<BrokerPeer> {
  const pki: Pki = await createPki();
  let broker: Mosquitto = await startMosquitto({ pki });
  const observers: Observer[] = [];
  return {
    name: "Mosquitto",
    tls: true,
    address: () => ({ host: "127.0.0.1", port: broker.tlsPort }),
    identity: (deviceId) => pki.issueClient(deviceId),
    async observer() {
      const service = await pki.issueClient(broker.serviceIdentity);
      const observer = new Observer(await connectWithCertificate(broker, service, { protocolVersion: 4 }));
      observers.push(observer);
      return observer;
    },
    stop: () => broker.stop(),
    async start() {
      broker = await startMosquitto({ pki });
    },
    async dispose() {
      await Promise.all(observers.map((observer) => observer.close().catch(() => {})));
      await broker.stop();
      await pki.dispose();
    },
  };
}
