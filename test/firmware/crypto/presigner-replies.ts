// Replies made by the real presigner desk (host-tools/src/presigner): the
// same signing, sealing and key derivation the service runs, with a signer
// that needs no store (presigning is local to the AWS SDK).
import { createHash } from "node:crypto";
import { deriveDeviceKey } from "../../../host-tools/src/presigner/keys.js";
import { PresignDesk } from "../../../host-tools/src/presigner/desk.js";
import { Logger } from "../../../host-tools/src/presigner/log.js";
import { PresignMetrics } from "../../../host-tools/src/presigner/metrics.js";
import { S3Signer } from "../../../host-tools/src/presigner/signer.js";
import type { Sha256 } from "../../../firmware/src/crypto/hmac.js";

export const MASTER_SECRET = "correct horse battery staple";

/** Node's SHA-256 with the device's calling convention: binary strings in and out. */
export const nodeSha256: Sha256 = (data) => createHash("sha256").update(data, "latin1").digest().toString("latin1");

/** The key provisioning stores on `device`, as the device holds it: a binary string. */
export function deviceKeyOf(device: string): string {
  return deriveDeviceKey(MASTER_SECRET, device).toString("latin1");
}

/** The sealed reply payloads the service would publish for these requests from `device`. */
export async function presignerReplies(device: string, requests: object[]): Promise<string[]> {
  const signer = new S3Signer({
    bucket: "fleet-logs",
    endpoint: "http://127.0.0.1:9",
    region: "eu-west-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
  });
  const desk = new PresignDesk({
    layout: { devicesPrefix: "devices", releasesPrefix: "releases" },
    limits: { expirySeconds: 300, maxUploadBytes: 1 << 20, maxPayloadBytes: 1024, recentIdsPerDevice: 16 },
    devices: [device],
    masterSecret: MASTER_SECRET,
    signer,
    log: new Logger({ write: () => true }),
    metrics: new PresignMetrics(),
  });
  try {
    const replies: string[] = [];
    for (const request of requests) {
      const payload = await desk.answer(device, Buffer.from(JSON.stringify(request)));
      if (payload === undefined) throw new Error(`the desk dropped ${JSON.stringify(request)}`);
      replies.push(payload);
    }
    return replies;
  } finally {
    desk.close();
    signer.close();
  }
}
