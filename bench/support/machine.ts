/**
 * What a benchmark result is measured on: printed with every result, since a
 * figure means nothing without the machine and the moment it came from.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";

export interface Machine {
  readonly date: string;
  readonly cores: number;
  readonly cpuModel: string;
  readonly node: string;
  /** 1-minute load average when the benchmark started: other work on a shared machine shows here. */
  readonly loadAverage: number;
}

export function describeMachine(): Machine {
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cores: nproc(),
    cpuModel: cpuModel(),
    node: process.version,
    loadAverage: loadavg()[0] ?? 0,
  };
}

export function machineLine(machine: Machine): string {
  return `${machine.date}, ${machine.cores} cores (nproc), ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage.toFixed(2)} at start`;
}

function nproc(): number {
  try {
    return Number(execFileSync("nproc", { encoding: "utf8" }).trim());
  } catch {
    return availableParallelism();
  }
}

function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((text) => text.startsWith("model name"));
    return line?.split(":")[1]?.trim() ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
}
