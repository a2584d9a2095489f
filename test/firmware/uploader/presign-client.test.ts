// The device's presign client against replies sealed by the real presigner
// desk: ids matched, MACs checked with the device key, grants held to the
// request, and every way a request can end without a grant.
import { describe, expect, it } from "vitest";
import { createPresignClient, type PresignClient } from "../../../firmware/src/uploader/presign-client.js";
import { sealPresignReply } from "../../../host-tools/src/presigner/keys.js";
import { deriveDeviceKey } from "../../../host-tools/src/presigner/keys.js";
import { deviceKeyOf, MASTER_SECRET, nodeSha256, presignerReplies } from "../crypto/presigner-replies.js";
import { ManualClock } from "../logger/memory-card.js";

const DEVICE = "dev-7";
const TIMEOUT = 20_000;

function setup(options: { online?: boolean } = {}) {
  const clock = new ManualClock();
  const sent: string[] = [];
  const client: PresignClient = createPresignClient({
    deviceId: DEVICE,
    deviceKey: deviceKeyOf(DEVICE),
    sha256: nodeSha256,
    send: (payload) => {
      sent.push(payload);
      return Promise.resolve(options.online ?? true);
    },
    after: clock.after,
    timeoutMs: TIMEOUT,
    idPrefix: "b3-r",
  });
  const requests = () => sent.map((payload) => JSON.parse(payload) as { id: string; op: string; key: string; size: number });
  return { clock, client, sent, requests };
}

/** What a promise came to, once the microtasks have run. */
async function outcome<T>(promise: Promise<T>): Promise<{ value?: T; reason?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (reason: unknown) => ({ reason }),
  );
}

describe("the presign client", () => {
  it("sends one put request per file with ids new to the boot, and resolves each with its own verified grant", async () => {
    const { client, requests } = setup();
    const first = client.put("logs/00000001.log", 100);
    const second = client.put("logs/00000002.log", 2048);
    await Promise.resolve();
    expect(requests()).toEqual([
      { id: "b3-r1", op: "put", key: "logs/00000001.log", size: 100 },
      { id: "b3-r2", op: "put", key: "logs/00000002.log", size: 2048 },
    ]);
    // Replies in the other order: matched by id, not by arrival.
    const replies = await presignerReplies(DEVICE, requests().reverse());
    for (const reply of replies) client.receive(reply);
    const [a, b] = await Promise.all([first, second]);
    expect(a.key).toBe("logs/00000001.log");
    expect(a.headers).toEqual({ "Content-Length": "100" });
    expect(a.url).toContain("/devices/dev-7/logs/00000001.log?");
    expect(a.check).toContain("/devices/dev-7/logs/00000001.log?");
    expect(b.headers).toEqual({ "Content-Length": "2048" });
  });

  it("drops a reply whose MAC was made with another key, and a reply for an id it never sent; the request then times out", async () => {
    const { client, clock, requests } = setup();
    const pending = outcome(client.put("logs/a.log", 10));
    await Promise.resolve();
    const [genuine] = await presignerReplies(DEVICE, requests());
    const parsed = JSON.parse(genuine!) as Parameters<typeof sealPresignReply>[2];
    // The same grant, sealed with another device's key (what an impostor could at best do).
    client.receive(sealPresignReply(deriveDeviceKey(MASTER_SECRET, "dev-8"), DEVICE, parsed));
    const [stranger] = await presignerReplies(DEVICE, [{ id: "b9-r1", op: "put", key: "logs/a.log", size: 10 }]);
    client.receive(stranger!);
    client.receive("not json");
    clock.advance(TIMEOUT - 1);
    await Promise.resolve();
    clock.advance(1);
    expect(await pending).toEqual({ reason: "presign-timeout" });
    // A reply after the timeout finds nobody waiting.
    expect(() => client.receive(genuine!)).not.toThrow();
  });

  it("turns a refusal into its code and the service's words", async () => {
    const { client, requests } = setup();
    const pending = outcome(client.put("logs/../x.log", 10));
    await Promise.resolve();
    for (const reply of await presignerReplies(DEVICE, requests())) client.receive(reply);
    const { reason } = await pending;
    expect(reason).toMatch(/^presign-bad-key: the key has a "\.\." segment/);
  });

  it("refuses a genuine grant that is not for the file asked about", async () => {
    const { client, requests } = setup();
    const pending = outcome(client.put("logs/b.log", 10));
    await Promise.resolve();
    const [request] = requests();
    // Sealed by the service for the right id, but for another size: never trust a URL for the wrong body.
    const [reply] = await presignerReplies(DEVICE, [{ ...request!, size: 11 }]);
    client.receive(reply!);
    expect(await pending).toEqual({ reason: "bad-grant" });
  });

  it("refuses a genuine grant that carries a header its MAC does not cover, or fields of the wrong type", async () => {
    const { client, requests } = setup();
    const extraHeader = outcome(client.put("logs/d.log", 10));
    const wrongType = outcome(client.put("logs/e.log", 10));
    await Promise.resolve();
    const [first, second] = (await presignerReplies(DEVICE, requests())).map((reply) => JSON.parse(reply) as { [field: string]: unknown });
    // The MAC covers Content-Length only: another header would reach the bucket unchecked.
    client.receive(JSON.stringify({ ...first, headers: { "Content-Length": "10", "x-amz-acl": "public-read" } }));
    // The same MAC input ("10" either way), but not the grant the MAC was made for.
    client.receive(JSON.stringify({ ...second, headers: { "Content-Length": ["10"] } }));
    expect(await extraHeader).toEqual({ reason: "bad-grant" });
    expect(await wrongType).toEqual({ reason: "bad-grant" });
  });

  it("ignores replies that are not objects or lack what the MAC needs, without throwing", async () => {
    const { client, clock, requests } = setup();
    const pending = outcome(client.put("logs/f.log", 10));
    await Promise.resolve();
    const [genuine] = (await presignerReplies(DEVICE, requests())).map((reply) => JSON.parse(reply) as { [field: string]: unknown });
    for (const payload of ["null", "7", '"text"', "[]", JSON.stringify({ ...genuine, headers: undefined }), JSON.stringify({ ...genuine, mac: 5 })]) {
      expect(() => client.receive(payload)).not.toThrow();
    }
    clock.advance(TIMEOUT);
    expect(await pending).toEqual({ reason: "presign-timeout" });
  });

  it("fails at once when MQTT could not take the request", async () => {
    const { client, clock } = setup({ online: false });
    expect(await outcome(client.put("logs/c.log", 1))).toEqual({ reason: "offline" });
    expect(clock.pendingTimers).toBe(0);
  });
});
