/**
 * The upload benchmark's printout: both arms per round, their throughput,
 * the ratio, and the bundle size against its limit.
 */
import { machineLine, type Machine } from "../support/machine.js";
import type { ArmTiming } from "./arms.js";

/** The targets. */
export const TARGET_RATIO = 0.9;
export const BUNDLE_LIMIT_BYTES = 16 * 1024;
export const BUNDLE_AIM_BYTES = 12 * 1024;

export interface RoundResult {
  readonly loop: ArmTiming;
  readonly uploader: ArmTiming;
}

export interface UploadReport {
  readonly machine: Machine;
  readonly bytes: number;
  readonly chunkSize: number;
  readonly store: string;
  readonly transport: string;
  readonly bundleBytes: number;
  readonly bundlePath: string;
  readonly rounds: readonly RoundResult[];
  /** Both arms with a file of one chunk: the cost of a file whatever its size. */
  readonly perFile: readonly RoundResult[];
}

const MB = 1024 * 1024;

export function printReport(report: UploadReport): { ratio: number } {
  const { machine, bytes, rounds } = report;
  const rate = (ms: number) => (bytes / MB / (ms / 1000)).toFixed(2);
  const seconds = (ms: number) => (ms / 1000).toFixed(2);
  const row = (label: string, loop: ArmTiming, uploader: ArmTiming) =>
    `  ${label.padEnd(7)}${seconds(loop.ms).padStart(9)}${rate(loop.ms).padStart(8)}${String(loop.passes).padStart(9)}${seconds(loop.cpuMs).padStart(8)}` +
    `${seconds(uploader.ms).padStart(11)}${rate(uploader.ms).padStart(8)}${String(uploader.passes).padStart(9)}${seconds(uploader.cpuMs).padStart(8)}${(loop.ms / uploader.ms).toFixed(2).padStart(8)}`;
  const lines = [
    "bench/upload: the device uploader in the emulator, beside a bare socket loop writing the same file on drain",
    `  ${machineLine(machine)}`,
    `  ${(bytes / MB).toFixed(1)} MB from the SD card, ${report.chunkSize}-byte chunks, to ${report.store} over ${report.transport}; arms alternate which goes first, a fresh board each, after an uncounted 1 MB warm-up of each`,
    "",
    `  ${"".padEnd(7)}${"socket loop".padStart(33)}${"uploader".padStart(36)}`,
    `  ${"round".padEnd(7)}${"s".padStart(9)}${"MB/s".padStart(8)}${"passes".padStart(9)}${"CPU s".padStart(8)}${"s".padStart(11)}${"MB/s".padStart(8)}${"passes".padStart(9)}${"CPU s".padStart(8)}${"ratio".padStart(8)}`,
  ];
  rounds.forEach((round, i) => lines.push(row(String(i + 1), round.loop, round.uploader)));
  const best = (pick: (round: RoundResult) => ArmTiming) => rounds.map(pick).reduce((a, b) => (b.ms < a.ms ? b : a));
  const middle = (pick: (round: RoundResult) => ArmTiming) => {
    const sorted = rounds.map(pick).sort((a, b) => a.ms - b.ms);
    return sorted[Math.floor((sorted.length - 1) / 2)]!;
  };
  const loopBest = best((round) => round.loop);
  const uploaderBest = best((round) => round.uploader);
  const ratio = loopBest.ms / uploaderBest.ms;
  const medianRatio = median(rounds.map((round) => round.loop.ms / round.uploader.ms));
  const fileLoop = median(report.perFile.map((round) => round.loop.ms));
  const fileUploader = median(report.perFile.map((round) => round.uploader.ms));
  const extra = fileUploader - fileLoop;
  const fits = report.bundleBytes <= BUNDLE_LIMIT_BYTES;
  lines.push(
    row("median", middle((round) => round.loop), middle((round) => round.uploader)),
    row("best", loopBest, uploaderBest),
    "",
    `  uploader / socket loop throughput, best of ${rounds.length} against best of ${rounds.length}: ${ratio.toFixed(2)}; median of the rounds' ratios ${medianRatio.toFixed(2)}; target at least ${TARGET_RATIO.toFixed(2)}: ${ratio >= TARGET_RATIO ? "met" : "NOT met"}`,
    `  a one-chunk file (median of ${report.perFile.length}): socket loop ${fileLoop.toFixed(0)} ms, uploader ${fileUploader.toFixed(0)} ms; the uploader's ${extra.toFixed(0)} ms more per file (MAC check, size-check GET, delete)` +
      ` leave a streaming ratio of ${(loopBest.ms / (uploaderBest.ms - extra)).toFixed(2)} (best against best)`,
    "  passes: the engine's socket passes while timed (at most 536 bytes leave per pass); CPU s: this process's CPU time meanwhile",
    "  the uploader is timed from its presign reply to the file leaving the card (MAC check, connect, PUT, ranged-GET size check, delete); the loop from its connect to the PUT's answer",
    `  bundle ${report.bundlePath}: ${report.bundleBytes.toLocaleString("en")} bytes minified, limit ${BUNDLE_LIMIT_BYTES.toLocaleString("en")} (aim ${BUNDLE_AIM_BYTES.toLocaleString("en")}): ${fits ? "fits" : "OVER THE LIMIT"}`,
  );
  process.stdout.write(`${lines.join("\n")}\n`);
  return { ratio };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
