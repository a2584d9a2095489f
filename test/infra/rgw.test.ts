import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { RGW_INSTALL_COMMAND } from "../support/rgw.js";
import { rawRequest, s3ClientFor, uniqueBucketName } from "../support/s3.js";
import { suiteRgw } from "../support/suite-rgw.js";

const rgw = suiteRgw();
const bucket = uniqueBucketName("infra");

function presignedPut(s3: S3Client, key: string, size: number): Promise<string> {
  return getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key, ContentLength: size }), { expiresIn: 300 });
}

async function storedSize(s3: S3Client, key: string): Promise<number | "missing"> {
  try {
    return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength ?? 0;
  } catch (error) {
    if ((error as { name?: string }).name === "NotFound") return "missing";
    throw error;
  }
}

beforeAll(async () => {
  await s3ClientFor(rgw).send(new CreateBucketCommand({ Bucket: bucket }));
});

describe.each(["http", "https"] as const)("Ceph RGW over %s", (via) => {
  const s3 = s3ClientFor(rgw, via);
  const ca = via === "https" ? rgw.ca : undefined;

  it("stores an object and returns it", async () => {
    const key = `${via}/object.txt`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "log line\n" }));

    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));

    expect(await got.Body?.transformToString()).toBe("log line\n");
  });

  it("accepts a presigned PUT of exactly the signed Content-Length", async () => {
    const key = `${via}/exact.log`;
    const body = randomBytes(1000);

    const response = await rawRequest(await presignedPut(s3, key, body.length), { method: "PUT", body, ...(ca ? { ca } : {}) });

    expect(response.status).toBe(200);
    expect(response.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await storedSize(s3, key)).toBe(1000);
  });

  it("refuses a presigned PUT one byte longer than signed", async () => {
    const key = `${via}/longer.log`;

    const response = await rawRequest(await presignedPut(s3, key, 1000), {
      method: "PUT",
      body: randomBytes(1001),
      ...(ca ? { ca } : {}),
    });

    expect(response.status).toBe(403);
    expect(response.body).toContain("<Code>SignatureDoesNotMatch</Code>");
    expect(await storedSize(s3, key)).toBe("missing");
  });

  it("answers a presigned one-byte Range GET with 206 and the object's size", async () => {
    const key = `${via}/ranged.log`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: randomBytes(4096) }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 });

    const response = await rawRequest(url, { method: "GET", headers: { range: "bytes=0-0" }, ...(ca ? { ca } : {}) });

    expect(response.status).toBe(206);
    expect(response.headers["content-range"]).toBe("bytes 0-0/4096");
  });
});

describe("scripts/rgw/start.sh", () => {
  it("fails with the install command when Ceph is not installed", async () => {
    const script = fileURLToPath(new URL("../../scripts/rgw/start.sh", import.meta.url));

    const failure = await promisify(execFile)("/bin/bash", [script, "--dir", "/nonexistent/ferry-rgw"], {
      env: { PATH: "/nonexistent" },
    }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );

    expect(failure?.code).toBe(3);
    expect(failure?.stderr).toContain(RGW_INSTALL_COMMAND);
  });
});
