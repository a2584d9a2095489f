// Devices and directories for one test, released when the test finishes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { Device, type DeviceOptions } from "../../host-tools/src/emulator/index.js";

export async function createDevice(options: DeviceOptions = {}): Promise<Device> {
  const device = await Device.create(options);
  onTestFinished(() => device.close());
  return device;
}

/** A device already running `code` as its app. */
export async function bootDevice(code: string, options: DeviceOptions = {}): Promise<Device> {
  const device = await createDevice(options);
  device.install(code);
  device.boot();
  return device;
}

export function temporaryDirectory(prefix = "ferry-emulator-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Resolves once the device has printed `text` `count` times in all. */
export function printedTimes(device: Device, text: string, count: number): Promise<string> {
  return device.waitForOutput((output) => output.split(text).length - 1 >= count);
}
