// The presigner over HTTP, for clients without MQTT. Routes:
//   GET  /presign/<key>?method=GET|PUT|HEAD&contentLength=N
//        the request form of the AWS SDK for Go presign example; answers
//        {"URL", "Method", "Header"} as that example's client expects
//   POST /presign-post   a signed POST policy for browser uploads
//   GET  /metrics        Prometheus text
//   GET  /healthz        liveness, without authentication
// An HTTP caller acts as one device id (http.clientId), so its keys map
// exactly as a device's do: uploads under its own folder, downloads from
// releases.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { keyProblem, uploadObjectKey, type BucketLayout } from "../../../firmware/src/protocol/keys.js";
import type { PresignRequest } from "../../../firmware/src/protocol/presign.js";
import { requestFields, type PresignDesk, type PresignLimits } from "./desk.js";
import { describeError, type LogFields, type Logger } from "./log.js";
import type { PresignMetrics } from "./metrics.js";
import type { S3Signer } from "./signer.js";

export interface HttpSettings {
  host: string;
  port: number;
  /** Bearer token every route but /healthz requires; undefined only with `anonymous`. */
  token?: string;
  /** Serve without a token: for local development only. */
  anonymous: boolean;
  /** The device id HTTP callers act as. */
  clientId: string;
  /** Browser origins allowed to call this service (CORS); "*" for any. */
  corsOrigins: readonly string[];
}

export interface HttpDeps {
  desk: PresignDesk;
  signer: S3Signer;
  layout: BucketLayout;
  limits: PresignLimits;
  metrics: PresignMetrics;
  log: Logger;
}

const MAX_BODY_BYTES = 4096;
const PRESIGN_PATH = "/presign/";

/** A refusal with its HTTP status and the error code a client can act on. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class PresignHttpServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(settings: HttpSettings, deps: HttpDeps): Promise<PresignHttpServer> {
    const server = createServer((req, res) => {
      void handle(settings, deps, req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err) => reject(new Error(`cannot listen on ${settings.host}:${settings.port} for HTTP: ${err.message}`)));
      server.listen(settings.port, settings.host, resolve);
    });
    const address = server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return new PresignHttpServer(server, `http://${host}:${address.port}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function handle(settings: HttpSettings, deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const url = requestTarget(req.url ?? "/");
  allowOrigin(settings, req, res);
  if (req.method === "OPTIONS") {
    res.writeHead(204).end();
    return;
  }
  if (url.pathname === "/healthz") {
    sendJson(res, 200, { ok: true });
    return;
  }
  const presigning = url.pathname.startsWith(PRESIGN_PATH) && req.method === "GET";
  const posting = url.pathname === "/presign-post" && req.method === "POST";
  let fields: LogFields = { transport: "http", route: presigning ? "presign" : url.pathname.slice(0, 64) };
  if (presigning) deps.metrics.requests.inc({ transport: "http", op: opLabel(url.searchParams.get("method")) });
  if (posting) deps.metrics.requests.inc({ transport: "http", op: "post" });
  try {
    authorize(settings, req);
    if (presigning) {
      const request = presignRequestOf(url, deps);
      fields = { ...fields, ...requestFields(request) };
      const grant = await deps.desk.sign(settings.clientId, request);
      const header: Record<string, string[]> = {};
      for (const [name, value] of Object.entries(grant.headers)) header[name] = [value];
      sendJson(res, 200, { URL: grant.url, Method: grant.method, Header: header, Expires: grant.expires });
      granted(deps, request.op, fields, started);
      return;
    }
    if (posting) {
      const post = await presignPost(settings, deps, await readBody(req));
      fields = { ...fields, key: post.key, size: post.maxSize };
      sendJson(res, 200, { url: post.signed.url, fields: post.signed.fields, expires: post.signed.expires, maxSize: post.maxSize });
      granted(deps, "post", fields, started);
      return;
    }
    if (url.pathname === "/metrics" && req.method === "GET") {
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" }).end(deps.metrics.render());
      return;
    }
    throw new Refusal(404, "not-found", "no such route: use GET /presign/<key>?method=GET|PUT|HEAD[&contentLength=N], POST /presign-post, GET /metrics or GET /healthz");
  } catch (err) {
    const refusal = err instanceof Refusal ? err : new Refusal(500, "internal", "the service could not sign this request: try again later");
    if (!(err instanceof Refusal)) deps.log.error("http request failed", { ...fields, error: describeError(err) });
    deps.metrics.refusals.inc({ transport: "http", reason: refusal.code });
    deps.metrics.latency.observe({ transport: "http" }, (performance.now() - started) / 1000);
    deps.log.info("presign refused", { ...fields, outcome: refusal.code, status: refusal.status });
    if (refusal.status === 401) res.setHeader("WWW-Authenticate", 'Bearer realm="ferry presigner"');
    sendJson(res, refusal.status, { error: refusal.code, message: refusal.message });
  }
}

/**
 * Path and query of a request, the path left as sent: a WHATWG URL would
 * resolve "%2E%2E" segments away, and the key must be checked as the client
 * wrote it.
 */
function requestTarget(target: string): { pathname: string; searchParams: URLSearchParams } {
  const query = target.indexOf("?");
  return query < 0
    ? { pathname: target, searchParams: new URLSearchParams() }
    : { pathname: target.slice(0, query), searchParams: new URLSearchParams(target.slice(query + 1)) };
}

function opLabel(method: string | null): string {
  return method === "PUT" ? "put" : method === "GET" ? "get" : method === "HEAD" ? "head" : "invalid";
}

function granted(deps: HttpDeps, op: string, fields: LogFields, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  deps.metrics.grants.inc({ transport: "http", op });
  deps.metrics.latency.observe({ transport: "http" }, seconds);
  deps.log.info("presign granted", { ...fields, outcome: "granted", ms: Math.round(seconds * 10000) / 10 });
}

function authorize(settings: HttpSettings, req: IncomingMessage): void {
  if (settings.token === undefined) {
    if (settings.anonymous) return;
    throw new Refusal(401, "unauthorized", "this service has no HTTP token configured: set http.token");
  }
  const header = req.headers.authorization ?? "";
  const given = header.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : "";
  if (given === "" || !sameSecret(given, settings.token)) {
    throw new Refusal(401, "unauthorized", "send the service's token as \"Authorization: Bearer <token>\"");
  }
}

/** Constant-time comparison of two secrets of any length. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function presignRequestOf(url: { pathname: string; searchParams: URLSearchParams }, deps: HttpDeps): PresignRequest {
  const key = decodeKey(url.pathname.slice(PRESIGN_PATH.length));
  const problem = keyProblem(key, deps.layout);
  if (problem !== undefined) throw new Refusal(400, "bad-key", problem);
  const method = url.searchParams.get("method") ?? "";
  const length = url.searchParams.get("contentLength");
  if (method === "GET" || method === "HEAD") {
    if (length !== null) throw new Refusal(400, "bad-request", "contentLength belongs to PUT only: leave it out");
    return { id: "http", op: method === "GET" ? "get" : "head", key };
  }
  if (method !== "PUT") throw new Refusal(400, "unknown-op", "method must be GET, PUT or HEAD");
  if (length === null) throw new Refusal(400, "bad-request", "contentLength is required for PUT: the size is signed, so name the exact number of bytes");
  const size = wholeNumber(length, "contentLength");
  if (size > deps.limits.maxUploadBytes) {
    throw new Refusal(400, "too-large", `contentLength is ${size}; the service signs uploads of at most ${deps.limits.maxUploadBytes} bytes`);
  }
  return { id: "http", op: "put", key, size };
}

interface SignedPostAnswer {
  key: string;
  maxSize: number;
  signed: Awaited<ReturnType<S3Signer["presignPost"]>>;
}

async function presignPost(settings: HttpSettings, deps: HttpDeps, body: string): Promise<SignedPostAnswer> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new Refusal(400, "bad-json", "the body must be JSON such as {\"key\":\"uploads/${filename}\",\"maxSize\":1048576,\"contentType\":\"text/plain\"}");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Refusal(400, "bad-request", "the body must be a JSON object");
  const { key, maxSize, contentType, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new Refusal(400, "bad-request", `unknown field "${unknown[0]}": send key, and optionally maxSize and contentType`);
  if (typeof key !== "string") throw new Refusal(400, "bad-request", "\"key\" must be a string; end it with ${filename} to let the browser name the file");
  const problem = keyProblem(key, deps.layout);
  if (problem !== undefined) throw new Refusal(400, "bad-key", problem);
  const limit = deps.limits.maxUploadBytes;
  const size = maxSize === undefined ? limit : maxSize;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1) throw new Refusal(400, "bad-request", "\"maxSize\" must be a whole number of bytes, 1 or more");
  if (size > limit) throw new Refusal(400, "too-large", `"maxSize" is ${size}; the service allows uploads of at most ${limit} bytes`);
  if (contentType !== undefined && (typeof contentType !== "string" || !/^[\x21-\x7e]+\/[\x21-\x7e]+$/.test(contentType))) {
    throw new Refusal(400, "bad-request", "\"contentType\" must be a media type such as \"text/plain\"");
  }
  const signed = await deps.signer.presignPost({
    objectKey: uploadObjectKey(deps.layout, settings.clientId, key),
    maxBytes: size,
    contentType,
    expiresIn: deps.limits.expirySeconds,
  });
  return { key, maxSize: size, signed };
}

function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new Refusal(400, "bad-key", "the key in the path is not valid percent-encoding");
  }
}

function wholeNumber(text: string, name: string): number {
  if (!/^[0-9]{1,16}$/.test(text)) throw new Refusal(400, "bad-request", `${name} must be a whole number of bytes, 0 or more`);
  return Number(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Keep reading into nothing, so the refusal can still be written back.
        req.removeAllListeners("data");
        req.resume();
        reject(new Refusal(413, "too-large", `the body is over ${MAX_BODY_BYTES} bytes: send only key, maxSize and contentType`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function allowOrigin(settings: HttpSettings, req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  if (!settings.corsOrigins.includes("*") && !settings.corsOrigins.includes(origin)) return;
  res.setHeader("Access-Control-Allow-Origin", origin);
  res.setHeader("Vary", "Origin");
  res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" }).end(JSON.stringify(body));
}
