// The presigner's behaviour, proved with real uploads against real peers.
// Each peer set (peers.ts) runs this one suite.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { presignMacInput } from "../../firmware/src/protocol/hmac-input.js";
import type { SignedPresignReply } from "../../firmware/src/protocol/presign-reply.js";
import { deriveDeviceKey, presignReplyMac } from "../../host-tools/src/presigner/keys.js";
import type { TestDevice } from "./device.js";
import { MASTER_SECRET, MAX_UPLOAD, presignerFor, type Peers, type StartedPresigner } from "./peers.js";

const RELEASE = Buffer.from("console.log('release 2');\n");

export function describePresignerFlows(startPeers: () => Promise<Peers>): void {
  let peers: Peers;
  let started: StartedPresigner;
  let devA: TestDevice;
  let devB: TestDevice;

  beforeAll(async () => {
    peers = await startPeers();
    started = await presignerFor(peers);
    devA = await peers.connectDevice("dev-a");
    devB = await peers.connectDevice("dev-b");
    const { url } = await started.presigner.signer.presign("PUT", "releases/app/2.js", 60, RELEASE.length);
    const put = await fetch(url, { method: "PUT", body: RELEASE });
    if (put.status !== 200) throw new Error(`seeding the release failed: ${put.status}`);
  });

  afterAll(async () => {
    await devA?.close();
    await devB?.close();
    await started?.presigner.close();
    await peers?.stop();
  });

  const granted = (reply: SignedPresignReply) => {
    if (!reply.ok) throw new Error(`expected a grant, got ${reply.error}: ${reply.message}`);
    return reply;
  };

  describe("a presigned PUT", () => {
    it("uploads exactly the signed size and refuses any other size or method", async () => {
      const body = Buffer.alloc(1000, "a");
      const reply = granted(await devA.request({ id: devA.freshId(), op: "put", key: "logs/exact.log", size: body.length }));
      expect(reply.method).toBe("PUT");
      expect(reply.headers).toEqual({ "Content-Length": "1000" });

      expect((await fetch(reply.url, { method: "PUT", body: Buffer.alloc(1001, "a") })).status).toBe(403);
      expect((await fetch(reply.url, { method: "PUT", body: Buffer.alloc(999, "a") })).status).toBe(403);
      expect((await fetch(reply.url, { method: "POST", body })).status).toBeGreaterThanOrEqual(400);
      expect((await fetch(reply.url, { method: "GET" })).status).toBe(403);
      expect((await fetch(reply.check!, { method: "PUT", body })).status).toBe(403);

      const put = await fetch(reply.url, { method: "PUT", body });
      expect(put.status).toBe(200);
      expect(put.headers.get("etag")).toBeTruthy();
    });

    it("comes with a size check: a GET of the same object, Range bytes=0-0 answers 206 with the size", async () => {
      const body = Buffer.from("size check body, 31 bytes long.");
      const reply = granted(await devA.request({ id: devA.freshId(), op: "put", key: "logs/checked.log", size: body.length }));
      expect((await fetch(reply.url, { method: "PUT", body })).status).toBe(200);
      const check = await fetch(reply.check!, { headers: { Range: "bytes=0-0" } });
      expect(check.status).toBe(206);
      const range = check.headers.get("content-range");
      if (peers.exactRanges) expect(range).toBe(`bytes 0-0/${body.length}`);
      else expect(range).toMatch(new RegExp(`^bytes 0-\\d+/${body.length}$`));
    });

    it("lands under the device's own folder", async () => {
      const reply = granted(await devB.request({ id: devB.freshId(), op: "put", key: "logs/mine.log", size: 4 }));
      expect(new URL(reply.url).pathname).toMatch(/\/devices\/dev-b\/logs\/mine\.log$/);
      expect(new URL(reply.check!).pathname).toBe(new URL(reply.url).pathname);
    });
  });

  describe("expiry", () => {
    it("a URL works until it expires and is refused after", async () => {
      const short = await presignerFor(peers, { devices: ["dev-e"], limits: { expirySeconds: 2 }, mqtt: { group: "expiry-test" } });
      const devE = await peers.connectDevice("dev-e");
      try {
        const reply = granted(await devE.request({ id: devE.freshId(), op: "put", key: "logs/late.log", size: 4 }));
        expect(reply.expires - Date.now() / 1000).toBeLessThanOrEqual(2);
        expect((await fetch(reply.url, { method: "PUT", body: "soon" })).status).toBe(200);
        // SigV4 dates have whole seconds, so wait one more before asking again.
        await new Promise((resolve) => setTimeout(resolve, (reply.expires + 1) * 1000 - Date.now()));
        expect((await fetch(reply.url, { method: "PUT", body: "late" })).status).toBe(403);
        expect((await fetch(reply.check!, { headers: { Range: "bytes=0-0" } })).status).toBe(403);
      } finally {
        await devE.close();
        await short.presigner.close();
      }
    });
  });

  describe("another device's prefix", () => {
    for (const key of ["devices/dev-b/logs/x.log", "../dev-b/logs/x.log", "logs/../../dev-b/x.log", "/devices/dev-b/x.log", "releases/app.js"]) {
      it(`is refused for key ${JSON.stringify(key)}`, async () => {
        const reply = await devA.request({ id: devA.freshId(), op: "put", key, size: 10 });
        expect(reply).toMatchObject({ ok: false, error: "bad-key" });
      });
    }
  });

  describe("downloads", () => {
    const release = RELEASE;

    it("get reads the release, whole or by range", async () => {
      const reply = granted(await devA.request({ id: devA.freshId(), op: "get", key: "app/2.js" }));
      expect(reply.method).toBe("GET");
      expect(reply.headers).toEqual({});
      expect(reply.check).toBeUndefined();
      expect(Buffer.from(await (await fetch(reply.url)).arrayBuffer())).toEqual(release);
      const first = await fetch(reply.url, { headers: { Range: "bytes=0-6" } });
      expect(first.status).toBe(206);
      expect(await first.text()).toBe("console");
      expect((await fetch(reply.url, { method: "PUT", body: "x" })).status).toBe(403);
    });

    it("head answers the size", async () => {
      const reply = granted(await devA.request({ id: devA.freshId(), op: "head", key: "app/2.js" }));
      const head = await fetch(reply.url, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("content-length")).toBe(String(release.length));
    });
  });

  describe("the reply MAC", () => {
    it("verifies with the device's derived key and not with another device's", async () => {
      const id = devA.freshId();
      const reply = await devA.request({ id, op: "put", key: "logs/mac.log", size: 12 });
      const mine = deriveDeviceKey(MASTER_SECRET, "dev-a");
      const theirs = deriveDeviceKey(MASTER_SECRET, "dev-b");
      expect(reply.mac).toMatch(/^[0-9a-f]{64}$/);
      expect(presignReplyMac(mine, "dev-a", reply)).toBe(reply.mac);
      expect(presignReplyMac(theirs, "dev-a", reply)).not.toBe(reply.mac);
      expect(presignReplyMac(mine, "dev-b", reply)).not.toBe(reply.mac);
      const tampered = { ...granted(reply), headers: { "Content-Length": "13" } };
      expect(presignReplyMac(mine, "dev-a", tampered)).not.toBe(reply.mac);
      expect(presignMacInput("dev-a", reply).split("\n")).toHaveLength(11);
    });

    it("covers refusals too", async () => {
      const reply = await devA.request({ id: devA.freshId(), op: "put", key: "/abs", size: 1 });
      expect(reply.ok).toBe(false);
      expect(presignReplyMac(deriveDeviceKey(MASTER_SECRET, "dev-a"), "dev-a", reply)).toBe(reply.mac);
      expect(presignMacInput("dev-a", reply).split("\n")).toHaveLength(6);
    });
  });

  describe("bad input", () => {
    const oversized = (withId: boolean) =>
      JSON.stringify({ ...(withId ? { id: "big-1" } : {}), op: "put", key: "logs/x.log", size: 1, pad: "x".repeat(2000) });
    const cases: { name: string; payload: () => string; id: string; error: string }[] = [
      { name: "malformed JSON", payload: () => '{"id":"bj-1","op":"put",', id: "bj-1", error: "bad-json" },
      { name: "malformed JSON without an id", payload: () => "not json at all", id: "", error: "bad-json" },
      { name: "a JSON array", payload: () => "[1,2]", id: "", error: "bad-request" },
      { name: "an unknown op", payload: () => '{"id":"op-1","op":"delete","key":"a.log"}', id: "op-1", error: "unknown-op" },
      { name: "a key with ..", payload: () => '{"id":"dd-1","op":"put","key":"logs/../x","size":1}', id: "dd-1", error: "bad-key" },
      { name: "an absolute key", payload: () => '{"id":"ab-1","op":"get","key":"/etc/passwd"}', id: "ab-1", error: "bad-key" },
      { name: "another device's prefix", payload: () => '{"id":"pf-1","op":"put","key":"devices/dev-b/a","size":1}', id: "pf-1", error: "bad-key" },
      { name: "a size over the cap", payload: () => `{"id":"sz-1","op":"put","key":"a.log","size":${MAX_UPLOAD + 1}}`, id: "sz-1", error: "too-large" },
      { name: "a negative size", payload: () => '{"id":"sz-2","op":"put","key":"a.log","size":-1}', id: "sz-2", error: "bad-request" },
      { name: "a fractional size", payload: () => '{"id":"sz-3","op":"put","key":"a.log","size":1.5}', id: "sz-3", error: "bad-request" },
      { name: "a put without size", payload: () => '{"id":"sz-4","op":"put","key":"a.log"}', id: "sz-4", error: "bad-request" },
      { name: "an unknown field", payload: () => '{"id":"uf-1","op":"get","key":"a.log","acl":"public-read"}', id: "uf-1", error: "bad-request" },
      { name: "a bad request id", payload: () => '{"id":"has space","op":"get","key":"a.log"}', id: "", error: "bad-request" },
      { name: "a huge payload with an id", payload: () => oversized(true), id: "big-1", error: "too-large" },
    ];

    for (const { name, payload, id, error } of cases) {
      it(`${name}: replies ${error}, counts it, and keeps serving`, async () => {
        const refusals = started.presigner.metrics.refusals;
        const before = refusals.get({ transport: "mqtt", reason: error });
        const reply = devA.reply(id);
        await devA.send(payload());
        const refusal = await reply;
        expect(refusal).toMatchObject({ id, ok: false, error });
        expect(refusal.ok === false && refusal.message.length).toBeGreaterThan(10);
        expect(refusals.get({ transport: "mqtt", reason: error })).toBe(before + 1);
        const after = await devA.request({ id: devA.freshId(), op: "get", key: "app/2.js" });
        expect(after.ok).toBe(true);
      });
    }

    it("a repeated request id: duplicate-id, however the first one went", async () => {
      const id = devA.freshId();
      expect((await devA.request({ id, op: "put", key: "logs/once.log", size: 5 })).ok).toBe(true);
      expect(await devA.request({ id, op: "put", key: "logs/once.log", size: 5 })).toMatchObject({ ok: false, error: "duplicate-id" });
      expect(await devA.request({ id, op: "get", key: "app/2.js" })).toMatchObject({ ok: false, error: "duplicate-id" });
      const other = await devB.request({ id, op: "get", key: "app/2.js" });
      expect(other.ok).toBe(true);
    });

    it("a huge payload without an id is dropped and counted", async () => {
      const dropped = started.presigner.metrics.dropped;
      const before = dropped.get({ reason: "oversized" });
      const repliesBefore = devA.replies.length;
      await devA.send(oversized(false));
      const next = await devA.request({ id: devA.freshId(), op: "get", key: "app/2.js" });
      expect(next.ok).toBe(true);
      expect(devA.replies.length).toBe(repliesBefore + 1);
      expect(dropped.get({ reason: "oversized" })).toBe(before + 1);
    });
  });

  describe("an unregistered device", () => {
    it("gets no reply, is counted and logged by id only", async () => {
      const stranger = await peers.connectDevice("dev-z");
      try {
        const dropped = started.presigner.metrics.dropped;
        const before = dropped.get({ reason: "unknown-device" });
        await stranger.send(JSON.stringify({ id: "z-1", op: "put", key: "logs/z.log", size: 3 }));
        const after = await devA.request({ id: devA.freshId(), op: "get", key: "app/2.js" });
        expect(after.ok).toBe(true);
        expect(dropped.get({ reason: "unknown-device" })).toBe(before + 1);
        expect(stranger.replies).toEqual([]);
        const line = started.logs.find((entry) => entry["device"] === "dev-z");
        expect(line).toMatchObject({ level: "warn", device: "dev-z" });
        expect(Object.keys(line!).sort()).toEqual(["device", "level", "msg", "time"]);
      } finally {
        await stranger.close();
      }
    });
  });

  describe("the logs", () => {
    it("carry op, device, key, size, latency and outcome, and no URL, signature or secret", async () => {
      const body = "logged";
      const id = devA.freshId();
      const reply = granted(await devA.request({ id, op: "put", key: "logs/logged.log", size: body.length }));
      expect((await fetch(reply.url, { method: "PUT", body })).status).toBe(200);
      const http = await fetch(`${started.presigner.httpUrl}/presign/logs/h.log?method=PUT&contentLength=3`, {
        headers: { Authorization: `Bearer ${started.config.http!.token}` },
      });
      const answer = (await http.json()) as { URL: string };
      const text = started.logText();
      const line = started.logs.find((entry) => entry["id"] === id);
      expect(line).toMatchObject({ device: "dev-a", op: "put", key: "logs/logged.log", size: 6, outcome: "granted" });
      expect(typeof line!["ms"]).toBe("number");
      const forbidden = [
        reply.url,
        reply.check!,
        answer.URL,
        new URL(reply.url).searchParams.get("X-Amz-Signature")!,
        new URL(answer.URL).searchParams.get("X-Amz-Signature")!,
        reply.mac,
        "X-Amz-Signature",
        "X-Amz-Credential",
        MASTER_SECRET,
        started.config.http!.token!,
        peers.credentials.secretAccessKey,
      ];
      for (const secret of forbidden) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/[?&]X-Amz-/);
    });
  });

  describe("the HTTP endpoint", () => {
    const auth = () => ({ Authorization: `Bearer ${started.config.http!.token}` });

    it("answers the Go presign example's request form with {URL, Method, Header}", async () => {
      const body = Buffer.alloc(1024, "g");
      const res = await fetch(`${started.presigner.httpUrl}/presign/uploads/go.bin?method=PUT&contentLength=1024`, { headers: auth() });
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { URL: string; Method: string; Header: Record<string, string[]> };
      expect(answer.Method).toBe("PUT");
      expect(answer.Header).toEqual({ "Content-Length": ["1024"] });
      expect(new URL(answer.URL).pathname).toMatch(/\/devices\/http\/uploads\/go\.bin$/);
      expect((await fetch(answer.URL, { method: "PUT", body: Buffer.alloc(1025, "g") })).status).toBe(403);
      expect((await fetch(answer.URL, { method: answer.Method, body })).status).toBe(200);

      const get = await fetch(`${started.presigner.httpUrl}/presign/app/2.js?method=GET`, { headers: auth() });
      const download = (await get.json()) as { URL: string; Method: string; Header: Record<string, string[]> };
      expect(download).toMatchObject({ Method: "GET", Header: {} });
      expect((await fetch(download.URL)).status).toBe(200);
    });

    it("refuses requests without the token, and bad ones with a reason", async () => {
      const url = (path: string) => `${started.presigner.httpUrl}${path}`;
      expect((await fetch(url("/presign/a.log?method=GET"))).status).toBe(401);
      expect((await fetch(url("/presign/a.log?method=GET"), { headers: { Authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
      const cases: [string, string][] = [
        ["/presign/a.log?method=PUT", "bad-request"],
        ["/presign/a.log?method=PUT&contentLength=-1", "bad-request"],
        [`/presign/a.log?method=PUT&contentLength=${MAX_UPLOAD + 1}`, "too-large"],
        ["/presign/a.log?method=DELETE", "unknown-op"],
        ["/presign/logs/%2E%2E/%2E%2E/x?method=GET", "bad-key"],
        ["/presign/devices/dev-a/x?method=GET", "bad-key"],
      ];
      for (const [path, code] of cases) {
        const res = await rawGet(started.presigner.httpUrl!, path, auth());
        expect(res.status, path).toBe(400);
        expect((JSON.parse(res.body) as { error: string }).error, path).toBe(code);
      }
      expect((await fetch(url("/healthz"))).status).toBe(200);
      expect((await devA.request({ id: devA.freshId(), op: "put", key: "logs/m.log", size: 1 })).ok).toBe(true);
      const metrics = await (await fetch(url("/metrics"), { headers: auth() })).text();
      expect(metrics).toMatch(/ferry_presign_refusals_total\{reason="bad-key",transport="http"\} [1-9]/);
      expect(metrics).toMatch(/ferry_presign_grants_total\{op="put",transport="mqtt"\} [1-9]/);
      expect(metrics).toMatch(/ferry_presign_latency_seconds_count\{transport="mqtt"\} [1-9]/);
    });
  });
}

/** A GET with the path sent exactly as written (fetch would resolve "%2E%2E" segments first). */
function rawGet(base: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}
