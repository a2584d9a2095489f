/**
 * What one trial does, drawn from its own generator: the files it puts on the
 * card and the one fault it injects. The kind of fault goes round in order,
 * so every kind is hit as often as any other; where and how it strikes is
 * random. Pure: a plan is data, printed with the trial.
 */
import { FORGERY_KINDS, type ForgeryKind } from "./forgery.js";
import type { Random } from "./seed.js";

export interface TrialFile {
  /** Card path, e.g. "/logs/10004201.log". */
  readonly path: string;
  readonly bytes: Buffer;
}

export type BadPacket =
  /** Packet type 15 (reserved in MQTT 3.1.1). */
  | "reserved-type"
  /** A PUBLISH with both QoS bits set (MQTT-3.3.1-4). */
  | "qos3-publish"
  /** A Remaining Length of five bytes (MQTT-2.2.3). */
  | "long-length"
  /** A PUBACK three bytes long. */
  | "bad-puback"
  /** A PUBLISH header announcing a megabyte: over the app's maxPacketSize. */
  | "oversized-header"
  /** A well-formed 6 KB message on the device's reply topic: over the app's maxPacketSize. */
  | "oversized-publish"
  /** Random bytes. */
  | "garbage";

export type Fault =
  | { kind: "cut-put"; file: number; fraction: number; times: number }
  | { kind: "cut-tls"; direction: "up" | "down"; bytes: number }
  | { kind: "cut-answer"; file: number; request: "PUT" | "GET"; fraction: number; times: number }
  | { kind: "store-error"; file: number; request: "PUT" | "GET"; status: 500 | 503; when: "early" | "after-body" | "after-store"; times: number }
  | { kind: "expired-url"; file: number; delayMs: number }
  | { kind: "forged-reply"; forgery: ForgeryKind }
  | { kind: "bad-mqtt"; packet: BadPacket; moment: "request" | "reply"; garbage: Buffer }
  | { kind: "broker-away"; file: number; downMs: number }
  | { kind: "sd-vanish"; file: number };

export type FaultKind = Fault["kind"];

export const FAULT_KINDS: readonly FaultKind[] = [
  "cut-put",
  "cut-tls",
  "cut-answer",
  "store-error",
  "expired-url",
  "forged-reply",
  "bad-mqtt",
  "broker-away",
  "sd-vanish",
];

export interface TrialPlan {
  readonly trial: number;
  readonly files: readonly TrialFile[];
  readonly fault: Fault;
}

/** Trial files take numbers far above anything the app's logger reaches by itself, a hundred per trial. */
const FIRST_TRIAL_FILE = 10_000_000;

export function planTrial(trial: number, random: Random): TrialPlan {
  const kind = FAULT_KINDS[(trial - 1) % FAULT_KINDS.length]!;
  // The vanishing file needs a neighbour that is still uploaded.
  const count = kind === "sd-vanish" ? random.int(2, 3) : random.int(1, 3);
  const files = Array.from({ length: count }, (_, i) => ({
    path: `/logs/${String(FIRST_TRIAL_FILE + trial * 100 + i).padStart(8, "0")}.log`,
    bytes: random.bytes(fileSize(random)),
  }));
  const file = random.int(0, count - 1);
  return { trial, files, fault: drawFault(kind, file, random) };
}

/** Mostly a few chunks, sometimes one byte or a single short write. */
function fileSize(random: Random): number {
  const band = random.next();
  if (band < 0.1) return random.int(1, 16);
  if (band < 0.4) return random.int(17, 2048);
  return random.int(2049, 24_000);
}

function drawFault(kind: FaultKind, file: number, random: Random): Fault {
  switch (kind) {
    case "cut-put":
      return { kind, file, fraction: random.next(), times: random.int(1, 2) };
    case "cut-tls": {
      // Every connection to the store carries at least about 1,150 bytes up and
      // 2,000 down (TLS handshake, one request and its answer), so a cut this
      // early always strikes: in the handshake or in the first request.
      const direction = random.pick(["up", "down"] as const);
      return { kind, direction, bytes: random.int(0, direction === "up" ? 1_100 : 1_900) };
    }
    case "cut-answer":
      return { kind, file, request: random.pick(["PUT", "GET"] as const), fraction: random.next(), times: random.int(1, 2) };
    case "store-error":
      return {
        kind,
        file,
        request: random.pick(["PUT", "PUT", "GET"] as const),
        status: random.pick([500, 503] as const),
        when: random.pick(["early", "after-body", "after-store"] as const),
        times: random.int(1, 2),
      };
    case "expired-url":
      return { kind, file, delayMs: random.int(2_100, 2_600) };
    case "forged-reply":
      return { kind, forgery: random.pick(FORGERY_KINDS) };
    case "bad-mqtt":
      return {
        kind,
        packet: random.pick(["reserved-type", "qos3-publish", "long-length", "bad-puback", "oversized-header", "oversized-publish", "garbage"] as const),
        moment: random.pick(["request", "reply"] as const),
        garbage: random.bytes(random.int(1, 48)),
      };
    case "broker-away":
      return { kind, file, downMs: random.int(0, 1_500) };
    case "sd-vanish":
      return { kind, file };
  }
}

/** One line saying what the trial does, for the test's name and its report. */
export function describePlan(plan: TrialPlan): string {
  const sizes = plan.files.map((file) => file.bytes.length).join("+");
  const { fault } = plan;
  const target = "file" in fault ? ` file ${fault.file + 1}/${plan.files.length}` : "";
  const details = Object.entries(fault)
    .filter(([name]) => name !== "kind" && name !== "file" && name !== "garbage")
    .map(([name, value]) => `${name}=${typeof value === "number" && !Number.isInteger(value) ? value.toFixed(3) : String(value)}`)
    .join(" ");
  return `${fault.kind}${target} ${details} (files ${sizes} bytes)`.replace(/\s+/g, " ");
}
