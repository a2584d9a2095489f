import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { chmod } from "node:fs/promises";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { connectOnce, connectPlain, connectWithCertificate, ReceivedMessages } from "../support/mqtt-clients.js";
import { createPki } from "../support/pki.js";

// MQTT 5 reason code "Not authorized" (MQTT 5.0, 3.4.2.1 PUBACK and 3.9.3 SUBACK).
const NOT_AUTHORIZED = 0x87;

let broker: Mosquitto;
const clients: MqttClient[] = [];

async function device(id: string): Promise<MqttClient> {
  const client = await connectWithCertificate(broker, await broker.pki.issueClient(id), { clientId: `${id}-${clients.length}` });
  clients.push(client);
  return client;
}

async function service(clientId: string): Promise<MqttClient> {
  const identity = await broker.pki.issueClient(broker.serviceIdentity);
  const client = await connectWithCertificate(broker, identity, { clientId });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  broker = await startMosquitto();
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.endAsync(true)));
  await broker?.stop();
});

describe("Mosquitto with mutual TLS", () => {
  it("lets a device publish and subscribe under its own topics", async () => {
    const dev1 = await device("dev-1");
    const received = new ReceivedMessages(dev1);
    const [grant] = await dev1.subscribeAsync("ferry/dev-1/#", { qos: 1 });
    expect(grant?.qos).toBe(1);

    await dev1.publishAsync("ferry/dev-1/state", "online", { qos: 1 });

    expect((await received.on("ferry/dev-1/state")).payload).toBe("online");
  });

  it("does not deliver a device's publish to another device's topics", async () => {
    const presigner = await service("presigner-watch");
    const seen = new ReceivedMessages(presigner);
    await presigner.subscribeAsync("ferry/#", { qos: 1 });
    const dev1 = await device("dev-1");

    await expect(dev1.publishAsync("ferry/dev-2/x", "forged", { qos: 1 })).rejects.toMatchObject({ code: NOT_AUTHORIZED });
    // The broker handles one client's packets in order, so once the allowed
    // publish arrives the refused one would have arrived before it.
    await dev1.publishAsync("ferry/dev-1/y", "own", { qos: 1 });
    await seen.on("ferry/dev-1/y");

    expect(seen.topics()).toEqual(["ferry/dev-1/y"]);
  });

  it("refuses a device's subscription to another device's topics", async () => {
    const dev1 = await device("dev-1");
    const received = new ReceivedMessages(dev1);
    // Mosquitto 2.0.11 grants this SUBACK and applies the ACL to each message
    // it would deliver; a broker that refuses it must use "Not authorized".
    const suback = await dev1.subscribeAsync("ferry/dev-2/#", { qos: 1 }).then(
      () => "granted",
      (error: { code?: number }) => error.code,
    );
    expect(["granted", NOT_AUTHORIZED]).toContain(suback);
    await dev1.subscribeAsync("ferry/dev-1/#", { qos: 1 });

    const presigner = await service("presigner-send");
    await presigner.publishAsync("ferry/dev-2/ota", "not for dev-1", { qos: 1 });
    await presigner.publishAsync("ferry/dev-1/ota", "for dev-1", { qos: 1 });
    await received.on("ferry/dev-1/ota");

    expect(received.topics()).toEqual(["ferry/dev-1/ota"]);
  });

  it("refuses a client without a certificate on the TLS port", async () => {
    await expect(connectOnce(broker.tlsUrl, { ca: broker.ca })).rejects.toMatchObject({
      code: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
    });
  });

  it("refuses a client certificate from another CA", async () => {
    const strangers = await createPki();
    try {
      const stranger = await strangers.issueClient("dev-1");
      await expect(
        connectOnce(broker.tlsUrl, { ca: broker.ca, cert: stranger.cert, key: stranger.key }),
      ).rejects.toMatchObject({ code: "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA" });
    } finally {
      await strangers.dispose();
    }
  });

  it("splits an MQTT 5 shared subscription between the service instances", async () => {
    const instances = [await service("presigner-a"), await service("presigner-b")];
    const received = instances.map((instance) => new ReceivedMessages(instance));
    for (const instance of instances) {
      await instance.subscribeAsync("$share/g/ferry/+/presign", { qos: 1 });
      await instance.subscribeAsync("ferry/dev-1/flush", { qos: 1 });
    }
    const dev1 = await device("dev-1");

    const requests = Array.from({ length: 10 }, (_, id) => JSON.stringify({ id, op: "put" }));
    for (const request of requests) await dev1.publishAsync("ferry/dev-1/presign", request, { qos: 1 });
    // Sent last and to both: when each has it, each has all its share too.
    await dev1.publishAsync("ferry/dev-1/flush", "", { qos: 1 });
    await Promise.all(received.map((messages) => messages.on("ferry/dev-1/flush")));

    const shares = received.map((messages) =>
      messages.all.filter((message) => message.topic === "ferry/dev-1/presign").map((message) => message.payload),
    );
    expect(shares.every((share) => share.length > 0)).toBe(true);
    expect(shares.flat().sort()).toEqual([...requests].sort());
  });

  it("runs the broker as the mosquitto user when started as root, yet loads its key", async () => {
    expect(readUid(broker.pid)).toBe(process.getuid?.() === 0 ? Number(execFileSync("id", ["-u", "mosquitto"])) : process.getuid?.());
    await device("dev-uid");
  });
});

describe("Mosquitto plain listener", () => {
  it("accepts anonymous clients without an ACL", async () => {
    const client = await connectPlain(broker);
    clients.push(client);
    const received = new ReceivedMessages(client);
    await client.subscribeAsync("anything/#", { qos: 1 });

    await client.publishAsync("anything/at/all", "hello", { qos: 1 });

    expect((await received.on("anything/at/all")).payload).toBe("hello");
  });
});

describe("startMosquitto", () => {
  it("fails with the install command when the broker is missing", async () => {
    await expect(startMosquitto({ binary: "/nonexistent/mosquitto" })).rejects.toThrow("apt-get install -y mosquitto");
  });

  it("names a key file the broker could not read after dropping root", async () => {
    const pki = await createPki();
    try {
      await chmod(pki.server.keyPath, 0o600);
      const starting = startMosquitto({ pki });
      if (process.getuid?.() === 0) {
        await expect(starting).rejects.toThrow(`user 'mosquitto' cannot read the files it needs after dropping root`);
        await expect(starting).rejects.toThrow(pki.server.keyPath);
      } else {
        // Not root: the broker keeps the caller's identity and reads the key.
        await (await starting).stop();
      }
    } finally {
      await pki.dispose();
    }
  });
});

function readUid(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
}
