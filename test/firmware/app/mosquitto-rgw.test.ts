// The headline flow of design.md on the production-grade peers: the default
// app on a board that holds one TLS session at a time, talking to Mosquitto
// over mutual TLS (its certificate's CN is its id, the ACL keeps it to its
// own topics) and uploading to Ceph RGW over TLS with URLs from the real
// presigner. A 10 MB log file must reach the bucket identical to the SD
// file, and leave the card, within the board's memory.
import { createHash, randomBytes } from "node:crypto";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_BOARD } from "../../../host-tools/src/emulator/index.js";
import { validateConfig } from "../../../host-tools/src/presigner/config.js";
import { Logger } from "../../../host-tools/src/presigner/log.js";
import { startPresigner, type RunningPresigner } from "../../../host-tools/src/presigner/presigner.js";
import { startMosquitto, type Mosquitto } from "../../support/mosquitto.js";
import { connectWithCertificate } from "../../support/mqtt-clients.js";
import { s3ClientFor, uniqueBucketName } from "../../support/s3.js";
import { suiteRgw } from "../../support/suite-rgw.js";
import { bootDevice, cardFiles, DeviceWatch, storedObject } from "./device-app.js";

const MASTER_SECRET = "app-test-master-secret-rgw-0123456789abcdef";
const DEVICE = "dev-rgw-1";
const MB = 1024 * 1024;

const rgw = suiteRgw();
const s3 = s3ClientFor(rgw);
const bucket = uniqueBucketName("device-app");
let broker: Mosquitto;
let presigner: RunningPresigner;
let watcher: MqttClient;

beforeAll(async () => {
  if (rgw.tlsEndpoint === undefined) throw new Error("the suite's gateway has no TLS endpoint");
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  broker = await startMosquitto();
  const service = await broker.pki.issueClient(broker.serviceIdentity);
  const config = validateConfig(
    {
      masterSecret: MASTER_SECRET,
      devices: [DEVICE],
      mqtt: { url: broker.tlsUrl, ca: broker.pki.ca.certPath, cert: service.certPath, key: service.keyPath },
      s3: { endpoint: rgw.tlsEndpoint, bucket, region: rgw.region },
      http: false,
    },
    "app test config (Mosquitto, RGW)",
  );
  presigner = await startPresigner(config, {
    log: new Logger({ write: () => true }),
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
  });
  // The service's identity may read every device's topics.
  watcher = await connectWithCertificate(broker, service, { clientId: "app-test-watcher" });
  await watcher.subscribeAsync(`ferry/${DEVICE}/#`, { qos: 1 });
});

afterAll(async () => {
  await watcher?.endAsync();
  await presigner?.close();
  await broker?.stop();
  s3.destroy();
});

describe("the default app on a one-TLS-session board, Mosquitto with mutual TLS, and Ceph RGW over TLS", () => {
  it("ships a 10 MB log file to the bucket identical to the SD file, retires it, and never exceeds the board's memory", async () => {
    expect(DEFAULT_BOARD.tlsSessions).toBe(1);
    const data = randomBytes(10 * MB);
    const watch = new DeviceWatch(watcher, "ferry", DEVICE);
    const started = Date.now();
    const device = await bootDevice({
      config: {
        deviceId: DEVICE,
        mqtt: { host: "127.0.0.1", port: broker.tlsPort, tls: true },
        tlsSessions: DEFAULT_BOARD.tlsSessions,
        upload: { intervalSeconds: 60 },
        log: { console: true },
      },
      masterSecret: MASTER_SECRET,
      identity: await broker.pki.issueClient(DEVICE),
      files: { "logs/00000001.log": data },
    });
    await watch.until((heard) => heard.events.some((event) => event.type === "round"), 100_000, device);
    const seconds = (Date.now() - started) / 1000;

    expect(watch.events).toEqual([
      { type: "upload", file: "/logs/00000001.log", key: "logs/00000001.log", size: 10 * MB, outcome: "stored" },
      { type: "round", stored: 1, failed: 0, waiting: 0 },
    ]);
    const stored = await storedObject(s3, bucket, `devices/${DEVICE}/logs/00000001.log`);
    expect(stored?.length).toBe(data.length);
    expect(createHash("sha256").update(stored!).digest("hex")).toBe(createHash("sha256").update(data).digest("hex"));
    expect(cardFiles(device, "logs")).not.toContain("00000001.log");
    // MQTT gave its TLS session back before the bucket's opened, and came back after.
    const transcript = device.output;
    const paused = transcript.indexOf("mqtt down: paused");
    expect(paused).toBeGreaterThan(transcript.indexOf("INFO mqtt up"));
    expect(transcript.indexOf("INFO uploaded /logs/00000001.log 10485760")).toBeGreaterThan(paused);
    expect(transcript.lastIndexOf("INFO mqtt up")).toBeGreaterThan(transcript.indexOf("INFO uploaded"));
    expect(transcript).not.toContain("Not enough memory");
    expect(transcript).not.toContain("Uncaught");
    expect(device.outOfMemory).toBe(false);
    expect(watch.states.map((state) => state.payload)).toEqual(["online", "online"]);
    const at = (text: string): number => Date.parse(transcript.slice(transcript.lastIndexOf("\n", transcript.indexOf(text)) + 1).slice(0, 24));
    const uploadSeconds = (at("INFO uploaded") - at("mqtt down: paused")) / 1000;
    console.info(`10 MB over TLS on a one-session board: PUT and size check in ${uploadSeconds.toFixed(1)} s; stored, retired and reported ${seconds.toFixed(1)} s after the test started (app build included)`);
  }, 120_000);
});
