// The emulated devices one process runs against a stack, and what every
// device on that stack reports. The stack's own process has one, and so has
// each `ferry sim device` that joins it from another terminal.
import { EventEmitter } from "node:events";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { isDeviceId } from "../../../firmware/src/protocol/topics.js";
import { BucketReader, type BucketSummary } from "./bucket-summary.js";
import type { DeviceReport } from "./device-reports.js";
import { ProgressRecord, type DeviceProgress } from "./progress.js";
import { ReportWatcher } from "./report-watcher.js";
import { SimDevice } from "./sim-device.js";
import { claimDeviceId, nextDeviceId, type StackEndpoints } from "./state-file.js";

export interface StackEvents {
  /** Every event and state a device on the stack publishes, this process's or not. */
  report: [DeviceReport];
  /** A device's progress changed (or it appeared). */
  progress: [DeviceProgress];
  /** Every sample file of this device is stored. */
  "samples-stored": [device: string];
  /** A device of this process ran out of memory: its app stops where it was. */
  "out-of-memory": [device: string, reason: string];
  /** The broker went away. */
  "broker-lost": [];
}

export interface FleetOptions {
  endpoints: StackEndpoints;
  /** The app bundle every device runs. */
  bundle: string;
  uploadIntervalSeconds: number;
  /** Cards go to `<workDir>/cards/<id>`; with `consoleFiles`, consoles to `<workDir>/<id>.console.log`. */
  workDir: string;
  consoleFiles: boolean;
  /** The stack file that hands out device ids; ids are made up locally without one. */
  stateFile?: string;
}

export class Fleet {
  readonly events = new EventEmitter<StackEvents>();
  private readonly local: SimDevice[] = [];
  private readonly records = new Map<string, ProgressRecord>();
  private readonly bucket: BucketReader;

  private constructor(
    private readonly options: FleetOptions,
    private readonly watcher: ReportWatcher,
  ) {
    this.bucket = new BucketReader(options.endpoints);
    watcher.on("report", (report) => this.take(report));
    watcher.on("lost", () => this.events.emit("broker-lost"));
  }

  /** Connects the watcher; devices added later report to it from their first message. */
  static async watch(options: FleetOptions): Promise<Fleet> {
    const clientId = `ferry-watch-${process.pid}-${randomBytes(3).toString("hex")}`;
    return new Fleet(options, await ReportWatcher.connect(options.endpoints.mqttUrl, options.endpoints.topicPrefix, clientId));
  }

  get devices(): readonly SimDevice[] {
    return this.local;
  }

  /** Boots one more device with its own card of sample logs; `id` defaults to the next free `sim-<n>`. */
  async addDevice(id?: string): Promise<SimDevice> {
    const deviceId = this.claim(id);
    const consoleFile = this.options.consoleFiles ? join(this.options.workDir, `${deviceId}.console.log`) : undefined;
    const device = await SimDevice.provision(deviceId, this.options.endpoints, this.options.bundle, {
      uploadIntervalSeconds: this.options.uploadIntervalSeconds,
      cardsDir: join(this.options.workDir, "cards"),
      consoleFile,
    });
    this.local.push(device);
    const record = this.record(deviceId);
    device.device.on("oom", (reason: string) => this.events.emit("out-of-memory", deviceId, reason));
    record.samples = device.samples;
    this.events.emit("progress", record.snapshot());
    device.device.boot();
    return device;
  }

  progress(): DeviceProgress[] {
    return [...this.records.values()].map((record) => record.snapshot());
  }

  /**
   * Resolves once every sample file of `devices` (default: this process's
   * devices) is reported stored; rejects if one runs out of memory or after
   * `timeoutMs` (Infinity: never), saying which files are missing.
   */
  samplesStored(devices: readonly string[] = this.local.map((device) => device.id), timeoutMs = 120_000): Promise<void> {
    const pending = () => devices.filter((id) => !this.records.get(id)?.samplesDone);
    if (pending().length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const finish = (err?: Error) => {
        clearTimeout(timer);
        this.events.off("progress", onProgress);
        this.events.off("out-of-memory", onOutOfMemory);
        if (err) reject(err);
        else resolve();
      };
      const onProgress = () => {
        if (pending().length === 0) finish();
      };
      const onOutOfMemory = (device: string, reason: string) => {
        if (devices.includes(device)) finish(new Error(`${device} ran out of memory (${reason}); its uploads stopped`));
      };
      const timer =
        timeoutMs === Infinity
          ? undefined
          : setTimeout(() => finish(new Error(`after ${timeoutMs / 1000} s, sample files are still missing: ${this.missing(pending())}`)), timeoutMs);
      this.events.on("progress", onProgress);
      this.events.on("out-of-memory", onOutOfMemory);
    });
  }

  bucketSummary(): Promise<BucketSummary> {
    return this.bucket.summary(this.progress());
  }

  /** Powers off this process's devices and stops watching. */
  async close(): Promise<void> {
    for (const device of this.local.splice(0)) await device.close();
    await this.watcher.close();
    this.bucket.close();
  }

  private take(report: DeviceReport): void {
    const record = this.record(report.device);
    const wasDone = record.samplesDone;
    if (report.kind === "state") record.state = report.state;
    else record.apply(report.event);
    this.events.emit("report", report);
    this.events.emit("progress", record.snapshot());
    if (!wasDone && record.samplesDone) this.events.emit("samples-stored", report.device);
  }

  private record(device: string): ProgressRecord {
    let record = this.records.get(device);
    if (!record) {
      record = new ProgressRecord(device);
      this.records.set(device, record);
    }
    return record;
  }

  private claim(id: string | undefined): string {
    if (id !== undefined && !isDeviceId(id)) throw new Error(`"${id}" is not a device id: use 1 to 64 characters of A-Z a-z 0-9 _ -`);
    const stateFile = this.options.stateFile;
    if (stateFile === undefined) {
      const chosen = id ?? `sim-${randomBytes(3).toString("hex")}`;
      if (this.records.has(chosen)) throw new Error(`${chosen} is already on the stack: pick another id`);
      return chosen;
    }
    const chosen = id ?? nextDeviceId(stateFile);
    if (!claimDeviceId(stateFile, chosen)) throw new Error(`${chosen} is already on the stack: pick another id with --id`);
    return chosen;
  }

  private missing(devices: string[]): string {
    return devices
      .map((id) => {
        const record = this.records.get(id);
        const left = (record?.samples ?? []).filter((sample) => !record?.storedSamples.has(sample.path)).map((sample) => sample.path);
        return `${id} ${left.join(", ")}`;
      })
      .join("; ");
  }
}
