// SigV4 query-string presigning (AWS "Authenticating Requests: Using Query
// Parameters") of one object's PUT, GET or HEAD, producing the very bytes
// the AWS SDK's getSignedUrl produces for the same inputs, without the SDK's
// per-call work (a cloned middleware stack, endpoint rules, request
// serialization): that work was over 90% of the presigner's time per request
// (docs/benchmarks.md). test/presigner/sigv4.test.ts compares the two
// byte for byte, and S3Signer.ready() checks them against each other again
// with the live configuration before it uses this.
import { createHash, createHmac } from "node:crypto";
import type { HttpMethod } from "../../../firmware/src/protocol/presign-reply.js";

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Set for temporary (role) credentials: it travels in the URL. */
  readonly sessionToken?: string;
}

/** Where the bucket's objects live, as the SDK resolved it for the configuration. */
export interface ObjectEndpoint {
  /** Scheme and authority, e.g. "https://fleet-logs.s3.eu-west-1.amazonaws.com" or "http://127.0.0.1:7480". */
  readonly origin: string;
  /** The path before the object key: "" for a virtual-hosted bucket, "/fleet-logs" path-style. */
  readonly basePath: string;
  /** The signing region and service of the credential scope (not always the configured region). */
  readonly region: string;
  readonly service: string;
}

export interface ObjectRequest {
  readonly method: HttpMethod;
  /** The full object key, unencoded. */
  readonly objectKey: string;
  readonly expiresIn: number;
  /** PUT only: signed, so a body of another length is refused. */
  readonly contentLength?: number;
  readonly signingDate: Date;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
// Presigned S3 URLs never sign the body: the store cannot know it in advance.
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
const SCOPE_TERMINATOR = "aws4_request";
/** The SDK adds the operation's name to the query where the S3 model's request URI has one; HeadObject's has none. */
const OPERATION_ID: Readonly<Record<HttpMethod, string | undefined>> = { PUT: "PutObject", GET: "GetObject", HEAD: undefined };

export class QueryPresigner {
  private readonly host: string;
  /** The signing key depends on the secret, the day, region and service: derived once a day, not per URL. */
  private signingKey: { secret: string; day: string; key: Buffer } | undefined;

  constructor(private readonly endpoint: ObjectEndpoint) {
    this.host = endpoint.origin.slice(endpoint.origin.indexOf("//") + 2);
  }

  /** The presigned URL, byte for byte as the SDK would make it. */
  presign(credentials: AwsCredentials, request: ObjectRequest): string {
    const { region, service } = this.endpoint;
    const longDate = request.signingDate.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
    const day = longDate.slice(0, 8);
    const scope = `${day}/${region}/${service}/${SCOPE_TERMINATOR}`;
    const path = `${this.endpoint.basePath}/${request.objectKey.split("/").map(escapeUri).join("/")}`;
    const length = request.method === "PUT" ? request.contentLength : undefined;
    const signedHeaders = length === undefined ? "host" : "content-length;host";
    // Parameters in code-point order of their names: the order both the
    // canonical query and the SDK's URL use.
    const head =
      `X-Amz-Algorithm=${ALGORITHM}` +
      `&X-Amz-Content-Sha256=${UNSIGNED_PAYLOAD}` +
      `&X-Amz-Credential=${escapeUri(`${credentials.accessKeyId}/${scope}`)}` +
      `&X-Amz-Date=${longDate}` +
      `&X-Amz-Expires=${request.expiresIn}` +
      (credentials.sessionToken ? `&X-Amz-Security-Token=${escapeUri(credentials.sessionToken)}` : "");
    const operation = OPERATION_ID[request.method];
    const tail = `X-Amz-SignedHeaders=${escapeUri(signedHeaders)}${operation === undefined ? "" : `&x-id=${operation}`}`;
    const canonicalHeaders = length === undefined ? `host:${this.host}\n` : `content-length:${length}\nhost:${this.host}\n`;
    const canonicalRequest = `${request.method}\n${path}\n${head}&${tail}\n${canonicalHeaders}\n${signedHeaders}\n${UNSIGNED_PAYLOAD}`;
    const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
    const signature = createHmac("sha256", this.keyFor(credentials.secretAccessKey, day)).update(stringToSign).digest("hex");
    return `${this.endpoint.origin}${path}?${head}&X-Amz-Signature=${signature}&${tail}`;
  }

  private keyFor(secret: string, day: string): Buffer {
    const cached = this.signingKey;
    if (cached !== undefined && cached.secret === secret && cached.day === day) return cached.key;
    let key = hmac(`AWS4${secret}`, day);
    for (const part of [this.endpoint.region, this.endpoint.service, SCOPE_TERMINATOR]) key = hmac(key, part);
    this.signingKey = { secret, day, key };
    return key;
  }
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** RFC 3986 unreserved characters stay; everything else is %XX, as the SDK's escapeUri does. */
export function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
