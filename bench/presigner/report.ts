/**
 * The presigner benchmark's printout: the figures, the ceiling beside them,
 * the ratio, where the cores went, and the machine they came from.
 */
import { spawnSync } from "node:child_process";
import { MOSQUITTO_BINARY } from "../../test/support/mosquitto.js";
import type { CpuUse } from "../support/cpu.js";
import type { LatencySummary } from "../support/latency.js";
import { machineLine, type Machine } from "../support/machine.js";
import type { PhaseName } from "./messages.js";

/** The issue's target: at least half the ceiling, and at least this many round trips a second. */
const TARGET_RATIO = 0.5;
const TARGET_PER_SECOND = 5_000;

export interface PhaseResult {
  readonly phase: PhaseName;
  readonly round: number;
  readonly perSecond: number;
  readonly latency: LatencySummary;
  readonly cpu: CpuUse;
  readonly refused: number;
  readonly firstRefusal?: string;
  readonly unexpected: number;
  readonly stalled: number;
}

export interface Report {
  readonly machine: Machine;
  readonly plan: { clients: number; workers: number; warmupMs: number; measureMs: number; rounds: number };
  readonly replyBytes: number;
  readonly results: readonly PhaseResult[];
}

export function printReport(report: Report): void {
  const { machine, plan, replyBytes, results } = report;
  const label = (result: PhaseResult) => `${result.phase === "echo" ? "echo (ceiling)" : "presign"}${plan.rounds > 1 ? ` #${result.round}` : ""}`;
  const lines = [
    "bench/presigner: presign round trips through Mosquitto, beside the broker's echo ceiling",
    `  ${machineLine(machine)}, ${mosquittoVersion()}`,
    `  ${plan.clients} devices in ${plan.workers} load-generator processes, each in a closed loop (one request outstanding), QoS 1 both ways`,
    `  requests: put (two URLs per reply), replies ${replyBytes} bytes (echo padded to the same); warm-up ${plan.warmupMs / 1000} s, measured ${plan.measureMs / 1000} s per phase`,
    "",
    `  ${"phase".padEnd(18)}${"round trips/s".padStart(14)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}`,
  ];
  for (const result of results) {
    lines.push(`  ${label(result).padEnd(18)}${count(result.perSecond).padStart(14)}${result.latency.p50.toFixed(1).padStart(9)}${result.latency.p99.toFixed(1).padStart(9)}`);
    const problems = [
      result.refused > 0 ? `${result.refused} refused (first: ${result.firstRefusal})` : "",
      result.unexpected > 0 ? `${result.unexpected} unexpected replies` : "",
      result.stalled > 0 ? `${result.stalled} devices never got their last reply` : "",
    ].filter((text) => text !== "");
    if (problems.length > 0) lines.push(`  ${"".padEnd(18)}!! ${problems.join("; ")}`);
  }
  lines.push(
    "",
    "  where the CPU went: cores used over the measured window, and CPU time per round trip",
    `  ${"phase".padEnd(18)}${"broker".padStart(8)}${"responder".padStart(10)}${"load".padStart(8)}${"elsewhere".padStart(10)}${"busy".padStart(7)}   µs/rt:${"broker".padStart(8)}${"responder".padStart(10)}${"load".padStart(8)}${"total".padStart(8)}`,
  );
  for (const result of results) {
    const cores = coresOf(result);
    const micros = (value: number) => ((value / result.perSecond) * 1e6).toFixed(0);
    lines.push(
      `  ${label(result).padEnd(18)}${cores.broker.toFixed(2).padStart(8)}${cores.responder.toFixed(2).padStart(10)}${cores.load.toFixed(2).padStart(8)}${result.cpu.elsewhere.toFixed(2).padStart(10)}${result.cpu.busy.toFixed(2).padStart(7)}` +
        `         ${micros(cores.broker).padStart(8)}${micros(cores.responder).padStart(10)}${micros(cores.load).padStart(8)}${micros(cores.total).padStart(8)}`,
    );
  }
  const echo = average(results, "echo");
  const presign = average(results, "presign");
  const ratio = presign.perSecond / echo.perSecond;
  const met = ratio >= TARGET_RATIO && presign.perSecond >= TARGET_PER_SECOND;
  lines.push(
    "",
    `  presign / ceiling: ${ratio.toFixed(2)} (target at least ${TARGET_RATIO.toFixed(2)})`,
    `  presign rate: ${count(presign.perSecond)}/s (target at least ${count(TARGET_PER_SECOND)}/s)`,
    `  target: ${met ? "met" : "NOT met"}`,
    `  responder CPU per request: presigner ${presign.responderMicros.toFixed(0)} µs, echo ${echo.responderMicros.toFixed(0)} µs`,
    `  CPU-bound estimate with the ${machine.cores} cores to itself: presign ${count(estimate(machine.cores, presign))}/s, echo ${count(estimate(machine.cores, echo))}/s`,
    "    (the cores over the total CPU per round trip, or one core over the responder's, whichever is less: a responder is one thread)",
    '  "elsewhere": busy time the broker, the responders and the load generators do not account for: other work on the machine',
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}

interface PhaseCores {
  readonly broker: number;
  /** The presigner in presign phases, the echo responder in echo phases. */
  readonly responder: number;
  readonly load: number;
  readonly total: number;
}

function coresOf(result: PhaseResult): PhaseCores {
  const group = (name: string) => result.cpu.groups.get(name) ?? 0;
  const broker = group("broker");
  const responder = group(result.phase === "echo" ? "echo" : "presigner");
  const load = group("load");
  return { broker, responder, load, total: broker + responder + load };
}

/** Mean rate over a phase's rounds, and CPU per round trip over all of them. */
function average(results: readonly PhaseResult[], phase: PhaseName): { perSecond: number; responderMicros: number; totalMicros: number } {
  const rounds = results.filter((result) => result.phase === phase);
  const perSecond = rounds.reduce((sum, result) => sum + result.perSecond, 0) / rounds.length;
  const cores = rounds.map(coresOf);
  const mean = (pick: (value: PhaseCores) => number) => cores.reduce((sum, value) => sum + pick(value), 0) / cores.length;
  return { perSecond, responderMicros: (mean((value) => value.responder) / perSecond) * 1e6, totalMicros: (mean((value) => value.total) / perSecond) * 1e6 };
}

function estimate(cores: number, phase: { responderMicros: number; totalMicros: number }): number {
  return Math.min(cores / phase.totalMicros, 1 / phase.responderMicros) * 1e6;
}

function count(value: number): string {
  return Math.round(value).toLocaleString("en");
}

function mosquittoVersion(): string {
  const run = spawnSync(MOSQUITTO_BINARY, ["-h"], { encoding: "utf8" });
  return /mosquitto version [\d.]+/.exec(`${run.stdout}${run.stderr}`)?.[0]?.replace("mosquitto version", "Mosquitto") ?? "Mosquitto (version unknown)";
}
