// The device's HTTP client on the emulated engine against Ceph RGW over TLS:
// the log-upload flow of design.md, byte for byte, within the board's memory.
import { createHash, randomBytes } from "node:crypto";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3ClientFor, uniqueBucketName } from "../../support/s3.js";
import { suiteRgw } from "../../support/suite-rgw.js";
import { presignerClient, runJob } from "./device-job.js";
import { FaultProxy } from "../../support/fault-proxy.js";

const MB = 1024 * 1024;
const rgw = suiteRgw();
const admin = s3ClientFor(rgw);
const bucket = uniqueBucketName("device-http");
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
});

/**
 * A proxy to RGW's TLS port that counts the device's connections (and can
 * cut them), and a presigner whose URLs point at it: the Host header RGW
 * checks is then the proxy's.
 */
async function throughProxy(cutAfterBytes?: number) {
  const tlsUrl = new URL(rgw.tlsEndpoint!);
  const proxy = await FaultProxy.start({ target: { host: tlsUrl.hostname, port: Number(tlsUrl.port) } });
  proxies.push(proxy);
  if (cutAfterBytes !== undefined) proxy.setFaults("up", { cutAfterBytes });
  const signer = presignerClient(`https://127.0.0.1:${proxy.port}`, rgw);
  const put = (key: string, size: number) =>
    getSignedUrl(signer, new PutObjectCommand({ Bucket: bucket, Key: key, ContentLength: size }), { expiresIn: 300 });
  const get = (key: string, signingDate?: Date) =>
    getSignedUrl(signer, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 60, ...(signingDate ? { signingDate } : {}) });
  return { proxy, put, get };
}

/** The stored object; undefined when there is none. */
async function stored(key: string): Promise<Buffer | undefined> {
  try {
    const object = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
}


describe("the device HTTP client against Ceph RGW over TLS", () => {
  it("PUTs a 1 MB SD-card file byte for byte, then checks its size with Range: bytes=0-0, on one TLS connection", async () => {
    const key = "dev-1/logs/one-megabyte.log";
    const data = randomBytes(MB);
    const { proxy, put, get } = await throughProxy();
    const { results, device } = await runJob(
      {
        requests: [
          { method: "PUT", url: await put(key, data.length), file: "/logs/a.log" },
          { method: "GET", url: await get(key), headers: { Range: "bytes=0-0" } },
        ],
      },
      { "logs/a.log": data },
      60_000,
    );

    const [upload, check] = results;
    expect(upload!.error).toBeUndefined();
    expect(upload!.status).toBe(200);
    expect(upload!.headers!.etag).toBe(`"${createHash("md5").update(data).digest("hex")}"`);
    expect(check!.status).toBe(206);
    expect(check!.headers!["content-range"]).toBe(`bytes 0-0/${MB}`);
    expect(check!.body).toEqual(data.subarray(0, 1));
    expect(check!.connections).toBe(1);
    expect(proxy.links).toHaveLength(1);
    expect(device.outOfMemory).toBe(false);
    expect(device.output).not.toContain("Uncaught");
    expect((await stored(key))!.equals(data)).toBe(true);
  }, 90_000);

  it("brings back RGW's 403 with its S3 error code for an expired URL and for a URL signed for another size", async () => {
    const key = "dev-1/logs/wrong-size.log";
    const data = randomBytes(20_000);
    const { put, get } = await throughProxy();
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: "dev-1/logs/existing.log", Body: "x" }));
    const { results, device } = await runJob(
      {
        requests: [
          { method: "GET", url: await get("dev-1/logs/existing.log", new Date(Date.now() - 3_600_000)) },
          { method: "PUT", url: await put(key, data.length - 1), file: "/logs/b.log" },
        ],
      },
      { "logs/b.log": data },
    );

    const [expired, wrongSize] = results;
    expect(expired!.status).toBe(403);
    expect(expired!.s3).toEqual({ code: "AccessDenied", message: "" });
    expect(wrongSize!.status).toBe(403);
    expect(wrongSize!.s3).toEqual({ code: "SignatureDoesNotMatch", message: "" });
    expect(device.outOfMemory).toBe(false);
    expect(await stored(key)).toBeUndefined();
  });

  it("fails an upload whose connection is cut, leaves nothing stored, and opens a new connection for the next request", async () => {
    const key = "dev-1/logs/cut.log";
    const data = randomBytes(MB);
    const { proxy, put, get } = await throughProxy(300_000);
    const { results, device } = await runJob(
      {
        requests: [
          { method: "PUT", url: await put(key, data.length), file: "/logs/c.log" },
          { method: "GET", url: await get(key), headers: { Range: "bytes=0-0" } },
        ],
      },
      { "logs/c.log": data },
      60_000,
    );

    const [upload, check] = results;
    expect(await stored(key)).toBeUndefined();
    expect(upload!.status).toBeUndefined();
    expect(upload!.error).toMatch(new RegExp(`^127\\.0\\.0\\.1:${proxy.port}: connection closed while sending \\d+ of 1048576 body bytes(: .*)?$`));
    expect(proxy.links[0]!.forwarded.up).toBe(300_000);
    expect(check!.status).toBe(404);
    expect(check!.s3!.code).toBe("NoSuchKey");
    expect(check!.connections).toBe(2);
    expect(proxy.links).toHaveLength(2);
    expect(device.outOfMemory).toBe(false);
    expect(device.output).not.toContain("Uncaught");
  }, 90_000);

  it("fails a PUT whose file is shorter than announced, stores nothing, and opens the next TLS connection only once the failed one has closed", async () => {
    const key = "dev-1/logs/short.log";
    const data = randomBytes(10_000);
    const announced = data.length + 100;
    const { proxy, put, get } = await throughProxy();
    const { results, device } = await runJob(
      {
        requests: [
          { method: "PUT", url: await put(key, announced), file: "/logs/short.log", size: announced },
          { method: "GET", url: await get(key) },
        ],
      },
      { "logs/short.log": data },
    );

    const [upload, after] = results;
    expect(upload!.error).toBe(`body ended at ${data.length} of ${announced} bytes`);
    expect(after!.status).toBe(404);
    expect(after!.s3!.code).toBe("NoSuchKey");
    expect(after!.connections).toBe(2);
    expect(proxy.links).toHaveLength(2);
    expect(await stored(key)).toBeUndefined();
    expect(device.outOfMemory).toBe(false);
  });
});
