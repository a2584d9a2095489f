// The exact bytes a reply's MAC covers. Fixed-order fields joined by "\n",
// so the device can rebuild them from the parsed reply without canonical
// JSON. No field can hold a "\n": ids, keys and URLs cannot, and parsing a
// reply refuses any field that does; nor can a forged one: a field's "\n"
// would add a line to a text of fixed line count, so its MAC cannot match.
//
// mac = lowercase hex HMAC-SHA256(deviceKey, presignMacInput(device, reply))
// deviceKey = HMAC-SHA256(masterSecret, DEVICE_KEY_LABEL + deviceId)
import type { PresignReply } from "./presign-reply.js";

export const PRESIGN_MAC_VERSION = "ferry-presign-v1";

/** Prefix of the message that derives a device's key from the master secret. */
export const DEVICE_KEY_LABEL = "ferry-device-key-v1\n";

/**
 * Grant:   version, device, id, "true", op, key, method, url, expires,
 *          content length ("" unless put), check URL ("" unless put).
 * Refusal: version, device, id, "false", error, message.
 */
export function presignMacInput(device: string, reply: PresignReply): string {
  const head: unknown[] = [PRESIGN_MAC_VERSION, device, reply.id, reply.ok];
  // join() writes true and false as words, numbers as digits, and undefined
  // as "": the empty line a get or head grant has for content length and check.
  return head
    .concat(reply.ok ? [reply.op, reply.key, reply.method, reply.url, reply.expires, reply.headers["Content-Length"], reply.check] : [reply.error, reply.message])
    .join("\n");
}
