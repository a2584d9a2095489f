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

/**
 * Device keys as the service uses them: derived once per device and kept, up
 * to `capacity` devices (the least recently used goes first), so a busy
 * device costs one HMAC per reply instead of two.
 */
export class DeviceKeys {
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly masterSecret: string,
    private readonly capacity: number,
  ) {}

  get(deviceId: string): Buffer {
    let key = this.keys.get(deviceId);
    if (key === undefined) key = deriveDeviceKey(this.masterSecret, deviceId);
    // Re-inserting moves the device to the end of the Map's order: the most recently used.
    this.keys.delete(deviceId);
    this.keys.set(deviceId, key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.keys().next().value as string);
    return key;
  }

  get size(): number {
    return this.keys.size;
  }
}
