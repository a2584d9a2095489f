/**
 * Before anything is timed: one device's request through the broker and the
 * service, checked the way a device checks it (the reply parses, its MAC
 * holds under the device's key), and its URLs used against the store. A
 * benchmark of answers that do not work would measure nothing.
 */
import mqtt from "mqtt";
import { parsePresignReply } from "../../firmware/src/protocol/presign-reply.js";
import { presignReplyTopic, presignTopic } from "../../firmware/src/protocol/topics.js";
import { deriveDeviceKey, presignReplyMac } from "../../host-tools/src/presigner/keys.js";
import { PHASE_PREFIX } from "./messages.js";

export interface Preflight {
  /** Bytes of the reply payload: what the echo responder sends back. */
  readonly replyBytes: number;
}

export async function preflight(brokerUrl: string, device: string, masterSecret: string, uploadBytes: number): Promise<Preflight> {
  const client = await mqtt.connectAsync(brokerUrl, { clientId: device, protocolVersion: 5, reconnectPeriod: 0 });
  try {
    const prefix = PHASE_PREFIX.presign;
    await client.subscribeAsync(presignReplyTopic(prefix, device), { qos: 1 });
    const payload = new Promise<Buffer>((resolve) => client.once("message", (_topic, body: Buffer) => resolve(body)));
    const request = { id: `${device}-1`, op: "put", key: "logs/0001.log", size: uploadBytes };
    await client.publishAsync(presignTopic(prefix, device), JSON.stringify(request), { qos: 1 });
    const text = (await payload).toString("utf8");
    const reply = parsePresignReply(text);
    if (reply === undefined || !reply.ok || reply.id !== request.id || reply.check === undefined) throw new Error(`preflight: not a grant for ${request.id}: ${text}`);
    if (presignReplyMac(deriveDeviceKey(masterSecret, device), device, reply) !== reply.mac) throw new Error("preflight: the reply's MAC does not match the device key");
    const upload = await fetch(reply.url, { method: "PUT", body: Buffer.alloc(uploadBytes, 0x61), headers: reply.headers });
    if (upload.status !== 200) throw new Error(`preflight: the store refused the presigned PUT (${upload.status}): ${await upload.text()}`);
    const check = await fetch(reply.check, { headers: { Range: "bytes=0-0" } });
    if (check.status !== 200 && check.status !== 206) throw new Error(`preflight: the store refused the presigned check GET (${check.status})`);
    await check.arrayBuffer();
    return { replyBytes: Buffer.byteLength(text) };
  } finally {
    await client.endAsync();
  }
}
