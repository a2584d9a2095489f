// What only a real S3 shows: Ceph RGW enforces POST policies, takes the
// bucket CORS rule, and accepts the device's hand-written PUT over TLS.
import { GetBucketCorsCommand } from "@aws-sdk/client-s3";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { command as presignerCommand } from "../../host-tools/src/cli/commands/presigner.js";
import { rawRequest, s3ClientFor } from "../support/s3.js";
import { suiteRgw } from "../support/suite-rgw.js";
import type { TestDevice } from "./device.js";
import { aedesRgwPeers, HTTP_TOKEN, MASTER_SECRET, MAX_UPLOAD, presignerFor, type Peers, type StartedPresigner } from "./peers.js";
import { describePostPolicy } from "./post-policy.js";

describe("POST policies on Ceph RGW", () => {
  describePostPolicy(aedesRgwPeers, true);
});

describe("on Ceph RGW", () => {
  let peers: Peers;

  beforeAll(async () => {
    peers = await aedesRgwPeers();
  });

  afterAll(async () => {
    await peers?.stop();
  });

  it("`ferry presigner cors --apply` sets the rule on the bucket, with credentials from the AWS chain", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ferry-cors-"));
    const saved = { id: process.env["AWS_ACCESS_KEY_ID"], secret: process.env["AWS_SECRET_ACCESS_KEY"] };
    try {
      const file = join(dir, "presigner.json");
      await writeFile(
        file,
        JSON.stringify({
          masterSecret: MASTER_SECRET,
          mqtt: { url: "mqtt://127.0.0.1:1883" },
          s3: peers.s3,
          http: { token: HTTP_TOKEN, corsOrigins: ["https://app.example", "http://localhost:5173"] },
        }),
      );
      process.env["AWS_ACCESS_KEY_ID"] = peers.credentials.accessKeyId;
      process.env["AWS_SECRET_ACCESS_KEY"] = peers.credentials.secretAccessKey;
      expect(await presignerCommand.run(["cors", "--apply", "--config", file])).toBe(0);
    } finally {
      restore("AWS_ACCESS_KEY_ID", saved.id);
      restore("AWS_SECRET_ACCESS_KEY", saved.secret);
      await rm(dir, { recursive: true, force: true });
    }
    const client = s3ClientFor(suiteRgw());
    try {
      const cors = await client.send(new GetBucketCorsCommand({ Bucket: peers.s3["bucket"] as string }));
      expect(cors.CORSRules?.[0]?.AllowedOrigins).toHaveLength(2);
      expect(cors.CORSRules).toEqual([
        expect.objectContaining({
          AllowedOrigins: expect.arrayContaining(["https://app.example", "http://localhost:5173"]),
          AllowedMethods: expect.arrayContaining(["POST", "PUT", "GET", "HEAD"]),
          ExposeHeaders: ["ETag"],
        }),
      ]);
    } finally {
      client.destroy();
    }
  });

  describe("over TLS to the bucket", () => {
    let started: StartedPresigner;
    let device: TestDevice;

    beforeAll(async () => {
      const rgw = suiteRgw();
      if (rgw.tlsEndpoint === undefined) throw new Error("the suite's gateway has no TLS endpoint");
      started = await presignerFor({ ...peers, s3: { ...peers.s3, endpoint: rgw.tlsEndpoint } });
      device = await peers.connectDevice("dev-a");
    });

    afterAll(async () => {
      await device?.close();
      await started?.presigner.close();
    });

    it("a hand-written PUT with Content-Length, as the device sends it, stores exactly the signed size", async () => {
      const rgw = suiteRgw();
      const body = Buffer.alloc(MAX_UPLOAD, "d");
      const reply = await device.request({ id: device.freshId(), op: "put", key: "logs/tls.log", size: body.length });
      if (!reply.ok) throw new Error(reply.message);
      expect(new URL(reply.url).protocol).toBe("https:");
      const host = new URL(reply.url).host;
      const refused = await rawRequest(reply.url, { method: "PUT", headers: { host, ...reply.headers, "content-length": body.length + 1 }, body: Buffer.concat([body, Buffer.from("x")]), ca: rgw.ca });
      expect(refused.status).toBe(403);
      const stored = await rawRequest(reply.url, { method: "PUT", headers: { host }, body, ca: rgw.ca });
      expect(stored.status).toBe(200);
      expect(stored.headers["etag"]).toBeTruthy();
      const check = await rawRequest(reply.check!, { method: "GET", headers: { host, range: "bytes=0-0" }, ca: rgw.ca });
      expect(check.status).toBe(206);
      expect(check.headers["content-range"]).toBe(`bytes 0-0/${body.length}`);
    });
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
