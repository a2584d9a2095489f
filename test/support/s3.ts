/**
 * AWS SDK clients for the suite's S3 gateway, and raw HTTP requests like the
 * ones a device writes by hand.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { Agent, request as httpsRequest } from "node:https";
import type { RgwConnection } from "./rgw.js";

/**
 * An S3 client as the service builds one (design.md, "Real parts"): path-style
 * addressing, and checksums only when required, since otherwise presigned
 * PUT URLs carry an empty-body checksum that real S3 rejects.
 */
export function s3ClientFor(rgw: RgwConnection, via: "http" | "https" = "http"): S3Client {
  const endpoint = via === "https" ? rgw.tlsEndpoint : rgw.endpoint;
  if (endpoint === undefined) throw new Error("this gateway was started without TLS (startRgw({ tls: true }))");
  return new S3Client({
    endpoint,
    region: rgw.region,
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...(via === "https" ? { requestHandler: { httpsAgent: new Agent({ ca: rgw.ca }) } } : {}),
  });
}

/** A bucket name no other test file uses against the shared gateway. */
export function uniqueBucketName(purpose: string): string {
  return `${purpose}-${randomBytes(4).toString("hex")}`;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface RawRequest {
  readonly method: string;
  readonly headers?: Record<string, string | number>;
  readonly body?: Buffer | string;
  /** CA to trust for an https URL. */
  readonly ca?: string;
}

/**
 * One HTTP/1.1 request with exactly the headers given (plus Host), the body
 * sent with Content-Length as the device sends it: S3 refuses chunked PUTs.
 */
export function rawRequest(url: string, options: RawRequest): Promise<RawResponse> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers = { ...options.headers, ...(body === undefined ? {} : { "content-length": body.length }) };
  return new Promise((resolve, reject) => {
    const req = send(target, { method: options.method, headers, ...(options.ca === undefined ? {} : { ca: options.ca }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}
