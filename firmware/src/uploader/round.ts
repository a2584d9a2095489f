// The upload round (design.md, "Log upload"): for the oldest closed log
// files, first every presigned URL over MQTT, then, with MQTT paused when
// the board holds one TLS session at a time, one kept-alive HTTP session to
// the bucket: PUT each file from the card, confirm its stored size with a
// ranged GET, and only then retire it. A file leaves the card only once the
// bucket holds all of it; any failure leaves it for a later round, after a
// backoff unless its URL had merely expired. Everything the round touches is
// handed in, so tests drive it without an engine.
import type { FileReader, FileSystem } from "../fs/file-system.js";
import { parseContentRange, parseS3Error } from "../http/s3-answer.js";
import type { HttpOrigin, HttpResponse, HttpSession } from "../http/session.js";
import { parseUrl } from "../http/url.js";
import type { LogFile } from "../logger/logger.js";
import type { DeviceEvent, UploadEvent } from "../protocol/events.js";
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
  log: {
    closedFiles(): LogFile[];
    info(...parts: unknown[]): void;
    warn(...parts: unknown[]): void;
  };
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

/** A file in this round. */
interface Job extends LogFile {
  grant?: PresignGrant;
  event: UploadEvent;
}

/** Failures of a file since it was last stored, and when it may be tried again (ms). */
interface Backoff {
  failures: number;
  due: number;
}

/**
 * A store's refusal as a short code. An expired URL is a 403 AccessDenied
 * with "Request has expired" (AWS, s3rver) or no message at all (Ceph RGW).
 */
function refusal(response: HttpResponse): string {
  const error = parseS3Error(response.body);
  if (response.status === 403 && error && error.code === "AccessDenied" && (!error.message || error.message.indexOf("expired") >= 0)) return "expired";
  return "http-" + response.status + (error ? "-" + error.code : "");
}

export function createUploader(options: UploaderOptions): Uploader {
  const settings = options.settings;
  const files = options.files;
  const log = options.log;
  const chunkSize = settings.chunkSize || 2048;
  const backoffs: { [path: string]: Backoff } = {};
  let running = false;

  /**
   * Failures are short codes thrown as strings; an Error comes from the HTTP
   * session. An expired URL is no fault of the file: no backoff for it.
   */
  function failed(job: Job, why: unknown): void {
    const text = typeof why === "string" ? why : "network: " + (why as Error).message;
    const path = job.path;
    const reason = (job.event.reason = text.split(":")[0]);
    log.warn("upload failed", path, text);
    if (reason === "expired") return;
    const failures = (backoffs[path] ? backoffs[path].failures : 0) + 1;
    const wait = Math.min(settings.retryMaxSeconds || 3600, (settings.retrySeconds || 60) * Math.pow(2, failures - 1)) * 1000;
    backoffs[path] = { failures: failures, due: options.now() + wait - (Math.random() * wait) / 2 };
  }

  /** PUT, size check, retire. Never rejects: the outcome is left in the job's event. */
  function upload(session: UploadSession, job: Job): Promise<void> {
    const grant = job.grant!;
    const size = job.size;
    let reader: FileReader | undefined;
    return new Promise<HttpResponse>((resolve) => {
      try {
        reader = files.openReader(job.path);
      } catch (error) {
        throw "card: " + error;
      }
      const body = reader;
      // Every URL of a round is for the same bucket; one for another host
      // would reach the session's host, whose store refuses its signature.
      resolve(
        session.request({
          method: "PUT",
          target: parseUrl(grant.url).target,
          headers: grant.headers,
          body: { size: size, read: (length) => body.read(length) },
          chunkSize: chunkSize,
          keep: 512,
        }),
      );
    })
      .then((stored) => {
        reader!.close();
        reader = undefined;
        if (stored.status !== 200 || !stored.headers["etag"]) throw refusal(stored);
        // An empty object has no byte 0 to ask for; its signed Content-Length of 0 is the proof.
        if (size) return session.request({ method: "GET", target: parseUrl(grant.check!).target, headers: { Range: "bytes=0-0" }, keep: 512 });
      })
      .then((answer) => {
        if (answer) {
          if (answer.status !== 206) throw refusal(answer);
          // s3rver answers the whole object (`bytes 0-<size-1>/<size>`) where S3 and
          // RGW answer byte 0 (docs/device-http.md): the total is what counts.
          const range = parseContentRange(answer.headers["content-range"]);
          if (!range || range.first || range.total !== size) throw "size-mismatch";
        }
        try {
          retireFile(files, job.path, size, settings.retire, chunkSize);
        } catch (error) {
          throw "retire: " + error;
        }
        job.event.outcome = "stored";
        delete backoffs[job.path];
        log.info("uploaded", job.path, size);
      })
      .then(undefined, (why) => {
        if (reader) reader.close();
        failed(job, why);
      });
  }

  /** Every granted file over one session to the bucket, with MQTT paused when the TLS sessions demand it. */
  function transfer(jobs: Job[]): Promise<void> {
    const granted = jobs.filter((job) => job.grant);
    if (!granted.length) return Promise.resolve();
    const origin = parseUrl(granted[0].grant!.url);
    const exclusive = origin.tls ? options.exclusive : undefined;
    let session: UploadSession;
    let chain = (exclusive ? exclusive.pause() : Promise.resolve()).then(() => {
      session = options.openSession(origin);
    });
    granted.forEach((job) => {
      chain = chain.then(() => upload(session, job));
    });
    // Nothing above rejects once MQTT is paused, so it is always resumed.
    return chain
      .then(() => session.close())
      .then(() => {
        if (exclusive) exclusive.resume();
      });
  }

  return {
    run() {
      const now = options.now();
      const jobs: Job[] = running
        ? []
        : log
            .closedFiles()
            .filter((file) => !backoffs[file.path] || backoffs[file.path].due <= now)
            .slice(0, settings.batch || 4)
            .map((file) => ({
              path: file.path,
              size: file.size,
              event: { type: "upload", file: file.path, key: file.path.substring(1), size: file.size, outcome: "failed" },
            }));
      if (!jobs.length) return Promise.resolve(false);
      running = true;
      // Every URL first: on a board with one TLS session, MQTT is about to be paused.
      return Promise.all(
        jobs.map((job) =>
          options.presign(job.event.key, job.size).then(
            (grant) => {
              job.grant = grant;
            },
            (why) => failed(job, why),
          ),
        ),
      )
        .then(() => transfer(jobs))
        .then(undefined, (error) => log.warn("upload round failed:", error))
        .then(() => {
          running = false;
          const stored = jobs.filter((job) => {
            options.report(job.event);
            return job.event.outcome === "stored";
          }).length;
          // Retired files have left the log folder.
          const waiting = log.closedFiles().length;
          log.info("upload round:", stored, "stored,", jobs.length - stored, "failed,", waiting, "waiting");
          options.report({ type: "round", stored: stored, failed: jobs.length - stored, waiting: waiting });
          return true;
        });
    },
  };
}
