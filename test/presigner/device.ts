// A stand-in device for presigner tests: a real MQTT client that publishes
// presign requests on its own topic and collects the replies.
import type { MqttClient } from "mqtt";
import { parsePresignReply, type SignedPresignReply } from "../../firmware/src/protocol/presign-reply.js";
import { presignReplyTopic, presignTopic } from "../../firmware/src/protocol/topics.js";

export class TestDevice {
  /** Every reply received, parsed, in arrival order. */
  readonly replies: SignedPresignReply[] = [];
  /** Raw payloads, for the checks that need the exact bytes. */
  readonly payloads: string[] = [];
  private readonly claimed = new Set<SignedPresignReply>();
  private readonly waiters: { id: string; resolve: (reply: SignedPresignReply) => void }[] = [];
  private nextId = 0;

  private constructor(
    readonly id: string,
    readonly client: MqttClient,
    readonly prefix: string,
  ) {
    client.on("message", (topic, payload) => {
      if (topic !== presignReplyTopic(prefix, id)) return;
      const text = payload.toString("utf8");
      this.payloads.push(text);
      const reply = parsePresignReply(text);
      if (reply === undefined) throw new Error(`device ${id} got a malformed reply: ${text}`);
      this.replies.push(reply);
      const waiter = this.waiters.findIndex((candidate) => candidate.id === reply.id);
      if (waiter >= 0) {
        this.claimed.add(reply);
        this.waiters.splice(waiter, 1)[0]!.resolve(reply);
      }
    });
  }

  /** Subscribes to the device's reply topic before anything is sent. */
  static async attach(id: string, client: MqttClient, prefix = "ferry"): Promise<TestDevice> {
    const granted = await client.subscribeAsync(presignReplyTopic(prefix, id), { qos: 1 });
    if ((granted[0]?.qos ?? 0x80) >= 0x80) throw new Error(`${id} may not subscribe to its reply topic`);
    return new TestDevice(id, client, prefix);
  }

  /** A request id not used before by this device. */
  freshId(): string {
    return `${this.id}-${++this.nextId}`;
  }

  /** Publishes a payload as-is on the presign topic of `device` (normally this device's own). */
  async send(payload: string | Buffer, device = this.id): Promise<void> {
    await this.client.publishAsync(presignTopic(this.prefix, device), payload, { qos: 1 });
  }

  /** Sends a request object and waits for the reply with its id. */
  async request(body: Record<string, unknown>): Promise<SignedPresignReply> {
    const id = typeof body["id"] === "string" ? body["id"] : "";
    const reply = this.reply(id);
    await this.send(JSON.stringify(body));
    return reply;
  }

  /** The first unclaimed reply carrying `id`, received already or still to come. */
  reply(id: string): Promise<SignedPresignReply> {
    const received = this.replies.find((reply) => reply.id === id && !this.claimed.has(reply));
    if (received !== undefined) {
      this.claimed.add(received);
      return Promise.resolve(received);
    }
    return new Promise((resolve) => this.waiters.push({ id, resolve }));
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
