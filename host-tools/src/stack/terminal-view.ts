// How `ferry start` and `ferry sim device` show a stack at work: on a
// terminal, one line per device redrawn in place as reports arrive;
// otherwise (a pipe, a CI log) one plain line per report. Neither ever
// shows a presigned URL or the master secret: only paths, keys and sizes.
import { basename } from "node:path";
import type { BucketSummary } from "./bucket-summary.js";
import type { DeviceReport } from "./device-reports.js";
import type { DeviceProgress } from "./progress.js";

export interface TextOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

const count = (n: number) => n.toLocaleString("en-US");

/** One device's line, within 80 columns when nothing failed: state, samples stored, everything uploaded, failures, backlog, last upload. */
export function progressLine(progress: DeviceProgress, idWidth = 6): string {
  const state = progress.state === "unknown" ? "booting" : progress.state;
  const parts = [
    progress.device.padEnd(idWidth),
    state.padEnd(7),
    progress.samples.length === 0 ? "samples -  " : `samples ${progress.storedSamples.size}/${progress.samples.length}`,
    `${progress.stored} files ${formatBytes(progress.storedBytes)}`.padEnd(16),
  ];
  if (progress.failed > 0) parts.push(`${progress.failed} failed`);
  if (progress.waiting !== undefined) parts.push(`${progress.waiting} waiting`);
  const last = progress.last;
  if (last) parts.push(`${last.outcome} ${basename(last.file)}${last.reason ? ` (${last.reason})` : ""}`);
  return parts.join("  ");
}

/** A report as one line of a log; undefined for rounds in which nothing happened. */
export function reportLine(report: DeviceReport, progress: DeviceProgress | undefined): string | undefined {
  if (report.kind === "state") return `${report.device} ${report.state}`;
  const event = report.event;
  if (event.type === "round") {
    if (event.stored === 0 && event.failed === 0) return undefined;
    return `${report.device} round: ${event.stored} stored, ${event.failed} failed, ${event.waiting} waiting`;
  }
  if (event.outcome === "failed") return `${report.device} failed ${event.file} (${event.reason ?? "no reason given"}); it stays on the card for the next round`;
  const sample = progress?.samples.some((candidate) => candidate.path === event.file);
  const samples = sample ? `; samples ${progress!.storedSamples.size}/${progress!.samples.length}` : "";
  return `${report.device} stored ${event.file} as ${event.key} (${count(event.size)} bytes)${samples}`;
}

export function summaryLines(summary: BucketSummary, storeEndpoint: string): string[] {
  const lines = [`bucket ${summary.bucket} at ${storeEndpoint}:`];
  const width = Math.max(10, ...summary.devices.map((entry) => entry.prefix.length)) + 2;
  for (const entry of summary.devices) {
    let line = `  ${entry.prefix.padEnd(width)}${`${entry.objects} objects`.padStart(11)}  ${`${count(entry.bytes)} bytes`.padStart(16)}`;
    if (entry.samples) {
      const { total, matching } = entry.samples;
      line += matching === total ? `  all ${total} sample files match their SD files byte for byte` : `  ${matching} of ${total} sample files match their SD files`;
    }
    lines.push(line);
    for (const problem of entry.samples?.problems ?? []) lines.push(`      ${problem}`);
  }
  lines.push(`  ${"total".padEnd(width)}${`${summary.objects} objects`.padStart(11)}  ${`${count(summary.bytes)} bytes`.padStart(16)}`);
  return lines;
}

/** True when every sample file of every device with samples is in the bucket exactly. */
export function samplesIntact(summary: BucketSummary): boolean {
  return summary.devices.every((entry) => !entry.samples || entry.samples.matching === entry.samples.total);
}

/**
 * A block of lines kept at the bottom of a terminal and redrawn in place;
 * text printed through it goes above the block. On anything but a terminal
 * the block is never drawn.
 */
export class LiveBlock {
  private drawn = 0;
  private lines: string[] = [];

  constructor(private readonly out: TextOutput) {}

  get live(): boolean {
    return this.out.isTTY === true;
  }

  render(lines: string[]): void {
    this.lines = lines;
    if (this.live) this.out.write(`${this.erase()}${this.draw()}`);
  }

  print(text: string): void {
    this.out.write(this.live ? `${this.erase()}${text}\n${this.draw()}` : `${text}\n`);
  }

  /** Leaves the block as it is on screen and stops redrawing it. */
  release(): void {
    this.drawn = 0;
    this.lines = [];
  }

  private erase(): string {
    // Up to the block's first line, then clear to the end of the screen.
    return this.drawn === 0 ? "" : `\x1b[${this.drawn}F\x1b[J`;
  }

  private draw(): string {
    this.drawn = this.lines.length;
    // A line that wraps would take two rows, and the next redraw would leave one behind.
    // 0 is a terminal that does not know its size.
    const width = this.out.columns || Infinity;
    return this.lines.map((line) => `${line.length < width ? line : line.slice(0, width - 1)}\n`).join("");
  }
}
