// The MQTT test app (test/fixtures/firmware/mqtt-device.ts) built once by
// `ferry build`, booted on an emulated board, and read back from its console.
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { buildFirmware } from "../../../host-tools/src/build/firmware.js";
import { Device, type DeviceOptions } from "../../../host-tools/src/emulator/index.js";
import type { ClientIdentity } from "../../support/pki.js";

const APP = join(import.meta.dirname, "../../fixtures/firmware/mqtt-device.ts");

export interface DeviceSettings {
  host: string;
  port: number;
  tls: boolean;
  clientId: string;
  keepalive: number;
  cleanSession: boolean;
  will?: { topic: string; payload: string; qos?: 0 | 1; retain?: boolean };
  maxPacketSize: number;
  backoff: { min: number; max: number };
  timeout: number;
  echoFrom?: string;
  echoTo?: string;
  twinClientId?: string;
  pauseAtStart?: boolean;
}

export interface ReceivedOnDevice {
  topic: string;
  payload: Buffer;
}

let bundle: Promise<string> | undefined;

/** The app's bundle; built on first use and shared by every test in the file. */
export function mqttApp(): Promise<string> {
  bundle ??= buildFirmware({ entry: APP }).then((build) => build.code);
  return bundle;
}

export const FAST_SETTINGS = {
  keepalive: 5,
  cleanSession: true,
  maxPacketSize: 4096,
  backoff: { min: 100, max: 400 },
  timeout: 3000,
} satisfies Partial<DeviceSettings>;

/** A device running the MQTT app; closed when the test finishes. */
export class MqttDevice {
  private constructor(readonly device: Device) {}

  static async start(settings: DeviceSettings, identity?: ClientIdentity, options: DeviceOptions = {}): Promise<MqttDevice> {
    const device = await Device.create({ sdPath: null, ...options });
    onTestFinished(() => device.close());
    device.storage.write("mqtt-test.json", JSON.stringify(settings));
    if (identity) {
      device.storage.write("device.key", identity.keyDerBinary);
      device.storage.write("device.crt", identity.certDerBinary);
    }
    device.install(await mqttApp());
    device.boot();
    return new MqttDevice(device);
  }

  /** How many console lines start with `prefix`. */
  count(prefix: string): number {
    return this.lines().filter((line) => line.startsWith(prefix)).length;
  }

  /** Resolves once `count` lines in all start with `prefix`. */
  async waitFor(prefix: string, count = 1, timeoutMs = 10_000): Promise<void> {
    await this.device.waitForOutput(() => this.count(prefix) >= count, timeoutMs);
  }

  /** Resolves once the client has reported its `count`th accepted connection. */
  connected(count = 1): Promise<void> {
    return this.waitFor("MQTT connect", count);
  }

  publish(topic: string, payload: string, options: { qos: 0 | 1; retain?: boolean; tag: string }): void {
    const args = [topic, payload, options.qos, options.retain ?? false, options.tag].map((arg) => JSON.stringify(arg));
    this.device.eval(`publish(${args.join(",")})`);
  }

  /** The outcome the device reported for the publish tagged `tag`. */
  async acked(tag: string, timeoutMs = 10_000): Promise<boolean> {
    await this.waitFor(`MQTT ack ${tag} `, 1, timeoutMs);
    return this.lines().find((line) => line.startsWith(`MQTT ack ${tag} `))!.endsWith(" true");
  }

  hasReported(prefix: string): boolean {
    return this.count(prefix) > 0;
  }

  /** pause() on the device; resolves when its promise has. */
  async pause(): Promise<void> {
    const before = this.count("MQTT paused");
    this.device.eval("pause()");
    await this.waitFor("MQTT paused", before + 1);
  }

  resume(): void {
    this.device.eval("mqtt.resume()");
  }

  subscribe(topic: string, qos: 0 | 1): void {
    this.device.eval(`mqtt.subscribe(${JSON.stringify(topic)}, ${qos})`);
  }

  /** Every PUBLISH the device received, in order. */
  messages(): ReceivedOnDevice[] {
    return this.lines()
      .filter((line) => line.startsWith("MQTT message "))
      .map((line) => {
        const [, , topic, , base64] = line.split(" ");
        return { topic: topic!, payload: Buffer.from(base64 ?? "", "base64") };
      });
  }

  /** The reasons the device gave for every closed connection, in order. */
  closeReasons(): string[] {
    return this.lines()
      .filter((line) => line.startsWith("MQTT close "))
      .map((line) => line.slice("MQTT close ".length));
  }

  private lines(): string[] {
    return this.device.output.split("\n");
  }
}
