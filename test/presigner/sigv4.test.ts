// The in-process SigV4 presigner against the AWS SDK's getSignedUrl: for the
// same endpoint, credentials, date and request, the URLs must be identical
// byte for byte, or the presigner must not use it.
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { describe, expect, it } from "vitest";
import type { HttpMethod } from "../../firmware/src/protocol/presign-reply.js";
import { S3Signer } from "../../host-tools/src/presigner/signer.js";
import { calibrate, endpointOfUrl, type SdkPresign } from "../../host-tools/src/presigner/sigv4-calibration.js";
import type { AwsCredentials, ObjectRequest } from "../../host-tools/src/presigner/sigv4.js";

const PLAIN: AwsCredentials = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const SESSION: AwsCredentials = { accessKeyId: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", sessionToken: "IQoJb3JpZ2luX2VjE+/=AaD//x" };
const ROTATED: AwsCredentials = { accessKeyId: "AKIAI44QH8DHBEXAMPLE", secretAccessKey: "+/+/secret with spaces=" };

/** S3 configurations whose endpoints the SDK resolves differently. */
const ENDPOINTS: [string, S3ClientConfig, string][] = [
  ["AWS, virtual-hosted, eu-west-1", { region: "eu-west-1" }, "fleet-logs"],
  ["AWS, us-east-1", { region: "us-east-1" }, "fleet-logs"],
  ["AWS, a bucket name with dots", { region: "eu-central-1" }, "fleet.logs.example"],
  ["AWS China", { region: "cn-north-1" }, "fleet-logs"],
  ["AWS, FIPS and dual-stack", { region: "us-west-2", useFipsEndpoint: true, useDualstackEndpoint: true }, "fleet-logs"],
  ["S3-compatible, path style, a port", { region: "us-east-1", endpoint: "http://127.0.0.1:7480", forcePathStyle: true }, "ferry"],
  ["S3-compatible, virtual-hosted, a base path, default port", { region: "us-east-1", endpoint: "https://s3.example.net:443/base" }, "fleet-logs"],
  ["S3-compatible, path style, another region", { region: "garage", endpoint: "https://storage.example.net:9000", forcePathStyle: true }, "b"],
];

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");
const KEYS = [
  "devices/dev-0001/logs/0001.log",
  "releases/app/2.0.1.js",
  `devices/d/${PRINTABLE.replace("/", "")}`,
  `releases/${PRINTABLE}`,
  "a",
  "unicode/é/日本語 ✓.txt",
];

const REQUESTS: Omit<ObjectRequest, "objectKey" | "signingDate">[] = [
  { method: "PUT", expiresIn: 300, contentLength: 18_432 },
  { method: "PUT", expiresIn: 1, contentLength: 0 },
  { method: "PUT", expiresIn: 3600, contentLength: 5 * 1024 ** 3 },
  { method: "PUT", expiresIn: 300 },
  { method: "GET", expiresIn: 300 },
  { method: "HEAD", expiresIn: 604_800 },
];

/** Date and credentials move together, so the day's signing key changes under one presigner. */
const MOMENTS: [Date, AwsCredentials][] = [
  [new Date("2025-01-01T00:00:00.000Z"), PLAIN],
  [new Date("2024-02-29T23:59:59.999Z"), SESSION],
  [new Date("2025-01-01T00:00:00.000Z"), ROTATED],
  [new Date(), PLAIN],
];

function sdkPresigner(config: S3ClientConfig, bucket: string, credentials: AwsCredentials): SdkPresign {
  // Checksum settings as S3Signer sets them: the SDK's defaults add query parameters.
  const checksums = { requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" } as const;
  const client = new S3Client({ ...config, ...checksums, credentials });
  return (method: HttpMethod, key: string, expiresIn: number, contentLength: number | undefined, signingDate: Date) => {
    const target = { Bucket: bucket, Key: key };
    const command =
      method === "PUT" ? new PutObjectCommand({ ...target, ContentLength: contentLength }) : method === "GET" ? new GetObjectCommand(target) : new HeadObjectCommand(target);
    return getSignedUrl(client, command, { expiresIn, signingDate });
  };
}

describe("in-process SigV4 presigning", () => {
  for (const [label, config, bucket] of ENDPOINTS) {
    it(`makes the AWS SDK's exact URLs: ${label}`, async () => {
      const calibration = await calibrate(sdkPresigner(config, bucket, PLAIN), PLAIN);
      if (!("presigner" in calibration)) throw new Error(calibration.problem);
      let compared = 0;
      // One presigner through every moment: its cached signing key must follow the day and the credentials.
      for (const [signingDate, credentials] of MOMENTS) {
        const sdk = sdkPresigner(config, bucket, credentials);
        for (const objectKey of KEYS) {
          for (const request of REQUESTS) {
            const expected = await sdk(request.method, objectKey, request.expiresIn, request.contentLength, signingDate);
            const url = calibration.presigner.presign(credentials, { ...request, objectKey, signingDate });
            expect(url, `${request.method} ${objectKey} at ${signingDate.toISOString()}`).toBe(expected);
            compared++;
          }
        }
      }
      expect(compared).toBe(MOMENTS.length * KEYS.length * REQUESTS.length);
    });
  }

  it("is not used when it disagrees with the SDK in any probe", async () => {
    const sdk = sdkPresigner({ region: "eu-west-1" }, "fleet-logs", PLAIN);
    // As a later SDK that adds a parameter to uploads would sign.
    const laterSdk: SdkPresign = async (method, ...rest) => {
      const url = await sdk(method, ...rest);
      return method === "PUT" ? url.replace("&x-id=", "&x-amz-sdk-checksum-algorithm=CRC32&x-id=") : url;
    };
    expect(await calibrate(laterSdk, PLAIN)).toEqual({ problem: "a presigned PUT differs from the AWS SDK's for the same request" });
  });

  it("is not used for URLs signed other than with AWS4-HMAC-SHA256 (Multi-Region Access Points)", () => {
    const sigv4a = "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/k?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=AKID%2F20250101%2Fs3%2Faws4_request";
    expect(endpointOfUrl(sigv4a, "k")).toMatch(/signs this bucket with AWS4-ECDSA-P256-SHA256/);
    expect(endpointOfUrl("https://b.s3.amazonaws.com/other?X-Amz-Algorithm=AWS4-HMAC-SHA256", "k")).toMatch(/object key/);
  });

  it("reads the endpoint, signing region and service off an SDK URL", () => {
    const url = "http://127.0.0.1:7480/ferry/a%20b/c?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20250101%2Fus-east-1%2Fs3%2Faws4_request";
    expect(endpointOfUrl(url, "a b/c")).toEqual({ origin: "http://127.0.0.1:7480", basePath: "/ferry", region: "us-east-1", service: "s3" });
  });

  it("is what S3Signer uses once ready, and its URLs carry the live credentials", async () => {
    const signer = new S3Signer({ bucket: "ferry", endpoint: "http://127.0.0.1:7480", region: "us-east-1", forcePathStyle: true, credentials: SESSION });
    try {
      expect(signer.mode).toEqual({ kind: "sdk", reason: "ready() has not run" });
      await signer.ready();
      expect(signer.mode).toEqual({ kind: "in-process" });
      const { url, expires } = await signer.presign("PUT", "devices/d/x.log", 300, 12);
      const query = new URL(url).searchParams;
      expect(url.startsWith("http://127.0.0.1:7480/ferry/devices/d/x.log?")).toBe(true);
      expect(query.get("X-Amz-Security-Token")).toBe(SESSION.sessionToken);
      expect(query.get("X-Amz-SignedHeaders")).toBe("content-length;host");
      expect(expires - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(299);
    } finally {
      signer.close();
    }
  });

  it("leaves S3Signer on the SDK, with the reason, when the SDK cannot be matched", async () => {
    const signer = new S3Signer({ bucket: "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap", region: "us-east-1", forcePathStyle: false, credentials: PLAIN });
    try {
      await signer.ready();
      expect(signer.mode).toMatchObject({ kind: "sdk", reason: expect.stringMatching(/\w+ \w+/) });
    } finally {
      signer.close();
    }
  });
});
