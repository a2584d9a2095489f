// Reading what devices publish on `<prefix>/<dev>/event` and
// `<prefix>/<dev>/state` (firmware/src/protocol/events.ts). Payloads come
// from devices, so each is checked field by field before anything trusts it.
import { STATE_OFFLINE, STATE_ONLINE, type DeviceEvent, type RoundEvent, type UploadEvent } from "../../../firmware/src/protocol/events.js";
import { isDeviceId } from "../../../firmware/src/protocol/topics.js";

export type DeviceState = typeof STATE_ONLINE | typeof STATE_OFFLINE;

export type DeviceReport = { device: string; kind: "event"; event: DeviceEvent } | { device: string; kind: "state"; state: DeviceState };

/** The filters that see every device's events and states. */
export function reportFilters(prefix: string): string[] {
  return [`${prefix}/+/event`, `${prefix}/+/state`];
}

/** The report in a message, or undefined for a topic or payload that is not one. */
export function readDeviceReport(prefix: string, topic: string, payload: Buffer): DeviceReport | undefined {
  if (!topic.startsWith(`${prefix}/`)) return undefined;
  const [device, channel, ...rest] = topic.slice(prefix.length + 1).split("/");
  if (device === undefined || !isDeviceId(device) || rest.length > 0) return undefined;
  const text = payload.toString("utf8");
  if (channel === "state") return text === STATE_ONLINE || text === STATE_OFFLINE ? { device, kind: "state", state: text } : undefined;
  if (channel !== "event") return undefined;
  const event = parseDeviceEvent(text);
  return event ? { device, kind: "event", event } : undefined;
}

export function parseDeviceEvent(text: string): DeviceEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  if (fields["type"] === "upload") return uploadEvent(fields);
  if (fields["type"] === "round") return roundEvent(fields);
  return undefined;
}

function uploadEvent(fields: Record<string, unknown>): UploadEvent | undefined {
  const { file, key, size, outcome, reason } = fields;
  if (typeof file !== "string" || typeof key !== "string" || !isCount(size)) return undefined;
  if (outcome !== "stored" && outcome !== "failed") return undefined;
  if (reason !== undefined && typeof reason !== "string") return undefined;
  return reason === undefined ? { type: "upload", file, key, size, outcome } : { type: "upload", file, key, size, outcome, reason };
}

function roundEvent(fields: Record<string, unknown>): RoundEvent | undefined {
  const { stored, failed, waiting } = fields;
  if (!isCount(stored) || !isCount(failed) || !isCount(waiting)) return undefined;
  return { type: "round", stored, failed, waiting };
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}
