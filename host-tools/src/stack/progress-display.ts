// Follows a stack's reports on a terminal or in a log (terminal-view.ts),
// for `ferry start` and `ferry sim device`.
import type { EventEmitter } from "node:events";
import type { DeviceReport } from "./device-reports.js";
import type { StackEvents } from "./fleet.js";
import type { DeviceProgress } from "./progress.js";
import { LiveBlock, progressLine, reportLine, type TextOutput } from "./terminal-view.js";

export interface ProgressSource {
  readonly events: EventEmitter<StackEvents>;
  progress(): DeviceProgress[];
}

export interface DisplayOptions {
  /** Nothing but what `print` is given. */
  quiet?: boolean;
  /** Which devices to show; default: every device on the broker. */
  only?: (device: string) => boolean;
}

export class ProgressDisplay {
  private readonly block: LiveBlock;
  private readonly onProgress = () => this.redraw();
  private readonly onReport = (report: DeviceReport) => this.log(report);

  constructor(
    out: TextOutput,
    private readonly source: ProgressSource,
    private readonly options: DisplayOptions = {},
  ) {
    this.block = new LiveBlock(out);
    if (options.quiet) return;
    if (this.block.live) source.events.on("progress", this.onProgress);
    else source.events.on("report", this.onReport);
    this.redraw();
  }

  print(text: string): void {
    this.block.print(text);
  }

  /** Stops following; on a terminal the last lines stay, otherwise each device's line is printed once more. */
  stop(): void {
    this.source.events.off("progress", this.onProgress);
    this.source.events.off("report", this.onReport);
    if (this.options.quiet) return;
    if (this.block.live) this.block.release();
    else for (const line of this.lines()) this.block.print(line);
  }

  private redraw(): void {
    if (this.block.live) this.block.render(this.lines());
  }

  private log(report: DeviceReport): void {
    if (!this.shown(report.device)) return;
    const line = reportLine(report, this.source.progress().find((progress) => progress.device === report.device));
    if (line !== undefined) this.block.print(line);
  }

  private lines(): string[] {
    const shown = this.source
      .progress()
      .filter((progress) => this.shown(progress.device))
      .sort((a, b) => a.device.localeCompare(b.device, "en", { numeric: true }));
    const width = Math.max(...shown.map((progress) => progress.device.length));
    return shown.map((progress) => progressLine(progress, width));
  }

  private shown(device: string): boolean {
    return this.options.only === undefined || this.options.only(device);
  }
}
