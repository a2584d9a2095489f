// The presigner against Mosquitto 2.0 with mutual TLS: each client's
// certificate CN is its username (use_identity_as_username) and the ACL
// `pattern readwrite ferry/%u/#` confines each device to its own topics.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { presignReplyTopic, presignTopic } from "../../firmware/src/protocol/topics.js";
import { TestDevice } from "./device.js";
import { describePresignerFlows } from "./flows.js";
import { mosquittoRgwPeers, presignerFor, type StartedPresigner } from "./peers.js";

describe("presigner on Mosquitto (mTLS, ACL) + Ceph RGW", () => {
  describePresignerFlows(mosquittoRgwPeers);
});

describe("on Mosquitto", () => {
  let peers: Awaited<ReturnType<typeof mosquittoRgwPeers>>;
  let first: StartedPresigner;
  let devA: TestDevice;

  beforeAll(async () => {
    peers = await mosquittoRgwPeers();
    first = await presignerFor(peers);
    devA = await peers.connectDevice("dev-a");
  });

  afterAll(async () => {
    await devA?.close();
    await first?.presigner.close();
    await peers?.stop();
  });

  it("subscribes through an MQTT 5 shared subscription and logs it", () => {
    expect(first.presigner.mqttMode).toBe("shared");
    expect(first.logs).toContainEqual(expect.objectContaining({ msg: "listening for presign requests", mode: "shared", filter: "$share/ferry-presigner/ferry/+/presign" }));
  });

  it("two instances in one group split the requests, and each request is answered once", async () => {
    const second = await presignerFor(peers);
    try {
      const grants = (started: StartedPresigner) => started.presigner.metrics.grants.total({ transport: "mqtt" });
      const before = [grants(first), grants(second)];
      const count = 40;
      const ids = Array.from({ length: count }, () => devA.freshId());
      const replies = await Promise.all(ids.map((id) => devA.request({ id, op: "get", key: "app/shared.js" })));
      expect(replies.every((reply) => reply.ok)).toBe(true);
      const shares = [grants(first) - before[0]!, grants(second) - before[1]!];
      expect(shares[0]).toBeGreaterThan(0);
      expect(shares[1]).toBeGreaterThan(0);
      expect(shares[0]! + shares[1]!).toBe(count);
      const answered = devA.replies.filter((reply) => ids.includes(reply.id));
      expect(answered).toHaveLength(count);
      console.info(`shared subscription: ${count} requests split ${shares[0]} / ${shares[1]}`);
    } finally {
      await second.presigner.close();
    }
  });

  it("a device cannot publish on another device's presign topic, nor read its replies", async () => {
    const devB = await peers.connectDevice("dev-b");
    try {
      const requestsBefore = first.presigner.metrics.requests.total();
      const denied = devA.client.publishAsync(presignTopic("ferry", "dev-b"), JSON.stringify({ id: "steal-1", op: "put", key: "logs/x.log", size: 1 }), { qos: 1 });
      await expect(denied).rejects.toMatchObject({ code: 0x87 });

      // Mosquitto accepts the subscription and applies the ACL when it delivers.
      const seenByA: string[] = [];
      devA.client.on("message", (topic) => seenByA.push(topic));
      await devA.client.subscribeAsync(presignReplyTopic("ferry", "dev-b"), { qos: 1 });
      expect((await devB.request({ id: devB.freshId(), op: "put", key: "logs/b.log", size: 2 })).ok).toBe(true);
      // The service publishes in order, so a leaked reply would reach dev-a before this one.
      expect((await devA.request({ id: devA.freshId(), op: "get", key: "app/x.js" })).ok).toBe(true);
      expect(seenByA).toEqual([presignReplyTopic("ferry", "dev-a")]);

      expect(first.presigner.metrics.requests.total()).toBe(requestsBefore + 2);
    } finally {
      await devB.close();
    }
  });

  it("shared \"off\" keeps a plain subscription even on an MQTT 5 broker", async () => {
    const plain = await presignerFor(peers, { mqtt: { shared: "off" }, devices: ["dev-p"] });
    try {
      expect(plain.presigner.mqttMode).toBe("plain");
    } finally {
      await plain.presigner.close();
    }
  });
});
