// Asks the service for presigned upload URLs over MQTT (docs/protocol.md):
// one request per file, each with an id new to this boot, replies matched
// by id and trusted only once their MAC checks out with the device's key,
// since the engine's TLS accepts any server (docs/engine.md).
import type { Sha256 } from "../crypto/hmac.js";
import { verifyPresignReply } from "../crypto/reply-mac.js";
import type { PresignGrant, SignedPresignReply } from "../protocol/presign-reply.js";

export interface PresignClientOptions {
  deviceId: string;
  /** The 32-byte key provisioning stored (ferry.hmac), as a binary string. */
  deviceKey: string;
  sha256: Sha256;
  /** Publishes a request on the presign topic; resolves false when it could not be sent (MQTT offline). */
  send(payload: string): Promise<boolean>;
  /** Runs `task` once after `ms`; the returned function cancels it. */
  after(ms: number, task: () => void): () => void;
  timeoutMs: number;
  /** Request ids are this plus a counter: give each boot its own ("b3-r"), so no id is sent twice. */
  idPrefix: string;
}

export interface PresignClient {
  /**
   * A verified grant to PUT exactly `size` bytes at `key`, with its size
   * check URL. Rejects with a string: "offline", "presign-timeout",
   * "presign-<refusal code>: <the service's words>", or "bad-grant" (a
   * reply that does not match the request).
   */
  put(key: string, size: number): Promise<PresignGrant>;
  /** Every payload that arrives on the presign reply topic. */
  receive(payload: string): void;
}

export function createPresignClient(options: PresignClientOptions): PresignClient {
  /** Settles the request waiting for this id, with its reply or the code of its failure. */
  const waiting: { [id: string]: (reply: SignedPresignReply | string) => void } = {};
  let count = 0;

  return {
    put(key, size) {
      const id = options.idPrefix + ++count;
      return new Promise<PresignGrant>((resolve, reject) => {
        // Whatever comes first settles the request; the promise ignores the rest.
        const settle = (waiting[id] = (reply) => {
          delete waiting[id];
          cancel();
          if (typeof reply == "string") reject(reply);
          else if (!reply.ok) reject("presign-" + reply.error + ": " + reply.message);
          // The MAC covers Content-Length alone, so no other header may reach
          // the request: the headers must be exactly {"Content-Length": "<size>"}.
          else if (
            reply.op === "put" &&
            reply.key === key &&
            typeof reply.url == "string" &&
            typeof reply.check == "string" &&
            JSON.stringify(reply.headers) === '{"Content-Length":"' + size + '"}'
          )
            resolve(reply);
          else reject("bad-grant");
        });
        const cancel = options.after(options.timeoutMs, () => settle("presign-timeout"));
        options.send(JSON.stringify({ id: id, op: "put", key: key, size: size })).then((sent) => {
          if (!sent) settle("offline");
        });
      });
    },

    receive(payload) {
      // Unknown ids (late, or another boot's), forged MACs and malformed
      // replies are dropped: the real reply may still come before the timeout.
      try {
        const reply = JSON.parse(payload) as SignedPresignReply;
        const settle = waiting[reply.id];
        if (settle && verifyPresignReply(reply, options.deviceId, options.deviceKey, options.sha256)) settle(reply);
      } catch (malformed) {
        // Not JSON, or a grant without headers: nothing to settle.
      }
    },
  };
}
