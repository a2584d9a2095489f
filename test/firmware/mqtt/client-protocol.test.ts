// The device's MQTT client, bundled by `ferry build` and run on the emulated
// engine, against a broker the test scripts byte by byte: what it sends, and
// what it does with every kind of bad answer.
import { Buffer } from "node:buffer";
import mqttPacket from "mqtt-packet";
import { afterEach, describe, expect, it } from "vitest";
import { FAST_SETTINGS, MqttDevice, type DeviceSettings } from "./device-harness.js";
import { ScriptedBroker } from "./scripted-broker.js";

const brokers: ScriptedBroker[] = [];

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

async function setUp(overrides: Partial<DeviceSettings> = {}): Promise<{ broker: ScriptedBroker; device: MqttDevice }> {
  const broker = await ScriptedBroker.start();
  brokers.push(broker);
  const device = await MqttDevice.start({
    host: "127.0.0.1",
    port: broker.port,
    tls: false,
    clientId: "dev-a",
    ...FAST_SETTINGS,
    ...overrides,
  });
  return { broker, device };
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe("the MQTT client against a scripted broker", () => {
  it("connects with its will, subscribes after CONNACK, and answers a QoS 1 PUBLISH with PUBACK", async () => {
    const will = { topic: "ferry/dev-a/state", payload: "offline", qos: 1 as const, retain: true };
    const { broker, device } = await setUp({ will, keepalive: 30, cleanSession: false });
    // Before CONNACK: held, then sent once the broker accepts.
    device.subscribe("ferry/dev-a/ota", 1);
    const first = await broker.connection(1);

    const connect = await first.expect("connect");
    expect(connect).toMatchObject({ protocolId: "MQTT", protocolVersion: 4, clientId: "dev-a", clean: false, keepalive: 30 });
    expect(connect.will).toEqual({ topic: will.topic, payload: Buffer.from("offline"), qos: 1, retain: true });
    await expect(first.next(300), "nothing before CONNACK").rejects.toThrow(/no packet/);

    first.send({ cmd: "connack", returnCode: 0, sessionPresent: true });
    const subscribe = await first.expect("subscribe");
    expect(subscribe.subscriptions).toEqual([{ topic: "ferry/dev-a/ota", qos: 1 }]);
    first.send({ cmd: "suback", messageId: subscribe.messageId, granted: [1] });
    await device.connected();

    first.send({ cmd: "publish", topic: "ferry/dev-a/ota", payload: ALL_BYTES, qos: 1, messageId: 4242, retain: false, dup: false });
    expect(await first.expect("puback")).toMatchObject({ messageId: 4242 });
    await device.waitFor("MQTT message ");
    expect(device.messages()).toEqual([{ topic: "ferry/dev-a/ota", payload: ALL_BYTES }]);

    device.publish("ferry/dev-a/event", "\x00\xff done", { qos: 1, tag: "e1" });
    const publish = await first.expect("publish");
    expect(publish).toMatchObject({ topic: "ferry/dev-a/event", qos: 1, dup: false, retain: false });
    expect(publish.payload).toEqual(Buffer.from("\x00\xff done", "latin1"));
    expect(device.hasReported("MQTT ack e1")).toBe(false);
    first.send({ cmd: "puback", messageId: publish.messageId! });
    expect(await device.acked("e1")).toBe(true);
  });

  it("sends an unacknowledged QoS 1 publish again, marked DUP with the same id, after the ack timeout and after a reconnect", async () => {
    const { broker, device } = await setUp({ timeout: 1000 });
    const first = await broker.connection(1);
    await first.accept();
    await device.connected();

    device.publish("ferry/dev-a/event", "once", { qos: 1, tag: "r" });
    const original = await first.expect("publish");
    expect(original).toMatchObject({ dup: false, qos: 1 });
    const resent = await first.expect("publish");
    expect(resent).toMatchObject({ dup: true, qos: 1, messageId: original.messageId, topic: original.topic });
    expect(resent.payload).toEqual(original.payload);

    first.close();
    const second = await broker.connection(2);
    await second.accept();
    const acceptedAt = Date.now();
    const afterReconnect = await second.expect("publish");
    // Sent on CONNACK, not when the next timeout (about a second away) fires.
    expect(Date.now() - acceptedAt).toBeLessThan(500);
    expect(afterReconnect).toMatchObject({ dup: true, messageId: original.messageId });
    expect(device.hasReported("MQTT ack r")).toBe(false);
    second.send({ cmd: "puback", messageId: original.messageId! });
    expect(await device.acked("r")).toBe(true);
    expect(device.closeReasons()).toEqual(["closed"]);
  });

  it("numbers packets per client: two clients on one device both start at id 1", async () => {
    const { broker, device } = await setUp({ twinClientId: "dev-a-twin" });
    const connections = [await broker.connection(1), await broker.connection(2)];
    const clientIds = await Promise.all(connections.map(async (connection) => (await connection.accept()).clientId));
    expect(clientIds.sort()).toEqual(["dev-a", "dev-a-twin"]);
    await device.connected();
    device.publish("ferry/dev-a/event", "a", { qos: 1, tag: "a" });
    device.device.eval('twin.publish("ferry/dev-a/event", "b", {qos: 1})');
    const ids = await Promise.all(connections.map(async (connection) => (await connection.expect("publish")).messageId));
    expect(ids).toEqual([1, 1]);
  });

  it("drops a connection whose broker announces a packet over maxPacketSize at once, and keeps running", async () => {
    const { broker, device } = await setUp({ maxPacketSize: 256 });
    const first = await broker.connection(1);
    await first.accept();
    await device.connected();
    // A PUBLISH header announcing 100,000 bytes; none of the body follows.
    first.send(Buffer.from([0x30, 0xa0, 0x8d, 0x06]));
    await first.closed;
    await device.waitFor("MQTT close ");
    expect(device.closeReasons()).toEqual(["packet too big: 100004 > 256"]);

    const second = await broker.connection(2);
    await second.accept();
    second.send({ cmd: "publish", topic: "ferry/dev-a/ota", payload: Buffer.from("fits"), qos: 0, retain: false, dup: false });
    await device.waitFor("MQTT message ");
    expect(device.messages()).toEqual([{ topic: "ferry/dev-a/ota", payload: Buffer.from("fits") }]);
    expect(device.device.outOfMemory).toBe(false);
  });

  const badAnswers: [string, Buffer, RegExp][] = [
    ["a Remaining Length of five bytes", Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]), /^packet too big: 268435460 > 4096$/],
    ["a PUBACK with reserved flags set", Buffer.from([0x42, 0x02, 0x00, 0x01]), /^bad packet 66\/2$/],
    ["a PUBLISH with QoS 3", Buffer.from([0x36, 0x03, 0x00, 0x01, 0x74]), /^bad packet 54\/3$/],
    ["a PUBLISH whose topic runs past its end", Buffer.from([0x30, 0x03, 0x00, 0x09, 0x74]), /^bad packet 48\/3$/],
    ["a PUBREC, never asked for", Buffer.from([0x50, 0x02, 0x00, 0x01]), /^bad packet 80\/2$/],
  ];
  it("drops the connection on every malformed packet and reconnects", async () => {
    const { broker, device } = await setUp();
    for (const [index, [, bytes]] of badAnswers.entries()) {
      const connection = await broker.connection(index + 1);
      await connection.accept();
      await device.connected(index + 1);
      connection.send(bytes);
      await connection.closed;
      await device.waitFor("MQTT close ", index + 1);
    }
    const reasons = device.closeReasons();
    badAnswers.forEach(([name, , reason], index) => expect(reasons[index], name).toMatch(reason));
    const last = await broker.connection(badAnswers.length + 1);
    await last.accept();
    await device.connected(badAnswers.length + 1);
    device.publish("ferry/dev-a/event", "still here", { qos: 1, tag: "after" });
    last.send({ cmd: "puback", messageId: (await last.expect("publish")).messageId! });
    expect(await device.acked("after")).toBe(true);
  });

  it("drops a connection whose first packet is not CONNACK (MQTT-3.2.0-1)", async () => {
    const { broker, device } = await setUp();
    const first = await broker.connection(1);
    await first.expect("connect");
    first.send({ cmd: "pingresp" });
    await first.closed;
    await device.waitFor("MQTT close ");
    expect(device.closeReasons()).toEqual(["refused 13/0"]);
    await (await broker.connection(2)).accept();
    await device.connected();
  });

  it("retries with growing, jittered waits while the broker refuses the connection", async () => {
    const { broker, device } = await setUp({ backoff: { min: 100, max: 400 } });
    const openedAt: number[] = [];
    for (let n = 1; n <= 5; n++) {
      const connection = await broker.connection(n);
      openedAt.push(Date.now());
      await connection.expect("connect");
      // Not authorized (3.2.2.3).
      connection.send({ cmd: "connack", returnCode: 5, sessionPresent: false });
    }
    await device.waitFor("MQTT close ", 5);
    expect(device.closeReasons()).toEqual(Array(5).fill("refused 2/5"));
    const waits = openedAt.slice(1).map((at, i) => at - openedAt[i]!);
    // Each wait is within [d/2, d] for d = 100, 200, 400, 400, plus the time a round trip takes.
    [50, 100, 200, 200].forEach((least, i) => expect(waits[i]).toBeGreaterThanOrEqual(least - 5));
    [100, 200, 400, 400].forEach((most, i) => expect(waits[i]).toBeLessThan(most + 150));
    await (await broker.connection(6)).accept();
    await device.connected();
  });

  it("gives up on a connection that gets no CONNACK within the timeout", async () => {
    const { broker, device } = await setUp({ timeout: 500 });
    const first = await broker.connection(1);
    await first.expect("connect");
    await first.closed;
    await device.waitFor("MQTT close ");
    expect(device.closeReasons()).toEqual(["no answer"]);
    await (await broker.connection(2)).accept();
    await device.connected();
  });

  it("pings every keep-alive period and drops a connection whose PINGRESP does not come", async () => {
    const { broker, device } = await setUp({ keepalive: 1 });
    const first = await broker.connection(1);
    await first.accept();
    for (let ping = 0; ping < 2; ping++) {
      await first.expect("pingreq");
      first.send({ cmd: "pingresp" });
    }
    await first.expect("pingreq");
    const unanswered = Date.now();
    await first.closed;
    expect(Date.now() - unanswered).toBeGreaterThan(800);
    await device.waitFor("MQTT close ");
    expect(device.closeReasons()).toEqual(["no answer"]);
    await (await broker.connection(2)).accept();
    await device.connected(2);
  });

  it("pause() sends DISCONNECT and resolves once closed; offline QoS 0 reports false; resume() subscribes again", async () => {
    const { broker, device } = await setUp();
    device.subscribe("ferry/dev-a/ota", 0);
    const first = await broker.connection(1);
    await first.accept();
    await first.expect("subscribe");

    const paused = device.pause();
    await first.expect("disconnect");
    await first.closed;
    await paused;
    await device.waitFor("MQTT close ");
    expect(device.closeReasons()).toEqual(["paused"]);
    expect(device.device.sockets?.open()).toEqual([]);

    device.publish("ferry/dev-a/event", "offline", { qos: 0, tag: "q0" });
    expect(await device.acked("q0")).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(broker.connections).toHaveLength(1);

    device.resume();
    const second = await broker.connection(2);
    await second.accept();
    expect((await second.expect("subscribe")).subscriptions).toEqual([{ topic: "ferry/dev-a/ota", qos: 0 }]);
  });

  it("pause() stops every timer of its own once the connection has closed", async () => {
    const { broker, device } = await setUp({ keepalive: 1 });
    const first = await broker.connection(1);
    await first.accept();
    await device.connected();
    await device.pause();
    await device.waitFor("MQTT close ");
    // The limit on waiting for the close (3 s here) must not outlive it.
    expect(device.device.runtime!.timers.count).toBe(0);
  });

  it("pause() sends DISCONNECT only after CONNECT: none on a connection still opening, one right after CONNECT before CONNACK", async () => {
    const { broker, device } = await setUp({ pauseAtStart: true });
    await device.waitFor("MQTT paused");
    device.resume();
    // The paused attempt may or may not have reached the broker; if it did, it sent nothing.
    let opened = 0;
    let connection = await broker.connection(++opened);
    let packet = await connection.next().catch(() => undefined);
    if (packet === undefined) {
      connection = await broker.connection(++opened);
      packet = await connection.next();
    }
    expect(packet.cmd).toBe("connect");

    const paused = device.pause();
    await connection.expect("disconnect");
    await connection.closed;
    await paused;
    await device.waitFor("MQTT close ", 2);
    expect(device.closeReasons()).toEqual(["paused", "paused"]);
  });

  it("writes one packet at a time on drain, so a burst does not pile up in the engine's socket buffer", async () => {
    const { broker, device } = await setUp();
    const first = await broker.connection(1);
    await first.accept();
    await device.connected();
    // 8 KB in one go: twice the socket buffer the emulated engine holds before it runs out of memory.
    device.device.eval('for (var i = 0; i < 8; i++) publish("ferry/dev-a/log", "x".repeat(1000), 0, false, "b" + i)');
    for (let i = 0; i < 8; i++) expect((await first.expect("publish")).payload).toHaveLength(1000);
    expect(device.device.outOfMemory).toBe(false);
    expect(device.device.sockets?.open()[0]?.largestChunk).toBeLessThanOrEqual(536);
  });

  it("keeps reading and acknowledging when the app's onMessage throws", async () => {
    const { broker, device } = await setUp();
    const first = await broker.connection(1);
    await first.accept();
    await device.connected();
    device.device.eval('mqtt.onMessage = function (topic) { throw new Error("app bug on " + topic); }');
    const publish = (messageId: number) =>
      ({ cmd: "publish", topic: "ferry/dev-a/ota", payload: Buffer.from("m"), qos: 1, messageId, retain: false, dup: false }) as const;
    first.send(Buffer.concat([publish(1), publish(2)].map((packet) => mqttPacket.generate(packet))));
    expect(await first.expect("puback")).toMatchObject({ messageId: 1 });
    expect(await first.expect("puback")).toMatchObject({ messageId: 2 });
    await device.device.waitForOutput((output) => output.split("app bug on ferry/dev-a/ota").length === 3);
    expect(device.closeReasons()).toEqual([]);
  });
});
