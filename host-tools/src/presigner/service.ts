// The MQTT side of the presigner: one client that takes requests on
// `<prefix>/+/presign` and answers on `<prefix>/<dev>/presign/reply`.
// Where the broker speaks MQTT 5 the subscription is shared
// (`$share/<group>/...`), so every instance in the group gets a share of the
// requests instead of all of them.
import { readFile } from "node:fs/promises";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { presignFilter, presignReplyTopic, presignTopicDevice } from "../../../firmware/src/protocol/topics.js";
import type { PresignDesk } from "./desk.js";
import { describeError, type Logger } from "./log.js";
import type { PresignMetrics } from "./metrics.js";

export type SharedMode = "auto" | "on" | "off";

export interface MqttSettings {
  /** mqtt://, mqtts://, ws:// or wss:// URL of the broker. */
  url: string;
  /** PEM files: the CA that signed the broker's certificate, and the client's own certificate and key. */
  ca?: string;
  cert?: string;
  key?: string;
  username?: string;
  password?: string;
  clientId: string;
  shared: SharedMode;
  /** Shared subscription group: instances in one group split the requests. */
  group: string;
  /** Check the broker's certificate (turn off only for a test broker with a private CA you do not pass). */
  rejectUnauthorized: boolean;
}

/** "shared": MQTT 5 with `$share/<group>/...`; "plain": every instance gets every request. */
export type SubscriptionMode = "shared" | "plain";

const MQTT_V311 = 4;
const MQTT_V5 = 5;
/** CONNACK refusals that mean "not this protocol version" (3.1.1 return code 1, MQTT 5 reason 0x84). */
const UNSUPPORTED_PROTOCOL = new Set([1, 0x84]);
/** SUBACK reason 0x9E: the broker has no shared subscriptions. */
const SHARED_NOT_SUPPORTED = 0x9e;

export class PresignService {
  private readonly inFlight = new Set<Promise<void>>();

  private constructor(
    private readonly client: MqttClient,
    readonly mode: SubscriptionMode,
    private readonly prefix: string,
    private readonly desk: PresignDesk,
    private readonly log: Logger,
    private readonly metrics: PresignMetrics,
  ) {
    client.on("message", (topic, payload) => this.track(this.handle(topic, payload)));
    client.on("offline", () => log.warn("mqtt connection lost; reconnecting"));
    client.on("connect", () => log.info("mqtt reconnected", { mode }));
    client.on("error", (err) => log.warn("mqtt error", { error: describeError(err) }));
  }

  /** Connects, subscribes and starts answering. Fails with a message saying what to fix. */
  static async start(settings: MqttSettings, prefix: string, desk: PresignDesk, log: Logger, metrics: PresignMetrics): Promise<PresignService> {
    const options = await clientOptions(settings);
    const filter = presignFilter(prefix);
    const shared = `$share/${settings.group}/${filter}`;
    let client: MqttClient;
    if (settings.shared === "off") {
      client = await connect(settings.url, { ...options, protocolVersion: MQTT_V311 });
      await subscribePlain(client, filter);
      return new PresignService(client, "plain", prefix, desk, log, metrics).announce(filter);
    }
    try {
      client = await connect(settings.url, { ...options, protocolVersion: MQTT_V5 });
    } catch (err) {
      if (settings.shared === "on" || !isUnsupportedProtocol(err)) throw err;
      log.info("the broker does not speak MQTT 5; using MQTT 3.1.1 and a plain subscription, so this instance gets every request");
      client = await connect(settings.url, { ...options, protocolVersion: MQTT_V311 });
      await subscribePlain(client, filter);
      return new PresignService(client, "plain", prefix, desk, log, metrics).announce(filter);
    }
    const granted = await subscribe(client, shared);
    if (granted < 0x80) return new PresignService(client, "shared", prefix, desk, log, metrics).announce(shared);
    if (settings.shared === "on" || granted !== SHARED_NOT_SUPPORTED) {
      await client.endAsync();
      throw refusedSubscription(shared, granted);
    }
    log.info("the broker has no shared subscriptions; using a plain subscription, so this instance gets every request");
    await subscribePlain(client, filter);
    return new PresignService(client, "plain", prefix, desk, log, metrics).announce(filter);
  }

  /** Stops taking requests, finishes the ones in hand, then disconnects. */
  async close(): Promise<void> {
    this.client.removeAllListeners("message");
    // Offline, a reply would wait for a reconnect that close() prevents.
    if (this.client.connected) await Promise.all([...this.inFlight]);
    await this.client.endAsync(!this.client.connected);
  }

  private announce(filter: string): this {
    this.log.info("listening for presign requests", { mode: this.mode, filter });
    return this;
  }

  private async handle(topic: string, payload: Buffer): Promise<void> {
    const device = presignTopicDevice(this.prefix, topic);
    if (device === undefined) {
      this.metrics.dropped.inc({ reason: "bad-topic" });
      this.log.warn("dropped a message on a topic that names no valid device", { topic: topic.slice(0, 200) });
      return;
    }
    try {
      const reply = await this.desk.answer(device, payload);
      if (reply !== undefined) await this.client.publishAsync(presignReplyTopic(this.prefix, device), reply, { qos: 1 });
    } catch (err) {
      this.log.error("could not answer a presign request", { device, error: describeError(err) });
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}

async function clientOptions(settings: MqttSettings): Promise<IClientOptions> {
  return {
    clientId: settings.clientId,
    clean: true,
    username: settings.username,
    password: settings.password,
    ca: settings.ca === undefined ? undefined : await readPem("mqtt.ca", settings.ca),
    cert: settings.cert === undefined ? undefined : await readPem("mqtt.cert", settings.cert),
    key: settings.key === undefined ? undefined : await readPem("mqtt.key", settings.key),
    rejectUnauthorized: settings.rejectUnauthorized,
    reconnectPeriod: 2000,
    connectTimeout: 10_000,
  };
}

async function readPem(field: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(`${field}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? describeError(err)}): give the path of a PEM file`);
  }
}

async function connect(url: string, options: IClientOptions): Promise<MqttClient> {
  try {
    return await mqtt.connectAsync(url, options, false);
  } catch (err) {
    const reason = describeError(err);
    const wrapped = new Error(`cannot connect to the MQTT broker at ${withoutPassword(url)}: ${reason}`);
    (wrapped as Error & { code?: unknown }).code = (err as { code?: unknown }).code;
    throw wrapped;
  }
}

/** The granted QoS, or the SUBACK reason code (0x80 and above) when refused. */
async function subscribe(client: MqttClient, filter: string): Promise<number> {
  const granted = await client.subscribeAsync(filter, { qos: 1 });
  return granted[0]?.qos ?? 0x80;
}

async function subscribePlain(client: MqttClient, filter: string): Promise<void> {
  const granted = await subscribe(client, filter);
  if (granted < 0x80) return;
  await client.endAsync();
  throw refusedSubscription(filter, granted);
}

function refusedSubscription(filter: string, reason: number): Error {
  return new Error(`the broker refused the subscription to ${filter} (reason 0x${reason.toString(16)}): check its ACL for the presigner's identity`);
}

function isUnsupportedProtocol(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === "number" && UNSUPPORTED_PROTOCOL.has(code);
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "(the configured URL)";
  }
}
