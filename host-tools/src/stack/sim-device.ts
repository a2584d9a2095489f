// One emulated device of the local stack: an SD card with sample logs, Storage
// provisioned as a board is (design.md, "Flashing and provisioning": the
// device config, its HMAC key, the app as .bootcde), and the real app booted.
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { once } from "node:events";
import { CONFIG_FILE, DEVICE_KEY_FILE, type DeviceConfig } from "../../../firmware/src/app/config.js";
import { Device } from "../emulator/index.js";
import { deriveDeviceKey } from "../presigner/keys.js";
import { LOG_DIR, writeSampleLogs, type SampleFile } from "./sample-logs.js";
import type { StackEndpoints } from "./state-file.js";

export interface SimDeviceSettings {
  /** Seconds between the app's upload rounds. */
  uploadIntervalSeconds: number;
  /** The card is the folder `<cardsDir>/<id>`. */
  cardsDir: string;
  /** Where the device's console goes; kept in memory only (`device.output`) when omitted. */
  consoleFile?: string;
}

/** Log files close often enough that a running device has something new to ship every half minute. */
const LOG_MAX_FILE_BYTES = 16 * 1024;
const LOG_MAX_FILE_SECONDS = 30;
const MQTT_KEEPALIVE_SECONDS = 30;

export class SimDevice {
  private constructor(
    readonly id: string,
    readonly device: Device,
    /** The host folder standing for the SD card. */
    readonly cardDir: string,
    readonly samples: readonly SampleFile[],
    private readonly transcript: WriteStream | undefined,
  ) {}

  /** Makes the card and provisions Storage; `device.boot()` powers it on. */
  static async provision(id: string, endpoints: StackEndpoints, bundle: string, settings: SimDeviceSettings): Promise<SimDevice> {
    const cardDir = join(settings.cardsDir, id);
    // A card left by an earlier run would hold files the bucket already has.
    await rm(cardDir, { recursive: true, force: true });
    await mkdir(cardDir, { recursive: true });
    const samples = await writeSampleLogs(cardDir, id);
    const transcript = settings.consoleFile === undefined ? undefined : createWriteStream(settings.consoleFile);
    const device = await Device.create({ sdPath: cardDir, onConsole: transcript && ((text) => transcript.write(text)) });
    device.storage.write(CONFIG_FILE, JSON.stringify(deviceConfig(id, endpoints, device.board.tlsSessions, settings)));
    // The key as raw bytes: Storage holds binary strings, one char per byte (docs/protocol.md, "Reply MAC").
    device.storage.write(DEVICE_KEY_FILE, deriveDeviceKey(endpoints.masterSecret, id).toString("latin1"));
    device.install(bundle);
    return new SimDevice(id, device, cardDir, samples, transcript);
  }

  /** Card paths of the log files still on the card, e.g. "/logs/00000003.log". */
  async cardLogs(): Promise<string[]> {
    const names = await readdir(join(this.cardDir, LOG_DIR)).catch(() => []);
    return names.sort().map((name) => `${LOG_DIR}/${name}`);
  }

  /** Powers the device off and removes its card and Storage. */
  async close(): Promise<void> {
    await this.device.close();
    if (this.transcript) {
      this.transcript.end();
      await once(this.transcript, "close");
    }
    await rm(this.cardDir, { recursive: true, force: true });
  }
}

function deviceConfig(id: string, endpoints: StackEndpoints, tlsSessions: number, settings: SimDeviceSettings): DeviceConfig {
  const broker = new URL(endpoints.mqttUrl);
  return {
    deviceId: id,
    prefix: endpoints.topicPrefix,
    mqtt: { host: broker.hostname, port: Number(broker.port), tls: false, keepalive: MQTT_KEEPALIVE_SECONDS },
    tlsSessions,
    upload: { intervalSeconds: settings.uploadIntervalSeconds, retire: "delete" },
    // Log lines on the console too: the console file is where a user watches what a device does.
    log: { maxFileBytes: LOG_MAX_FILE_BYTES, maxFileSeconds: LOG_MAX_FILE_SECONDS, console: true },
  };
}
