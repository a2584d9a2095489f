// The default app on an emulated board against the in-process stack that
// `npm start` runs: aedes, s3rver and the real presigner. Log files go from
// the SD card into the bucket byte for byte, and leave the card once each.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { S3Client } from "@aws-sdk/client-s3";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceConfig } from "../../../firmware/src/app/config.js";
import { startLocalBroker, startLocalStore, type LocalBroker, type LocalStore } from "../../../host-tools/src/local/index.js";
import { loadBoard } from "../../../host-tools/src/boards/index.js";
import { Device } from "../../../host-tools/src/emulator/index.js";
import { validateConfig } from "../../../host-tools/src/presigner/config.js";
import { Logger } from "../../../host-tools/src/presigner/log.js";
import { startPresigner, type RunningPresigner } from "../../../host-tools/src/presigner/presigner.js";
import { bootDevice, cardFiles, defaultApp, DeviceWatch, storedObject } from "./device-app.js";

const MASTER_SECRET = "app-test-master-secret-0123456789abcdef";
const DEVICES = ["dev-local-1", "dev-local-2", "dev-local-3", "dev-local-4", "dev-local-5"];

let broker: LocalBroker;
let store: LocalStore;
let presigner: RunningPresigner;
let s3: S3Client;
let watcher: MqttClient;

beforeAll(async () => {
  broker = await startLocalBroker();
  store = await startLocalStore();
  const config = validateConfig(
    {
      masterSecret: MASTER_SECRET,
      devices: DEVICES,
      mqtt: { url: broker.url },
      s3: { endpoint: store.endpoint, bucket: store.bucket, region: store.region },
      http: false,
    },
    "app test config",
  );
  presigner = await startPresigner(config, { log: new Logger({ write: () => true }), credentials: store.credentials });
  s3 = new S3Client({ endpoint: store.endpoint, region: store.region, forcePathStyle: true, credentials: store.credentials });
  watcher = await mqtt.connectAsync(broker.url, { clientId: "app-test-watcher" });
  await watcher.subscribeAsync("ferry/#", { qos: 1 });
});

afterAll(async () => {
  await watcher?.endAsync();
  s3?.destroy();
  await presigner?.close();
  await store?.close();
  await broker?.close();
});

function configFor(deviceId: string, more: Partial<DeviceConfig> = {}): DeviceConfig {
  return { deviceId, mqtt: { host: "127.0.0.1", port: broker.port }, log: { console: true }, ...more };
}

describe("the default app against aedes, s3rver and the presigner", () => {
  it("uploads every closed log file byte for byte under devices/<dev>/, removes each from the card once, and reports it", async () => {
    const deviceId = DEVICES[0]!;
    const files = {
      "logs/00000001.log": randomBytes(70_000),
      "logs/00000002.log": Buffer.from("2026-01-02T03:04:05.678Z INFO boot 1\n"),
      "logs/00000003.log": randomBytes(5_000),
      "logs/00000004.log": randomBytes(1),
      "logs/00000005.log": randomBytes(20_000),
    };
    const watch = new DeviceWatch(watcher, "ferry", deviceId);
    const device = await bootDevice({ config: configFor(deviceId, { upload: { intervalSeconds: 2, batch: 3 } }), masterSecret: MASTER_SECRET, files });
    const started = Date.now();
    await watch.until((heard) => heard.stored().length >= 5, 30_000, device);
    const seconds = (Date.now() - started) / 1000;

    for (const [path, bytes] of Object.entries(files)) {
      expect((await storedObject(s3, store.bucket, `devices/${deviceId}/${path}`))?.equals(bytes), path).toBe(true);
    }
    // Five files in batches of three: two rounds, and nothing failed.
    const rounds = watch.events.filter((event) => event.type === "round");
    expect(rounds.slice(0, 2)).toEqual([
      { type: "round", stored: 3, failed: 0, waiting: 2 },
      { type: "round", stored: 2, failed: 0, waiting: 0 },
    ]);
    expect(watch.events.filter((event) => event.type === "upload" && event.outcome !== "stored")).toEqual([]);
    expect(watch.events.find((event) => event.type === "upload")).toEqual({
      type: "upload",
      file: "/logs/00000001.log",
      key: "logs/00000001.log",
      size: 70_000,
      outcome: "stored",
    });
    // The next round finds nothing left to upload, and nothing was stored twice.
    const ticks = (): number => device.output.split(" INFO status free ").length;
    const seen = ticks();
    await device.waitForOutput(() => ticks() > seen, 5000);
    expect(device.output.slice(device.output.lastIndexOf(" INFO status free "))).toMatch(/^ INFO status free \d+ waiting 0\n/);
    expect(watch.stored().sort()).toEqual(Object.keys(files).map((path) => `/${path}`));
    expect(cardFiles(device, "logs").filter((name) => `logs/${name}` in files)).toEqual([]);
    // The state is retained for whoever subscribes later.
    const late = await mqtt.connectAsync(broker.url, { clientId: "app-test-late" });
    try {
      const state = new Promise<{ payload: string; retain: boolean }>((resolve) =>
        late.on("message", (_topic, payload, packet) => resolve({ payload: payload.toString(), retain: packet.retain })),
      );
      await late.subscribeAsync(`ferry/${deviceId}/state`);
      expect(await state).toEqual({ payload: "online", retain: true });
    } finally {
      await late.endAsync();
    }
    expect(device.output).toContain("INFO uploaded /logs/00000001.log 70000");
    expect(device.output).not.toContain("Uncaught");
    expect(device.outOfMemory).toBe(false);
    console.info(`local stack: 5 files (96 KB) stored in ${seconds.toFixed(1)} s`);
  }, 60_000);

  it("ships its own log too: the status lines of a fresh device reach the bucket once the file closes", async () => {
    const deviceId = DEVICES[1]!;
    const watch = new DeviceWatch(watcher, "ferry", deviceId);
    const device = await bootDevice({ config: configFor(deviceId, { upload: { intervalSeconds: 1 }, log: { maxFileSeconds: 1 } }), masterSecret: MASTER_SECRET });
    await watch.until((heard) => heard.stored().length >= 1, 20_000, device);
    // A fresh card and Storage: the device's first log file is number 1.
    expect(watch.stored()[0]).toBe("/logs/00000001.log");
    const text = (await storedObject(s3, store.bucket, `devices/${deviceId}/logs/00000001.log`))!.toString("latin1");
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO boot 1 dev-local-2\n/);
    expect(text).toContain(" INFO mqtt up\n");
    expect(text).toMatch(/ INFO status free \d+ waiting 0\n/);
    expect(cardFiles(device, "logs")).not.toContain("00000001.log");
    expect(device.outOfMemory).toBe(false);
  }, 30_000);

  it("moves a stored file to /sent when configured to keep it", async () => {
    const deviceId = DEVICES[2]!;
    const bytes = randomBytes(9_000);
    const watch = new DeviceWatch(watcher, "ferry", deviceId);
    const device = await bootDevice({
      config: configFor(deviceId, { upload: { retire: "move" } }),
      masterSecret: MASTER_SECRET,
      files: { "logs/00000007.log": bytes },
    });
    await watch.until((heard) => heard.stored().length >= 1, 20_000, device);
    expect((await storedObject(s3, store.bucket, `devices/${deviceId}/logs/00000007.log`))?.equals(bytes)).toBe(true);
    expect(cardFiles(device, "logs")).not.toContain("00000007.log");
    expect(cardFiles(device, "sent")).toEqual(["00000007.log"]);
    expect(readFileSync(`${device.sdCard.root}/sent/00000007.log`).equals(bytes)).toBe(true);
  }, 30_000);

  it("joins Wi-Fi before MQTT, keeps trying while the access point is away, and rejoins after losing it", async () => {
    const deviceId = DEVICES[3]!;
    const bytes = randomBytes(3_000);
    const watch = new DeviceWatch(watcher, "ferry", deviceId);
    const device = await bootDevice({
      config: configFor(deviceId, { wifi: { ssid: "lab", password: "s3cret-pass" } }),
      masterSecret: MASTER_SECRET,
      files: { "logs/00000001.log": bytes },
      device: { wifi: { networks: [{ ssid: "lab", password: "s3cret-pass" }] } },
      beforeBoot: (booting) => booting.wifi.setInRange("lab", false),
    });
    const count = (text: string): number => device.output.split(text).length - 1;
    await device.waitForOutput(() => count("WARN wifi down: NO_AP_FOUND") >= 2, 10_000);
    expect(device.output).not.toContain("mqtt up");
    device.wifi.setInRange("lab", true);
    await watch.until((heard) => heard.stored().length >= 1, 20_000, device);
    expect((await storedObject(s3, store.bucket, `devices/${deviceId}/logs/00000001.log`))?.equals(bytes)).toBe(true);
    expect(device.output.indexOf("INFO wifi up")).toBeLessThan(device.output.indexOf("INFO mqtt up"));
    // A lost link is joined again; MQTT finds out for itself (keep-alive) if its connection died meanwhile.
    device.wifi.dropConnection();
    await device.waitForOutput(() => count("INFO wifi up") >= 2, 10_000);
    expect(device.output.indexOf("WARN wifi down: BEACON_TIMEOUT")).toBeGreaterThan(device.output.indexOf("INFO wifi up"));
    expect(count("INFO mqtt up")).toBe(1);
    expect(device.outOfMemory).toBe(false);
  }, 60_000);

  it("mounts the card on the SD pins the board file gives (a board whose slot answers only to its own chip select)", async () => {
    const deviceId = DEVICES[4]!;
    const board = await loadBoard("lolin-d32-pro");
    const { sck, miso, mosi, cs } = board.sdCard!;
    const bytes = randomBytes(4_000);
    const watch = new DeviceWatch(watcher, "ferry", deviceId);
    const device = await bootDevice({
      config: configFor(deviceId, { sd: { sck, miso, mosi, cs }, tlsSessions: board.tlsSessions }),
      masterSecret: MASTER_SECRET,
      files: { "logs/00000001.log": bytes },
      device: { board },
    });
    await watch.until((heard) => heard.stored().length >= 1, 20_000, device);
    expect((await storedObject(s3, store.bucket, `devices/${deviceId}/logs/00000001.log`))?.equals(bytes)).toBe(true);
    expect(cardFiles(device, "logs")).not.toContain("00000001.log");
  }, 30_000);

  it("says what is missing and stays idle when Storage holds no settings", async () => {
    const device = await Device.create();
    try {
      device.install((await defaultApp()).code);
      device.boot();
      await device.waitForOutput("provision the device", 5000);
      expect(device.output).toContain("ferry.json");
      expect(device.output).toContain("ferry.hmac");
      expect(device.output).not.toContain("Uncaught");
    } finally {
      await device.close();
    }
  });
});
