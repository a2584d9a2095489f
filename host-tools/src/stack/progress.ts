// One device's progress as its reports tell it: which sample files are in
// the bucket, what else it has uploaded, what failed, and what waits. A
// device started in another process is followed too, without samples.
import type { DeviceEvent, UploadEvent } from "../../../firmware/src/protocol/events.js";
import type { DeviceState } from "./device-reports.js";
import type { SampleFile } from "./sample-logs.js";

export interface DeviceProgress {
  device: string;
  state: DeviceState | "unknown";
  /** The sample files put on its card; empty for a device this process did not start. */
  samples: readonly SampleFile[];
  /** Sample paths the device reported stored, with the relative key each went to. */
  storedSamples: ReadonlyMap<string, string>;
  /** Every upload reported stored (samples and files logged since). */
  stored: number;
  storedBytes: number;
  failed: number;
  /** Files still on the card after the last round; undefined before the first round ends. */
  waiting?: number;
  last?: UploadEvent;
}

export class ProgressRecord {
  state: DeviceState | "unknown" = "unknown";
  readonly storedSamples = new Map<string, string>();
  stored = 0;
  storedBytes = 0;
  failed = 0;
  waiting: number | undefined;
  last: UploadEvent | undefined;
  samples: readonly SampleFile[] = [];

  constructor(readonly device: string) {}

  get samplesDone(): boolean {
    return this.samples.length > 0 && this.samples.every((sample) => this.storedSamples.has(sample.path));
  }

  apply(event: DeviceEvent): void {
    if (event.type === "round") {
      this.waiting = event.waiting;
      return;
    }
    this.last = event;
    if (event.outcome === "failed") {
      this.failed++;
      return;
    }
    this.stored++;
    this.storedBytes += event.size;
    const sample = this.samples.find((candidate) => candidate.path === event.file);
    if (sample) this.storedSamples.set(sample.path, event.key);
  }

  snapshot(): DeviceProgress {
    return {
      device: this.device,
      state: this.state,
      samples: this.samples,
      storedSamples: new Map(this.storedSamples),
      stored: this.stored,
      storedBytes: this.storedBytes,
      failed: this.failed,
      waiting: this.waiting,
      last: this.last,
    };
  }
}
