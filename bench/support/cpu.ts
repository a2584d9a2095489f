/**
 * CPU time per process and for the whole machine, from /proc, so a result can
 * say where the cores went: on a small machine the broker, the service and the
 * load generator share them, and other work on the machine takes its part.
 */
import { readFileSync } from "node:fs";

/** Kernel clock ticks per second (USER_HZ): 100 on every Linux Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used so far (user + system), or 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; the fields after its ")" are fixed.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Busy and total CPU seconds of the whole machine so far, all cores summed. */
export function machineCpuSeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return (total - idle) / TICKS_PER_SECOND;
}

export interface CpuUse {
  /** Cores used by each named group of processes over the window. */
  readonly groups: ReadonlyMap<string, number>;
  /** Cores the whole machine was busy. */
  readonly busy: number;
  /** Busy cores no named group accounts for: other work on the machine, the kernel's own. */
  readonly elsewhere: number;
}

/** Samples named groups of processes and the machine at the start and at the end of a window. */
export class CpuWindow {
  private readonly startGroups: Map<string, number>;
  private readonly startBusy = machineCpuSeconds();
  private readonly startedAt = performance.now();

  constructor(private readonly groups: ReadonlyMap<string, readonly number[]>) {
    this.startGroups = this.sample();
  }

  end(): CpuUse {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const now = this.sample();
    const busy = (machineCpuSeconds() - this.startBusy) / seconds;
    const groups = new Map<string, number>();
    let accounted = 0;
    for (const [name, before] of this.startGroups) {
      const cores = ((now.get(name) ?? 0) - before) / seconds;
      groups.set(name, cores);
      accounted += cores;
    }
    return { groups, busy, elsewhere: Math.max(0, busy - accounted) };
  }

  private sample(): Map<string, number> {
    const totals = new Map<string, number>();
    for (const [name, pids] of this.groups) totals.set(name, pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0));
    return totals;
  }
}
