// The device's check of a presign reply's MAC (docs/protocol.md, "Reply
// MAC"): the engine's TLS accepts any server, so only this tells a reply from
// the real service apart from a forged one.
import { presignMacInput } from "../protocol/hmac-input.js";
import type { SignedPresignReply } from "../protocol/presign-reply.js";
import { hmacSha256, sameMac, toHex, type Sha256 } from "./hmac.js";

/**
 * True when `reply.mac` is the MAC of the reply under this device's key.
 * `deviceKey` is the 32-byte key provisioning stored, as a binary string.
 * The MAC input is ASCII by the protocol's rules, so its chars are its bytes.
 */
export function verifyPresignReply(reply: SignedPresignReply, deviceId: string, deviceKey: string, sha256: Sha256): boolean {
  return sameMac(toHex(hmacSha256(sha256, deviceKey, presignMacInput(deviceId, reply))), reply.mac);
}
