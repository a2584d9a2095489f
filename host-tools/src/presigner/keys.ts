// Device keys and reply MACs (docs/protocol.md, "Reply MAC"). Provisioning
// derives the same key to store on the device, so this is the one place
// where the derivation is written down for the host.
import { createHmac } from "node:crypto";
import { DEVICE_KEY_LABEL, presignMacInput } from "../../../firmware/src/protocol/hmac-input.js";
import { presignReplyJson, type PresignReply } from "../../../firmware/src/protocol/presign-reply.js";

/** HMAC-SHA256(masterSecret, "ferry-device-key-v1\n" + deviceId): 32 bytes. */
export function deriveDeviceKey(masterSecret: string | Uint8Array, deviceId: string): Buffer {
  return createHmac("sha256", masterSecret).update(`${DEVICE_KEY_LABEL}${deviceId}`, "utf8").digest();
}

/** Lowercase hex HMAC-SHA256 of the reply's MAC input under the device key. */
export function presignReplyMac(deviceKey: Uint8Array, device: string, reply: PresignReply): string {
  return createHmac("sha256", deviceKey).update(presignMacInput(device, reply), "utf8").digest("hex");
}

/** The reply payload as sent to the device, MAC included. */
export function sealPresignReply(deviceKey: Uint8Array, device: string, reply: PresignReply): string {
  return presignReplyJson(reply, presignReplyMac(deviceKey, device, reply));
}
