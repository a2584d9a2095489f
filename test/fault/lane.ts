/**
 * One complete set-up for fault trials: a device running the real default
 * app in the emulator, its own Mosquitto and presigner, and the suite's Ceph
 * RGW, with a proxy on every path the faults need:
 *
 *   device ──MQTT──► BrokerPath ──► Mosquitto (plain listener) ◄── FaultProxy ◄── presigner
 *      │                                  ▲
 *      │                                  └── FaultProxy ◄── watcher (events, forged replies)
 *      └──HTTPS──► FaultProxy ──► StoreProxy ──HTTP──► Ceph RGW
 *                  (the presigner signs URLs for the FaultProxy's address)
 *
 * A lane outlives its trials: the device keeps running from one to the next.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { CONFIG_FILE, DEVICE_KEY_FILE, type DeviceConfig } from "../../firmware/src/app/config.js";
import type { DeviceEvent } from "../../firmware/src/protocol/events.js";
import type { PutRequest } from "../../firmware/src/protocol/presign.js";
import { eventTopic, presignReplyTopic, presignTopic, stateTopic } from "../../firmware/src/protocol/topics.js";
import { Device } from "../../host-tools/src/emulator/index.js";
import { validateConfig } from "../../host-tools/src/presigner/config.js";
import { deriveDeviceKey } from "../../host-tools/src/presigner/keys.js";
import { Logger } from "../../host-tools/src/presigner/log.js";
import { startPresigner, type RunningPresigner } from "../../host-tools/src/presigner/presigner.js";
import { FaultProxy } from "../support/fault-proxy.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import type { Pki } from "../support/pki.js";
import type { RgwConnection } from "../support/rgw.js";
import { BrokerPath } from "./broker-path.js";
import { CardLedger } from "./card-ledger.js";
import { Decoy } from "./forgery.js";
import { StoreProxy } from "./store-proxy.js";

export const MASTER_SECRET = "fault-suite-master-secret-0123456789abcdef";
const PREFIX = "ferry";
/** Long enough for any healthy round; the expired-URL fault swaps in a presigner with 1 s. */
const EXPIRY_SECONDS = 300;

export interface LaneOptions {
  readonly name: string;
  /** MQTT over TLS: on a one-session board the app then pauses MQTT for every upload. */
  readonly mqttTls: boolean;
  /** Bytes per body write. */
  readonly chunkSize: number;
  /** What the app does with a file the bucket holds. */
  readonly retire: "delete" | "move";
  readonly bundle: string;
  readonly pki: Pki;
  readonly rgw: RgwConnection;
  readonly bucket: string;
}

/** The app's settings for trials: short waits everywhere, so a failure is retried within a second. */
export const TRIAL_UPLOAD_SETTINGS = {
  intervalSeconds: 0.25,
  batch: 4,
  presignTimeoutSeconds: 1,
  // Above the 2.2 s a request is held back for the expired-URL fault.
  httpTimeoutSeconds: 5,
  retrySeconds: 0.2,
  retryMaxSeconds: 1,
} as const satisfies DeviceConfig["upload"];

/** Events: "event"(DeviceEvent), "request"(PutRequest), "state"(string). */
export class Watcher extends EventEmitter {
  readonly events: { event: DeviceEvent; at: number }[] = [];

  constructor(
    readonly client: MqttClient,
    deviceId: string,
  ) {
    super();
    client.on("message", (topic, payload) => {
      const text = payload.toString("latin1");
      if (topic === eventTopic(PREFIX, deviceId)) {
        const event = JSON.parse(text) as DeviceEvent;
        this.events.push({ event, at: Date.now() });
        this.emit("event", event);
      } else if (topic === presignTopic(PREFIX, deviceId)) {
        this.emit("request", JSON.parse(text) as PutRequest);
      } else if (topic === stateTopic(PREFIX, deviceId)) {
        this.emit("state", text);
      }
    });
  }

  static async connect(port: number, deviceId: string): Promise<Watcher> {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      clientId: `watch-${deviceId}`,
      protocolVersion: 4,
      // Back soon after the broker is: the lane's own broker restarts in trials.
      reconnectPeriod: 200,
      connectTimeout: 5_000,
    });
    const watcher = new Watcher(client, deviceId);
    await client.subscribeAsync([eventTopic(PREFIX, deviceId), presignTopic(PREFIX, deviceId), stateTopic(PREFIX, deviceId)], { qos: 1 });
    return watcher;
  }

  /** Publishes as a client the broker lets write anywhere (the plain listener has no ACL). */
  publish(topic: string, payload: string | Buffer): void {
    this.client.publish(topic, payload, { qos: 0 });
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}

export class Lane {
  readonly ledger: CardLedger;
  presigner!: RunningPresigner;
  private readonly presignerLog: string[] = [];
  private consoleRead = 0;

  private constructor(
    readonly options: LaneOptions,
    readonly deviceId: string,
    readonly root: string,
    readonly device: Device,
    readonly store: StoreProxy,
    /** The device's way to the store proxy, below TLS: it cuts the encrypted stream. */
    readonly storeGate: FaultProxy,
    readonly brokerPath: BrokerPath,
    /** The presigner's way to the broker; its delay holds back genuine replies. */
    readonly servicePath: FaultProxy,
    readonly watchPath: FaultProxy,
    readonly decoy: Decoy,
    public broker: Mosquitto,
    public watcher: Watcher,
  ) {
    this.ledger = new CardLedger(device, store, (cardPath) => this.objectPath(cardPath));
  }

  static async start(options: LaneOptions): Promise<Lane> {
    const deviceId = `${options.name}-${randomBytes(3).toString("hex")}`;
    const root = mkdtempSync(join(tmpdir(), "ferry-fault-"));
    mkdirSync(join(root, "card"));
    mkdirSync(join(root, "staging"));
    const { cert, key } = options.pki.server;
    const broker = await startMosquitto({ pki: options.pki });
    const brokerTarget = { host: "127.0.0.1", port: broker.port };
    const [store, brokerPath, servicePath, watchPath, decoy] = await Promise.all([
      StoreProxy.start({ store: storeAddress(options.rgw), cert, key }),
      BrokerPath.start(brokerTarget, options.mqttTls ? { tls: { cert, key } } : {}),
      FaultProxy.start({ target: brokerTarget }),
      FaultProxy.start({ target: brokerTarget }),
      Decoy.start(cert, key),
    ]);
    const storeGate = await FaultProxy.start({ target: { host: "127.0.0.1", port: store.port } });
    const device = await Device.create({ sdPath: join(root, "card") });
    const watcher = await Watcher.connect(watchPath.port, deviceId);
    const lane = new Lane(options, deviceId, root, device, store, storeGate, brokerPath, servicePath, watchPath, decoy, broker, watcher);
    lane.presigner = await lane.startPresigner(EXPIRY_SECONDS);

    const config: DeviceConfig = {
      deviceId,
      prefix: PREFIX,
      mqtt: { host: "127.0.0.1", port: brokerPath.port, tls: options.mqttTls, keepalive: 2 },
      tlsSessions: 1,
      upload: { ...TRIAL_UPLOAD_SETTINGS, chunkSize: options.chunkSize, retire: options.retire },
      // Small log files, so the app's own logs are shipped (and checked) beside the trials' files.
      log: { maxFileBytes: 3000, console: true },
    };
    device.storage.write(CONFIG_FILE, JSON.stringify(config));
    device.storage.write(DEVICE_KEY_FILE, lane.deviceKey.toString("latin1"));
    device.install(options.bundle);
    const online = new Promise<void>((resolve) => watcher.on("state", (state) => state === "online" && resolve()));
    device.boot();
    await online;
    return lane;
  }

  /** Where the SD card's files are on the host. */
  get cardDir(): string {
    return join(this.root, "card");
  }

  /** A folder on the card's file system, off the card, for writing files before they appear. */
  get stagingDir(): string {
    return join(this.root, "staging");
  }

  /** The device's HMAC key, as provisioned. */
  get deviceKey(): Buffer {
    return deriveDeviceKey(MASTER_SECRET, this.deviceId);
  }

  /** The store path an upload of `cardPath` goes to: the app's key is the path without its "/". */
  objectPath(cardPath: string): string {
    return `/${this.options.bucket}/devices/${this.deviceId}${cardPath}`;
  }

  get replyTopic(): string {
    return presignReplyTopic(PREFIX, this.deviceId);
  }

  get requestTopic(): string {
    return presignTopic(PREFIX, this.deviceId);
  }

  /** Replaces the presigner with one whose URLs live `expirySeconds`. */
  async usePresigner(expirySeconds: number): Promise<void> {
    await this.presigner.close();
    this.presigner = await this.startPresigner(expirySeconds);
  }

  /**
   * The broker goes away: its address stops answering, Mosquitto is killed
   * (the presigner and the watcher lose it too), and after `downMs` a new
   * one starts and the address answers again.
   */
  async brokerAway(downMs: number): Promise<void> {
    await this.brokerPath.goAway();
    await this.broker.stop();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.broker = await startMosquitto({ pki: this.options.pki });
    const target = { host: "127.0.0.1", port: this.broker.port };
    this.servicePath.retarget(target);
    this.watchPath.retarget(target);
    await this.brokerPath.comeBack(target);
  }

  /** The device's console since the last call: between trials it keeps running too. */
  unreadConsole(): string {
    const text = this.device.output.slice(this.consoleRead);
    this.consoleRead = this.device.output.length;
    return text;
  }

  /** What the presigner logged at warn and above, for a failing trial's report. */
  presignerLogTail(lines = 20): string {
    return this.presignerLog.slice(-lines).join("");
  }

  async close(): Promise<void> {
    await this.device.close();
    await this.watcher.close().catch(() => {});
    await this.presigner.close();
    await Promise.all([this.store.close(), this.storeGate.close(), this.brokerPath.close(), this.servicePath.close(), this.watchPath.close(), this.decoy.close()]);
    await this.broker.stop();
    rmSync(this.root, { recursive: true, force: true });
  }

  private async startPresigner(expirySeconds: number): Promise<RunningPresigner> {
    const { rgw, bucket } = this.options;
    const config = validateConfig(
      {
        masterSecret: MASTER_SECRET,
        devices: "*",
        mqtt: { url: `mqtt://127.0.0.1:${this.servicePath.port}` },
        s3: { endpoint: `https://127.0.0.1:${this.storeGate.port}`, bucket, region: rgw.region },
        limits: { expirySeconds },
        http: false,
        log: { level: "warn" },
      },
      `fault lane ${this.options.name}`,
    );
    const log = new Logger({ write: (line: string) => void this.presignerLog.push(line) }, "warn");
    return startPresigner(config, { log, credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } });
  }
}

function storeAddress(rgw: RgwConnection): { host: string; port: number } {
  const url = new URL(rgw.endpoint);
  return { host: url.hostname, port: Number(url.port) };
}
