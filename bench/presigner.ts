/**
 * bench/presigner: presign round trips per second and their p50/p99 through
 * a real Mosquitto, with 1,000 devices in closed loops, beside the broker's
 * own ceiling measured in the same run: the same devices, broker, topics,
 * QoS and reply size, with a responder that does no work. Compare the ratio,
 * not the absolute figures: the machine is shared.
 *
 * Options: --clients 1000 --workers 2 --warmup 3 --seconds 10 --rounds 3 (each round: echo, then presign)
 * Results and what limits them: docs/benchmarks.md.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startLocalStore } from "../host-tools/src/local/store.js";
import { startMosquitto } from "../test/support/mosquitto.js";
import { BenchChild } from "./support/child.js";
import { CpuWindow } from "./support/cpu.js";
import { summarize } from "./support/latency.js";
import { describeMachine } from "./support/machine.js";
import type { FromLoad, PhaseDone, PhaseName, Ready, ToLoad } from "./presigner/messages.js";
import { preflight } from "./presigner/preflight.js";
import { printReport, type PhaseResult } from "./presigner/report.js";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "1000" },
    workers: { type: "string", default: "2" },
    warmup: { type: "string", default: "3" },
    seconds: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
  },
});
const plan = {
  clients: wholeNumber("clients", values.clients, 1, 10_000),
  workers: wholeNumber("workers", values.workers, 1, 16),
  warmupMs: wholeNumber("warmup", values.warmup, 0, 60) * 1000,
  measureMs: wholeNumber("seconds", values.seconds, 1, 120) * 1000,
  rounds: wholeNumber("rounds", values.rounds, 1, 10),
};

const MASTER_SECRET = "bench-master-secret-0123456789abcdef0123";
const UPLOAD_BYTES = 18_432;
const part = (name: string) => fileURLToPath(new URL(`./presigner/${name}.js`, import.meta.url));

const machine = describeMachine();
const broker = await startMosquitto();
const store = await startLocalStore();
const configDir = await mkdtemp(join(tmpdir(), "ferry-bench-"));
const children: { stop(): Promise<void> }[] = [];
const started = <Child extends { stop(): Promise<void> }>(child: Child): Child => {
  children.push(child);
  return child;
};
try {
  const configPath = join(configDir, "presigner.json");
  await writeFile(configPath, JSON.stringify(serviceConfig(broker.url, store.endpoint, store.bucket)));
  const service = started(
    new BenchChild<never, Ready>("the presigner", part("service-process"), [configPath], {
      ...process.env,
      FERRY_MASTER_SECRET: MASTER_SECRET,
      AWS_ACCESS_KEY_ID: store.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: store.credentials.secretAccessKey,
    }),
  );
  await service.next("ready");
  const { replyBytes } = await preflight(broker.url, "bench-0000", MASTER_SECRET, UPLOAD_BYTES);
  const echo = started(new BenchChild<never, Ready>("the echo responder", part("echo-responder"), [broker.url, String(replyBytes)]));
  await echo.next("ready");

  const devices = Array.from({ length: plan.clients }, (_, i) => `bench-${String(i + 1).padStart(4, "0")}`);
  const load = Array.from({ length: plan.workers }, (_, n) => started(new BenchChild<ToLoad, FromLoad>(`load generator ${n + 1}`, part("load-worker"))));
  await Promise.all(
    load.map((worker, n) => {
      const connected = worker.next("connected");
      worker.send({ type: "setup", brokerUrl: broker.url, devices: devices.filter((_, i) => i % plan.workers === n) });
      return connected;
    }),
  );

  const groups = new Map([
    ["broker", [broker.pid]],
    ["presigner", [service.pid]],
    ["echo", [echo.pid]],
    ["load", load.map((worker) => worker.pid)],
  ]);
  const results: PhaseResult[] = [];
  for (let round = 1; round <= plan.rounds; round++) {
    for (const phase of ["echo", "presign"] as const) results.push(await runPhase(phase, round, load, groups));
  }
  printReport({ machine, plan, replyBytes, results });
  const failures = results.filter((result) => result.refused + result.unexpected + result.stalled > 0);
  process.exitCode = failures.length === 0 ? 0 : 1;
} finally {
  await Promise.all(children.map((child) => child.stop()));
  await store.close();
  await broker.stop();
  await rm(configDir, { recursive: true, force: true });
}

async function runPhase(
  phase: PhaseName,
  round: number,
  load: readonly BenchChild<ToLoad, FromLoad>[],
  groups: ReadonlyMap<string, readonly number[]>,
): Promise<PhaseResult> {
  const done = load.map((worker) => worker.next("done"));
  for (const worker of load) worker.send({ type: "run", phase, warmupMs: plan.warmupMs, measureMs: plan.measureMs });
  // The CPU window is the measured window: it opens after the warm-up.
  await new Promise((resolve) => setTimeout(resolve, plan.warmupMs));
  const window = new CpuWindow(groups);
  await new Promise((resolve) => setTimeout(resolve, plan.measureMs));
  const cpu = window.end();
  const shares = await Promise.all(done);
  const total = (pick: (share: PhaseDone) => number) => shares.reduce((sum, share) => sum + pick(share), 0);
  return {
    phase,
    round,
    perSecond: total((share) => share.completed) / (plan.measureMs / 1000),
    latency: summarize(shares.flatMap((share) => share.latenciesMs)),
    cpu,
    refused: total((share) => share.refused),
    firstRefusal: shares.find((share) => share.firstRefusal !== undefined)?.firstRefusal,
    unexpected: total((share) => share.unexpected),
    stalled: total((share) => share.stalled),
  };
}

/** The service as deployed against Mosquitto, on the plain listener; secrets come from the environment. */
function serviceConfig(brokerUrl: string, storeEndpoint: string, bucket: string): object {
  return {
    devices: "*",
    mqtt: { url: brokerUrl, shared: "on" },
    s3: { endpoint: storeEndpoint, region: "us-east-1", bucket },
    // Ids are still remembered and checked; only the per-device cap is
    // raised, since a benchmark device asks far faster than a real one.
    limits: { recentIdsPerDevice: 100_000 },
    http: false,
    log: { level: "info" },
  };
}

function wholeNumber(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}
