/**
 * Runs one trial on a lane: arms the fault, puts the trial's files on the
 * card, waits (by events, with a deadline) until the device has retired
 * every file it should, then checks the outcome the issue asks for: every
 * file in the bucket byte for byte and off the card exactly once, nothing
 * retired before the bucket held it, and the device still running.
 */
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { DeviceEvent, UploadEvent } from "../../firmware/src/protocol/events.js";
import { armFault, TrialScope } from "./faults.js";
import type { Lane } from "./lane.js";
import { describePlan, type TrialFile, type TrialPlan } from "./plan.js";

/** The longest a trial may take before it counts as stuck. */
const TRIAL_DEADLINE_MS = 45_000;

export interface TrialResult {
  readonly ms: number;
  /** What the fault did, in a few words. */
  readonly effect: string;
}

export async function runTrial(lane: Lane, plan: TrialPlan, s3: S3Client): Promise<TrialResult> {
  const started = Date.now();
  const consoleFrom = lane.device.output.length;
  const eventsFrom = lane.watcher.events.length;
  const scope = new TrialScope();
  const vanishing = plan.fault.kind === "sd-vanish" ? plan.files[plan.fault.file] : undefined;
  try {
    await armFault(lane, plan, scope);
    placeFiles(lane, plan.files);
    for (const file of plan.files) if (file !== vanishing) scope.waits.push(retired(lane, file.path));
    await withDeadline(Promise.race([Promise.all(scope.waits), scope.tripped]), TRIAL_DEADLINE_MS, () => stuck(lane, plan, scope, consoleFrom));
  } finally {
    await scope.end();
  }

  // Everything since the lane's last trial: the app's own log files are retired between trials too.
  const problems: string[] = lane.ledger.unreported();
  const events = lane.watcher.events.slice(eventsFrom).map((entry) => entry.event);
  for (const file of plan.files) problems.push(...(await checkFile(lane, s3, file, file === vanishing, events)));
  problems.push(...checkFault(lane, plan, scope, events));
  if (!lane.device.running) problems.push("the device is not running");
  if (lane.device.outOfMemory) problems.push("the device ran out of memory");
  // The engine reports a TLS handshake cut short as `Uncaught undefined` from its
  // idle loop, whatever the app does (measured; the emulator does the same, see
  // host-tools/src/emulator/net/connection.ts); nothing else may be uncaught.
  const handshakeCut = plan.fault.kind === "cut-tls";
  const uncaught = lane
    .unreadConsole()
    .split("\n")
    .filter((line) => line.includes("Uncaught") && !(handshakeCut && line.trim() === "Uncaught undefined"));
  if (uncaught.length > 0) problems.push(`the console shows ${uncaught.length} uncaught error(s): ${uncaught.slice(0, 3).join(" | ")}`);
  if (problems.length > 0) {
    throw new Error(`trial ${plan.trial} (${describePlan(plan)}) on ${lane.options.name}:\n  - ${problems.join("\n  - ")}\n${diagnostics(lane, consoleFrom)}`);
  }
  return { ms: Date.now() - started, effect: scope.effect };
}

/**
 * Puts the files on the card whole and at once: each is written off the card
 * and then linked into /logs, so the device never lists a file half-written.
 * A link fails rather than replace a file the app's logger made.
 */
function placeFiles(lane: Lane, files: readonly TrialFile[]): void {
  mkdirSync(join(lane.cardDir, "logs"), { recursive: true });
  for (const file of files) writeFileSync(join(lane.stagingDir, basename(file.path)), file.bytes);
  for (const file of files) {
    const staged = join(lane.stagingDir, basename(file.path));
    linkSync(staged, join(lane.cardDir, file.path));
    unlinkSync(staged);
  }
}

/** Resolves once the device has deleted `cardPath` (the ledger checks the delete itself). */
function retired(lane: Lane, cardPath: string): Promise<void> {
  if (lane.ledger.count(cardPath) > 0) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = lane.ledger.onRemoval((removal) => {
      if (removal.cardPath !== cardPath) return;
      stop();
      resolve();
    });
  });
}

async function checkFile(lane: Lane, s3: S3Client, file: TrialFile, vanished: boolean, events: DeviceEvent[]): Promise<string[]> {
  const problems: string[] = [];
  const objectPath = lane.objectPath(file.path);
  const removals = lane.ledger.count(file.path);
  const inBucket = await bucketObject(s3, lane, file.path);
  const reported = events.filter((event): event is UploadEvent => event.type === "upload" && event.file === file.path);
  if (vanished) {
    if (removals !== 0) problems.push(`${file.path} vanished from the card, yet the device deleted it ${removals} times`);
    if (lane.store.stored.has(objectPath) || inBucket !== undefined) problems.push(`${file.path} vanished before its PUT, yet the bucket has an object for it`);
    if (reported.some((event) => event.outcome === "stored")) problems.push(`${file.path} vanished, yet the device reported it stored`);
    return problems;
  }
  if (removals !== 1) problems.push(`${file.path} was deleted ${removals} times, not once`);
  if (existsSync(join(lane.cardDir, file.path))) problems.push(`${file.path} is still on the card`);
  if (lane.options.retire === "move") {
    const kept = join(lane.cardDir, "sent", basename(file.path));
    if (!existsSync(kept) || !readFileSync(kept).equals(file.bytes)) problems.push(`${file.path} was moved, but /sent does not hold its bytes`);
  }
  if (inBucket === undefined) problems.push(`${file.path} is not in the bucket`);
  else if (!inBucket.equals(file.bytes)) problems.push(`${file.path}: the bucket holds ${inBucket.length} bytes that differ from the file's ${file.bytes.length}`);
  return problems;
}

/** The object for a card path, read straight from RGW; undefined when there is none. */
async function bucketObject(s3: S3Client, lane: Lane, cardPath: string): Promise<Buffer | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: lane.options.bucket, Key: `devices/${lane.deviceId}${cardPath}` }));
    return Buffer.from(await object.Body!.transformToByteArray());
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
}

/** What must be true of the fault itself: it struck, and it did what it is for. */
function checkFault(lane: Lane, plan: TrialPlan, scope: TrialScope, events: DeviceEvent[]): string[] {
  const { fault } = plan;
  const problems: string[] = [];
  if (scope.fired === 0) problems.push("the fault never struck");
  if (scope.late !== undefined) problems.push(scope.late);
  switch (fault.kind) {
    case "expired-url": {
      const target = lane.objectPath(plan.files[fault.file]!.path);
      const delayed = lane.store.exchanges.find((exchange) => exchange.path === target && exchange.fault?.kind === "delay");
      if (delayed?.storeStatus !== 403) problems.push(`the held-back PUT got ${delayed?.storeStatus ?? "no answer"} from the store, not 403 for an expired URL`);
      scope.effect = `store answered ${delayed?.storeStatus} ${delayed?.storeCode ?? ""}`.trim();
      break;
    }
    case "forged-reply": {
      if (!scope.effect.endsWith("visited 0 times")) problems.push(`a forged reply sent the device to the decoy store (${scope.effect})`);
      const believed = events.filter((event) => event.type === "upload" && event.reason === "presign-too-large");
      if (believed.length > 0) problems.push("the device acted on a forged refusal (presign-too-large)");
      break;
    }
    case "bad-mqtt":
      if (fault.packet !== "garbage" && scope.effect.startsWith("device reconnected 0 ")) problems.push("the device kept its MQTT connection after a packet it must refuse");
      break;
    default:
      break;
  }
  return problems;
}

async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(onTimeout())), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function stuck(lane: Lane, plan: TrialPlan, scope: TrialScope, consoleFrom: number): string {
  const left = plan.files.filter((file) => lane.ledger.count(file.path) === 0).map((file) => file.path);
  return `trial ${plan.trial} (${describePlan(plan)}) on ${lane.options.name} did not finish in ${TRIAL_DEADLINE_MS / 1000} s; fault struck ${scope.fired} times; still on the card: ${left.join(", ") || "none"}\n${diagnostics(lane, consoleFrom)}`;
}

function diagnostics(lane: Lane, consoleFrom: number): string {
  const exchanges = lane.store.exchanges
    .slice(-12)
    .map((exchange) => `    #${exchange.connection} ${exchange.method} ${exchange.path} -> ${exchange.storeStatus ?? "-"} ${exchange.storeCode ?? ""}${exchange.fault ? ` [${exchange.fault.kind}]` : ""}`)
    .join("\n");
  const events = lane.watcher.events
    .slice(-8)
    .map((entry) => `    ${JSON.stringify(entry.event)}`)
    .join("\n");
  return [
    "  store requests (last 12):",
    exchanges,
    "  device events (last 8):",
    events,
    `  broker connections from the device: ${lane.brokerPath.connections}, open now: ${lane.brokerPath.open.length}`,
    "  presigner warnings:",
    lane.presignerLogTail(5),
    "  device console since the trial began (tail):",
    lane.device.output.slice(consoleFrom).slice(-2_000),
  ].join("\n");
}
