// Before the presigner signs URLs itself (sigv4.ts) it learns from the AWS
// SDK where the bucket's objects are (the SDK's endpoint rules: virtual-host
// or path style, FIPS, dual-stack, custom endpoints, the signing region),
// then has both sign the same requests and compares the URLs. Only if every
// one is identical is the in-process signer used; otherwise (a Multi-Region
// Access Point, which the SDK signs with SigV4A; a later SDK that signs
// differently) every URL keeps coming from the SDK, and the reason is logged.
import type { HttpMethod } from "../../../firmware/src/protocol/presign-reply.js";
import { QueryPresigner, escapeUri, type AwsCredentials, type ObjectEndpoint, type ObjectRequest } from "./sigv4.js";

/** Signs one request with the SDK, at a given date. */
export type SdkPresign = (method: HttpMethod, objectKey: string, expiresIn: number, contentLength: number | undefined, signingDate: Date) => Promise<string>;

export type Calibration = { presigner: QueryPresigner } | { problem: string };

// Characters a key may hold that need escaping, and a path of two segments.
const PROBE_KEY = "ferry-signer-check/a b+c(1)*!'~;=.log";
const PROBE_REQUESTS: readonly Omit<ObjectRequest, "signingDate" | "objectKey">[] = [
  { method: "PUT", expiresIn: 300, contentLength: 18_432 },
  { method: "PUT", expiresIn: 60, contentLength: 0 },
  { method: "GET", expiresIn: 300 },
  { method: "HEAD", expiresIn: 3600 },
];

export async function calibrate(sdkPresign: SdkPresign, credentials: AwsCredentials): Promise<Calibration> {
  const signingDate = new Date();
  const endpoint = endpointOfUrl(await sdkPresign("GET", PROBE_KEY, 300, undefined, signingDate), PROBE_KEY);
  if (typeof endpoint === "string") return { problem: endpoint };
  const presigner = new QueryPresigner(endpoint);
  for (const probe of PROBE_REQUESTS) {
    const request = { ...probe, objectKey: PROBE_KEY, signingDate };
    const expected = await sdkPresign(request.method, request.objectKey, request.expiresIn, request.contentLength, signingDate);
    if (presigner.presign(credentials, request) !== expected) {
      return { problem: `a presigned ${request.method} differs from the AWS SDK's for the same request` };
    }
  }
  return { presigner };
}

/**
 * The endpoint of a URL the SDK presigned for `objectKey`, or why it cannot
 * be read off it.
 */
export function endpointOfUrl(url: string, objectKey: string): ObjectEndpoint | string {
  const queryAt = url.indexOf("?");
  const encodedKey = `/${objectKey.split("/").map(escapeUri).join("/")}`;
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  if (!path.endsWith(encodedKey)) return "the AWS SDK put the object key somewhere other than the end of the URL's path";
  const base = path.slice(0, path.length - encodedKey.length);
  const authorityAt = base.indexOf("://") + 3;
  const pathAt = base.indexOf("/", authorityAt);
  const origin = pathAt < 0 ? base : base.slice(0, pathAt);
  if (authorityAt < 3 || origin.includes("@")) return "the endpoint URL has no host, or has credentials in it";
  const query = new URLSearchParams(url.slice(queryAt + 1));
  const algorithm = query.get("X-Amz-Algorithm");
  if (algorithm !== "AWS4-HMAC-SHA256") return `the AWS SDK signs this bucket with ${algorithm ?? "no algorithm"}, not AWS4-HMAC-SHA256`;
  const [, , region, service] = (query.get("X-Amz-Credential") ?? "").split("/");
  if (region === undefined || service === undefined) return "the AWS SDK's URL has no credential scope";
  return { origin, basePath: pathAt < 0 ? "" : base.slice(pathAt), region, service };
}
