// The presign desk: takes one device's request payload, checks it, signs
// URLs for it and seals the reply with the device's key. It knows nothing of
// MQTT; service.ts carries its payloads, http.ts shares its signing.
import { downloadObjectKey, uploadObjectKey, type BucketLayout } from "../../../firmware/src/protocol/keys.js";
import {
  parsePresignRequest,
  recoverRequestId,
  type PresignErrorCode,
  type PresignRequest,
} from "../../../firmware/src/protocol/presign.js";
import { methodOf, presignGrant, presignRefusal, type PresignGrant, type PresignReply } from "../../../firmware/src/protocol/presign-reply.js";
import { DeviceKeys, sealPresignReply } from "./keys.js";
import { describeError, type Logger } from "./log.js";
import type { PresignMetrics } from "./metrics.js";
import { RecentIds } from "./recent-ids.js";
import type { S3Signer } from "./signer.js";

export interface PresignLimits {
  /** Lifetime of every URL, in seconds. */
  expirySeconds: number;
  /** The largest upload a put may name. */
  maxUploadBytes: number;
  /** The largest request payload read at all. */
  maxPayloadBytes: number;
  /** Request ids remembered per device within the expiry window. */
  recentIdsPerDevice: number;
}

export interface DeskOptions {
  layout: BucketLayout;
  limits: PresignLimits;
  /** Device ids the service answers, or "*" for any well-formed id. */
  devices: "*" | readonly string[];
  masterSecret: string;
  signer: S3Signer;
  log: Logger;
  metrics: PresignMetrics;
}

/** Enough of an oversized payload to find its id in; ids sit near the start. */
const ID_SCAN_BYTES = 256;
/** Device keys kept derived: 32 bytes each, so 10,000 devices hold well under a megabyte. */
const KEPT_DEVICE_KEYS = 10_000;

export class PresignDesk {
  private readonly recentIds: RecentIds;
  private readonly registry: ReadonlySet<string> | undefined;
  private readonly deviceKeys: DeviceKeys;

  constructor(private readonly options: DeskOptions) {
    this.deviceKeys = new DeviceKeys(options.masterSecret, KEPT_DEVICE_KEYS);
    this.recentIds = new RecentIds(options.limits.expirySeconds * 1000, options.limits.recentIdsPerDevice);
    this.registry = options.devices === "*" ? undefined : new Set(options.devices);
  }

  /**
   * The sealed reply payload for one request from `device`, or undefined when
   * the message must be dropped: the device is not registered (its key
   * cannot be trusted to mean anything) or an oversized payload has no id.
   */
  async answer(device: string, payload: Uint8Array): Promise<string | undefined> {
    const started = performance.now();
    const { log, metrics, limits } = this.options;
    if (this.registry && !this.registry.has(device)) {
      metrics.dropped.inc({ reason: "unknown-device" });
      log.warn("dropped a request from an unregistered device", { device });
      return undefined;
    }
    if (payload.length > limits.maxPayloadBytes) {
      const id = recoverRequestId(Buffer.from(payload.subarray(0, ID_SCAN_BYTES)).toString("latin1"));
      metrics.requests.inc({ transport: "mqtt", op: "invalid" });
      if (id === "") {
        metrics.dropped.inc({ reason: "oversized" });
        log.warn("dropped an oversized request without an id", { device, bytes: payload.length });
        return undefined;
      }
      const message = `the request is ${payload.length} bytes; the limit is ${limits.maxPayloadBytes}: send only id, op, key and size`;
      return this.refuse(device, id, "too-large", message, started, {});
    }
    const parsed = parsePresignRequest(Buffer.from(payload).toString("utf8"), limits, this.options.layout);
    metrics.requests.inc({ transport: "mqtt", op: parsed.ok ? parsed.request.op : "invalid" });
    const id = parsed.ok ? parsed.request.id : parsed.id;
    const context = parsed.ok ? requestFields(parsed.request) : {};
    if (id !== "") {
      const seen = this.recentIds.check(device, id);
      if (seen === "duplicate") {
        return this.refuse(device, id, "duplicate-id", "this request id was used already: send every request with a new id", started, context);
      }
      if (seen === "full") {
        const wait = this.recentIds.secondsUntilRoom(device);
        return this.refuse(device, id, "rate-limited", `too many requests from this device: wait ${wait} s before the next one`, started, context);
      }
    }
    if (!parsed.ok) return this.refuse(device, id, parsed.error, parsed.message, started, context);
    let grant: PresignGrant;
    try {
      grant = await this.sign(device, parsed.request);
    } catch (err) {
      log.error("signing failed", { device, ...context, error: describeError(err) });
      return this.refuse(device, id, "internal", "the service could not sign this request: try again later with a new id", started, context);
    }
    metrics.grants.inc({ transport: "mqtt", op: grant.op });
    return this.seal(device, grant, started, context);
  }

  /** The URLs for a checked request: uploads under the device's folder, downloads from releases. */
  async sign(device: string, request: PresignRequest): Promise<PresignGrant> {
    const { signer, layout, limits } = this.options;
    if (request.op === "put") {
      const objectKey = uploadObjectKey(layout, device, request.key);
      const upload = await signer.presign("PUT", objectKey, limits.expirySeconds, request.size);
      const check = await signer.presign("GET", objectKey, limits.expirySeconds);
      return presignGrant(request, upload.url, upload.expires, check.url);
    }
    const signed = await signer.presign(methodOf(request.op), downloadObjectKey(layout, request.key), limits.expirySeconds);
    return presignGrant(request, signed.url, signed.expires, undefined);
  }

  close(): void {
    this.recentIds.close();
  }

  private refuse(
    device: string,
    id: string,
    error: PresignErrorCode,
    message: string,
    started: number,
    context: Record<string, string | number>,
  ): string {
    this.options.metrics.refusals.inc({ transport: "mqtt", reason: error });
    return this.seal(device, presignRefusal(id, error, message), started, context);
  }

  private seal(device: string, reply: PresignReply, started: number, context: Record<string, string | number>): string {
    const payload = sealPresignReply(this.deviceKeys.get(device), device, reply);
    const seconds = (performance.now() - started) / 1000;
    this.options.metrics.latency.observe({ transport: "mqtt" }, seconds);
    this.options.log.info(reply.ok ? "presign granted" : "presign refused", {
      device,
      id: reply.id,
      ...context,
      outcome: reply.ok ? "granted" : reply.error,
      ms: Math.round(seconds * 10000) / 10,
    });
    return payload;
  }
}

/** What a log line may say about a request: never a URL. */
export function requestFields(request: PresignRequest): Record<string, string | number> {
  return request.op === "put" ? { op: request.op, key: request.key, size: request.size } : { op: request.op, key: request.key };
}
