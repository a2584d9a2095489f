/**
 * Presign replies that did not come from the service: what an attacker on
 * the broker path would send a device whose TLS accepts any server. Each
 * points the device at a decoy store that only counts who connects, so a
 * device fooled by one shows up there.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { presignGrant, presignRefusal, presignReplyJson, type PresignReply } from "../../firmware/src/protocol/presign-reply.js";
import type { PutRequest } from "../../firmware/src/protocol/presign.js";
import { presignReplyMac } from "../../host-tools/src/presigner/keys.js";
import { listenOnLoopback } from "../support/ports.js";

export type ForgeryKind =
  /** A grant for the decoy with a MAC of random bytes. */
  | "random-mac"
  /** A grant for the decoy sealed for this device id with another device's key. */
  | "foreign-key"
  /** A grant sealed, correctly, for another device: what that device would accept. */
  | "other-device"
  /** A grant for the decoy sealed with this device's own key, then one hex digit of the MAC changed. */
  | "one-digit"
  /** A refusal (too-large) sealed with this device's key and one digit changed: believed, it would fail the upload. */
  | "forged-refusal";

export const FORGERY_KINDS: readonly ForgeryKind[] = ["random-mac", "foreign-key", "other-device", "one-digit", "forged-refusal"];

/** A TLS server standing in for an attacker's store: it only counts connections. Events: "visit". */
export class Decoy extends EventEmitter {
  private count = 0;

  private constructor(private readonly server: tls.Server) {
    super();
    // Counted at TCP level: a device that even tried to reach it was fooled.
    server.on("connection", () => {
      this.count += 1;
      this.emit("visit");
    });
    server.on("secureConnection", (socket) => socket.destroy());
    server.on("tlsClientError", () => {});
  }

  static async start(cert: string, key: string): Promise<Decoy> {
    const decoy = new Decoy(tls.createServer({ cert, key }));
    await listenOnLoopback(decoy.server);
    return decoy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Connections devices opened to the decoy. */
  get visits(): number {
    return this.count;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A forged reply to `request`, pointing at `decoyPort`. `deviceKey` is the
 * device's real key: the closest forgeries are the right MAC with one digit off.
 */
export function forgeReply(kind: ForgeryKind, request: PutRequest, deviceId: string, deviceKey: Buffer, decoyPort: number): string {
  const url = `https://127.0.0.1:${decoyPort}/stolen/${deviceId}/${request.key}?X-Amz-Signature=${randomBytes(32).toString("hex")}`;
  const grant: PresignReply = presignGrant(request, url, Math.floor(Date.now() / 1000) + 300, url);
  const otherDevice = `${deviceId}-other`;
  switch (kind) {
    case "random-mac":
      return presignReplyJson(grant, randomBytes(32).toString("hex"));
    case "foreign-key":
      return presignReplyJson(grant, presignReplyMac(randomBytes(32), deviceId, grant));
    case "other-device":
      return presignReplyJson(grant, presignReplyMac(randomBytes(32), otherDevice, grant));
    case "one-digit":
      return presignReplyJson(grant, oneDigitOff(presignReplyMac(deviceKey, deviceId, grant)));
    case "forged-refusal": {
      const refusal = presignRefusal(request.id, "too-large", "forged: split the file");
      return presignReplyJson(refusal, oneDigitOff(presignReplyMac(deviceKey, deviceId, refusal)));
    }
  }
}

function oneDigitOff(mac: string): string {
  const at = Math.floor(mac.length / 2);
  return `${mac.slice(0, at)}${mac[at] === "0" ? "1" : "0"}${mac.slice(at + 1)}`;
}
