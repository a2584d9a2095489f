// What the device's MQTT client must do against a real broker, run on the
// emulated engine with a fault-injecting proxy between the two. One suite,
// run against every broker in brokers.ts.
import { Buffer } from "node:buffer";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FaultProxy } from "../../support/fault-proxy.js";
import type { BrokerPeer, Observer } from "./brokers.js";
import { FAST_SETTINGS, mqttApp, MqttDevice, type DeviceSettings } from "./device-harness.js";

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

export interface SuiteContext {
  peer(): BrokerPeer;
  /** A proxy in front of the broker, closed after the test. */
  proxy(): Promise<FaultProxy>;
  /**
   * A device with a fresh id, connecting through `proxy`, with a retained
   * `offline` will on `ferry/<id>/state`; what it receives on `ferry/<id>/in`
   * it publishes back on `ferry/<id>/out`.
   */
  device(proxy: FaultProxy, overrides?: Partial<DeviceSettings>): Promise<{ device: MqttDevice; id: string }>;
  observer(): Promise<Observer>;
}

/** Starts `makePeer` for the file; `extra` adds tests that only fit that broker. */
export function describeClientAgainst(name: string, makePeer: () => Promise<BrokerPeer>, extra?: (context: SuiteContext) => void): void {
  describe(`the device's MQTT client against ${name}`, () => {
    let peer: BrokerPeer;
    const proxies: FaultProxy[] = [];
    let devices = 0;

    beforeAll(async () => {
      [peer] = await Promise.all([makePeer(), mqttApp()]);
    });
    afterAll(() => peer?.dispose());
    afterEach(async () => {
      await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
    });

    const context: SuiteContext = {
      peer: () => peer,
      async proxy() {
        const proxy = await FaultProxy.start({ target: peer.address() });
        proxies.push(proxy);
        return proxy;
      },
      async device(proxy, overrides = {}) {
        const id = `dev-${process.pid}-${++devices}`;
        const settings: DeviceSettings = {
          host: "127.0.0.1",
          port: proxy.port,
          tls: peer.tls,
          clientId: id,
          ...FAST_SETTINGS,
          will: { topic: `ferry/${id}/state`, payload: "offline", qos: 1, retain: true },
          echoFrom: `ferry/${id}/in`,
          echoTo: `ferry/${id}/out`,
          ...overrides,
        };
        return { device: await MqttDevice.start(settings, await peer.identity(id)), id };
      },
      observer: () => peer.observer(),
    };

    it("connects with a will that the broker publishes, retained, when the connection is cut without DISCONNECT", async () => {
      const proxy = await context.proxy();
      const observer = await context.observer();
      const { device, id } = await context.device(proxy);
      const state = `ferry/${id}/state`;
      await observer.subscribe(state);
      await device.connected();

      device.publish(state, "online", { qos: 1, retain: true, tag: "online" });
      expect(await device.acked("online")).toBe(true);
      await observer.received(state, 1);

      proxy.cutAll();
      const [, will] = await observer.received(state, 2);
      expect(will!.payload.toString()).toBe("offline");
      expect(await (await context.observer()).retained(state)).toBe("offline");
      await device.connected(2);
      expect(device.closeReasons()).toEqual(["closed"]);
    });

    it("leaves no will after pause(), reports QoS 0 dropped while paused, and reconnects on resume()", async () => {
      const proxy = await context.proxy();
      const observer = await context.observer();
      const { device, id } = await context.device(proxy);
      const state = `ferry/${id}/state`;
      await observer.subscribe(state);
      await device.connected();
      device.publish(state, "online", { qos: 1, retain: true, tag: "online" });
      expect(await device.acked("online")).toBe(true);

      await device.pause();
      await proxy.links[0]!.closed;
      expect(device.device.sockets?.open()).toEqual([]);
      await observer.sync();
      expect(observer.on(state).map((message) => message.payload.toString())).toEqual(["online"]);
      expect(await (await context.observer()).retained(state)).toBe("online");

      device.publish(`ferry/${id}/event`, "while paused", { qos: 0, tag: "paused" });
      expect(await device.acked("paused")).toBe(false);

      device.resume();
      await device.connected(2);
      device.publish(`ferry/${id}/event`, "back", { qos: 1, tag: "back" });
      expect(await device.acked("back")).toBe(true);
      expect(proxy.links).toHaveLength(2);
    });

    it("receives what it subscribed to, byte for byte, and subscribes again after a reconnect", async () => {
      const proxy = await context.proxy();
      const observer = await context.observer();
      const { device, id } = await context.device(proxy);
      const probe = `ferry/${id}`;
      device.subscribe(`${probe}/in`, 1);
      await observer.subscribe(`${probe}/out`);
      // Retained: it reaches the device once its subscription is in place, and again after every new SUBSCRIBE.
      await observer.publish(`${probe}/in`, ALL_BYTES, { retain: true });
      await device.connected();

      const [echo] = await observer.received(`${probe}/out`, 1);
      expect(echo!.payload.equals(ALL_BYTES)).toBe(true);
      expect(device.messages()).toEqual([{ topic: `${probe}/in`, payload: ALL_BYTES }]);

      proxy.cutAll();
      await device.connected(2);
      // Only a fresh SUBSCRIBE brings the retained message again: the session was clean.
      await observer.received(`${probe}/out`, 2);
      await observer.publish(`${probe}/in`, "live");
      await device.waitFor("MQTT message ", 3);
      expect(device.messages().map((message) => message.payload.toString("latin1"))).toEqual([
        ALL_BYTES.toString("latin1"),
        ALL_BYTES.toString("latin1"),
        "live",
      ]);
    });

    it("sends a QoS 1 publish again after a reconnect when the connection was cut before its PUBACK", async () => {
      const proxy = await context.proxy();
      const observer = await context.observer();
      // A timeout far off: what sends it again must be the reconnect.
      const { device, id } = await context.device(proxy, { timeout: 60_000 });
      const events = `ferry/${id}/event`;
      await observer.subscribe(events);
      await device.connected();

      proxy.setFaults("down", { drop: true });
      device.publish(events, "upload done", { qos: 1, tag: "done" });
      await observer.received(events, 1);
      await observer.sync();
      expect(device.hasReported("MQTT ack done")).toBe(false);

      proxy.clearFaults();
      proxy.cutAll();
      expect(await device.acked("done")).toBe(true);
      await device.connected(2);
      expect(proxy.links).toHaveLength(2);
      const copies = await observer.received(events, 2);
      expect(copies.map((message) => message.payload.toString())).toEqual(["upload done", "upload done"]);
    });

    it("sends a QoS 1 publish again on the same connection when its PUBACK is late", async () => {
      const proxy = await context.proxy();
      const observer = await context.observer();
      const { device, id } = await context.device(proxy, { timeout: 1500 });
      const events = `ferry/${id}/event`;
      await observer.subscribe(events);
      await device.connected();

      proxy.setFaults("down", { delayMs: 2500 });
      device.publish(events, "slow", { qos: 1, tag: "slow" });
      await observer.received(events, 2);
      expect(await device.acked("slow")).toBe(true);
      proxy.clearFaults();
      expect(proxy.links).toHaveLength(1);
      expect(device.closeReasons()).toEqual([]);
    });

    it("finds a dead connection by its missing PINGRESP and connects again", async () => {
      const proxy = await context.proxy();
      const { device } = await context.device(proxy, { keepalive: 1 });
      await device.connected();
      proxy.setFaults("down", { drop: true });
      await device.waitFor("MQTT close ");
      proxy.clearFaults();
      expect(device.closeReasons()).toEqual(["no answer"]);
      await device.connected(2);
    });

    it("backs off while the broker is gone and reconnects and resubscribes when it is back", async () => {
      const proxy = await context.proxy();
      const { device, id } = await context.device(proxy, { backoff: { min: 100, max: 400 } });
      device.subscribe(`ferry/${id}/ota`, 1);
      await device.connected();

      await peer.stop();
      await device.waitFor("MQTT close ");
      const downSince = proxy.acceptedAt.length;
      const outageMs = 2000;
      await new Promise((resolve) => setTimeout(resolve, outageMs));
      await peer.start();
      proxy.retarget(peer.address());
      await device.connected(2);

      const attempts = proxy.acceptedAt.slice(downSince);
      const waits = attempts.slice(1).map((at, i) => at - attempts[i]!);
      // Waits of 100, 200, 400, 400... ms, each less up to half at random.
      expect(attempts.length).toBeGreaterThanOrEqual(4);
      expect(attempts.length).toBeLessThanOrEqual(2 + outageMs / 200);
      for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(45);
      expect(Math.max(...waits)).toBeGreaterThanOrEqual(195);

      const observer = await context.observer();
      await observer.publish(`ferry/${id}/ota`, "manifest");
      await device.waitFor("MQTT message ");
      expect(device.messages()).toEqual([{ topic: `ferry/${id}/ota`, payload: Buffer.from("manifest") }]);
    });

    extra?.(context);
  });
}
