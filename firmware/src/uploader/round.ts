// The upload round (design.md, "Log upload"): for the oldest closed log
// files, first every presigned URL over MQTT, then, with MQTT paused when
// the board holds one TLS session at a time, one kept-alive HTTP session to
// the bucket: PUT each file from the card, confirm its stored size with a
// ranged GET, and only then retire it. A file leaves the card only once the
// bucket holds all of it; any failure leaves it for a later round, after a
// backoff unless its URL had merely expired. Everything the round touches is
// handed in, so tests drive it without an engine.
import type { FileReader, FileSystem } from "../fs/file-system.js";
import { parseS3Error } from "../http/s3-answer.js";
import type { BodySource, HttpOrigin, HttpRequest, HttpResponse, HttpSession } from "../http/session.js";
import { parseUrl } from "../http/url.js";
import type { Logger } from "../logger/logger.js";
import type { DeviceEvent, RoundEvent, UploadEvent } from "../protocol/events.js";
import type { PresignGrant } from "../protocol/presign-reply.js";
import { retireFile } from "./retire.js";

/** Requests to the bucket over one connection; close() resolves once that connection's memory is free. */
export type UploadSession = Pick<HttpSession, "request" | "close">;

export interface UploadSettings {
  /** Files per round; default 4. */
  batch?: number;
  /** Body bytes per socket write; default 2048. */
  chunkSize?: number;
  retire?: "delete" | "move";
  /** Seconds before a failed file is tried again, doubling per failure; default 60. */
  retrySeconds?: number;
  /** Cap of that wait; default 3600. */
  retryMaxSeconds?: number;
}

export interface UploaderOptions {
  files: FileSystem;
  /** The closed log files, oldest first; the round's own lines go there too. */
  log: Pick<Logger, "closedFiles" | "info" | "warn">;
  /**
   * A verified grant to PUT `size` bytes at `key`. Rejects with a string:
   * a short code, then optionally ": " and details ("presign-timeout").
   */
  presign(key: string, size: number): Promise<PresignGrant>;
  openSession(origin: HttpOrigin): UploadSession;
  /** The MQTT session when it holds the board's only TLS session: paused while an https session to the bucket runs. */
  exclusive?: { pause(): Promise<void>; resume(): void };
  /** Each file's UploadEvent, then the RoundEvent, once MQTT is back. */
  report(event: DeviceEvent): void;
  /** Milliseconds, for the backoff. */
  now(): number;
  settings: UploadSettings;
}

export interface Uploader {
  /** One round; resolves false at once when a round is running already or no file is due. */
  run(): Promise<boolean>;
}

/** A file that failed since it was last stored: its last wait (s) and when it may be tried again (ms). */
interface Backoff {
  wait: number;
  due: number;
}

/**
 * A store's refusal as a short code. An expired URL is a 403 AccessDenied
 * with "Request has expired" (AWS, s3rver) or no message at all (Ceph RGW).
 */
function refusal(response: HttpResponse): string {
  const error = parseS3Error(response.body);
  const code = "http-" + response.status + (error ? "-" + error.code : "");
  return code === "http-403-AccessDenied" && (!error!.message || error!.message.indexOf("expired") >= 0) ? "expired" : code;
}

export function createUploader(options: UploaderOptions): Uploader {
  const settings = options.settings;
  const files = options.files;
  const log = options.log;
  const chunkSize = settings.chunkSize || 2048;
  const backoffs: { [path: string]: Backoff } = {};
  let running = false;
  /** Files stored in the running round. */
  let stored = 0;

  /**
   * Failures are short codes thrown as strings; an Error (from the card, the
   * HTTP session or MQTT) takes the code of the `step` it broke. An expired
   * URL is no fault of the file: no backoff for it.
   */
  function failed(event: UploadEvent, why: unknown, step: string): void {
    const text = typeof why == "string" ? why : step + ": " + (why && (why as Error).message);
    const path = event.file;
    const last = backoffs[path];
    log.warn("upload failed", path, text);
    if ((event.reason = text.split(":")[0]) === "expired") return;
    const wait = Math.min(settings.retryMaxSeconds || 3600, last ? last.wait * 2 : settings.retrySeconds || 60);
    const ms = wait * 1000;
    backoffs[path] = { wait: wait, due: options.now() + ms - (Math.random() * ms) / 2 };
  }

  /** PUT, size check, retire. Never rejects: the outcome is left in the event. */
  function upload(session: UploadSession, event: UploadEvent, grant: PresignGrant): Promise<void> {
    const path = event.file;
    const size = event.size;
    /** The open file, with its size: the PUT's body. */
    let body: (FileReader & BodySource) | undefined;
    let step = "card";
    const close = (): void => {
      if (body) body.close();
      body = undefined;
    };
    // Every URL of a round is for the same bucket; one for another host
    // would reach the session's host, whose store refuses its signature.
    const request = (method: string, url: string, headers: HttpRequest["headers"], data?: BodySource) =>
      session.request({ method: method, target: parseUrl(url).target, headers: headers, body: data, chunkSize: chunkSize, keep: 512 });
    return new Promise<HttpResponse>((resolve) => {
      body = files.openReader(path) as FileReader & BodySource;
      body.size = size;
      step = "network";
      resolve(request("PUT", grant.url, grant.headers, body));
    })
      .then((answer) => {
        close();
        if (answer.status !== 200 || !answer.headers["etag"]) throw refusal(answer);
        // An empty object has no byte 0 to ask for; its signed Content-Length of 0 is the proof.
        if (size) return request("GET", grant.check!, { Range: "bytes=0-0" });
      })
      .then((answer) => {
        if (answer) {
          if (answer.status !== 206) throw refusal(answer);
          // "bytes 0-0/<total>": s3rver answers the whole object
          // (`bytes 0-<size-1>/<size>`) where S3 and RGW answer byte 0
          // (docs/device-http.md): the total is what counts.
          const range = answer.headers["content-range"] || "";
          if (range.indexOf("bytes 0-") || range.slice(range.indexOf("/") + 1) !== "" + size) throw "size-mismatch";
        }
        step = "retire";
        retireFile(files, path, size, settings.retire, chunkSize);
        event.outcome = "stored";
        stored++;
        delete backoffs[path];
        log.info("uploaded", path, size);
      })
      .then(undefined, (why) => {
        close();
        failed(event, why, step);
      });
  }

  return {
    run() {
      const now = options.now();
      const events: UploadEvent[] = running
        ? []
        : log
            .closedFiles(settings.batch || 4, (path) => backoffs[path] && backoffs[path].due > now)
            .files.map((file) => ({ type: "upload", file: file.path, key: file.path.slice(1), size: file.size, outcome: "failed" }));
      if (!events.length) return Promise.resolve(false);
      running = true;
      stored = 0;
      /** MQTT, while paused for the bucket's TLS session. */
      let exclusive: UploaderOptions["exclusive"];
      // Every URL first: on a board with one TLS session, MQTT is about to be
      // paused. A presign that throws could not be handed to MQTT: "offline".
      return Promise.all(events.map((event) => options.presign(event.key, event.size).then(undefined, (why) => failed(event, why, "offline"))))
        .then((grants) => {
          // Every granted file over one session to the bucket.
          const first = grants.filter((grant) => grant)[0];
          if (!first) return;
          const origin = parseUrl(first.url);
          if (origin.tls) exclusive = options.exclusive;
          let session: UploadSession;
          let chain = Promise.resolve(exclusive && exclusive.pause()).then(() => {
            session = options.openSession(origin);
          });
          grants.forEach((grant, i) => {
            if (grant) chain = chain.then(() => upload(session, events[i], grant));
          });
          return chain.then(() => session.close());
        })
        .then(undefined, (error) => log.warn("upload round failed:", error))
        .then(() => {
          // MQTT comes back however the uploads ended.
          if (exclusive) exclusive.resume();
          running = false;
          events.forEach(options.report);
          // Retired files have left the log folder.
          const round: RoundEvent = { type: "round", stored: stored, failed: events.length - stored, waiting: log.closedFiles(0).count };
          log.info("upload round", round);
          options.report(round);
          return true;
        });
    },
  };
}
