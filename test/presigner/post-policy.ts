// Browser-style uploads with a presigned POST policy, through the HTTP
// endpoint: what the policy says, and what a store that enforces it does.
import { afterAll, beforeAll, expect, it } from "vitest";
import { HTTP_TOKEN, MAX_UPLOAD, presignerFor, type Peers, type StartedPresigner } from "./peers.js";

interface PostAnswer {
  url: string;
  fields: Record<string, string>;
  expires: number;
  maxSize: number;
}

/** Asks the presigner for a POST policy. */
export async function askForPost(started: StartedPresigner, body: unknown): Promise<{ status: number; answer: PostAnswer & { error?: string } }> {
  const res = await fetch(`${started.presigner.httpUrl}/presign-post`, {
    method: "POST",
    headers: { Authorization: `Bearer ${HTTP_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, answer: (await res.json()) as PostAnswer & { error?: string } };
}

/** Sends a multipart form as a browser would: the policy fields, then the file. */
export async function postForm(answer: PostAnswer, file: { name: string; type: string; body: Buffer }, fields: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...answer.fields, ...fields })) form.append(name, value);
  form.append("file", new Blob([file.body], { type: file.type }), file.name);
  return fetch(answer.url, { method: "POST", body: form });
}

/** The POST policy suite; `enforces` is false for stores that accept any form (s3rver). */
export function describePostPolicy(startPeers: () => Promise<Peers>, enforces: boolean): void {
  let peers: Peers;
  let started: StartedPresigner;

  beforeAll(async () => {
    peers = await startPeers();
    started = await presignerFor(peers, { http: { port: 0, token: HTTP_TOKEN, corsOrigins: ["https://app.example"] } });
  });

  afterAll(async () => {
    await started?.presigner.close();
    await peers?.stop();
  });

  it("signs a policy with the size range, the key prefix and the content type", async () => {
    const { status, answer } = await askForPost(started, { key: "uploads/${filename}", maxSize: 100, contentType: "text/plain" });
    expect(status).toBe(200);
    expect(answer.maxSize).toBe(100);
    const policy = JSON.parse(Buffer.from(answer.fields["Policy"]!, "base64").toString("utf8")) as { conditions: unknown[]; expiration: string };
    expect(policy.conditions).toContainEqual(["content-length-range", 0, 100]);
    expect(policy.conditions).toContainEqual(["starts-with", "$key", "devices/http/uploads/"]);
    expect(policy.conditions).toContainEqual(["eq", "$Content-Type", "text/plain"]);
    expect(Date.parse(policy.expiration) / 1000).toBeLessThanOrEqual(answer.expires + 1);
  });

  it("uploads a file the policy allows", async () => {
    const { answer } = await askForPost(started, { key: "uploads/note.txt", maxSize: 100, contentType: "text/plain" });
    const res = await postForm(answer, { name: "note.txt", type: "text/plain", body: Buffer.from("inside the limits") });
    expect([200, 201, 204]).toContain(res.status);
    const get = await started.presigner.signer.presign("GET", "devices/http/uploads/note.txt", 60);
    expect(await (await fetch(get.url)).text()).toBe("inside the limits");
  });

  if (enforces) {
    it("lets the browser's file name complete a key ending in ${filename}", async () => {
      const { answer } = await askForPost(started, { key: "uploads/${filename}", maxSize: 100 });
      const res = await postForm(answer, { name: "chosen.txt", type: "text/plain", body: Buffer.from("named by the browser") });
      expect(res.status).toBe(204);
      const get = await started.presigner.signer.presign("GET", "devices/http/uploads/chosen.txt", 60);
      expect(await (await fetch(get.url)).text()).toBe("named by the browser");
    });

    it("is refused by the store for a file too large, another content type, or a key outside the prefix", async () => {
      const { answer } = await askForPost(started, { key: "uploads/${filename}", maxSize: 100, contentType: "text/plain" });
      const tooLarge = await postForm(answer, { name: "big.txt", type: "text/plain", body: Buffer.alloc(101, "x") });
      expect(tooLarge.status).toBe(400);
      expect(await tooLarge.text()).toContain("EntityTooLarge");
      const wrongType = await postForm(answer, { name: "page.html", type: "text/html", body: Buffer.from("<p>") }, { "Content-Type": "text/html" });
      expect(wrongType.status).toBe(403);
      const elsewhere = await postForm(answer, { name: "x.txt", type: "text/plain", body: Buffer.from("x") }, { key: "devices/dev-a/x.txt" });
      expect(elsewhere.status).toBe(403);
    });
  }

  it("refuses policy requests it should not sign", async () => {
    const cases: [unknown, string][] = [
      [{ key: "../x" }, "bad-key"],
      [{ key: "devices/dev-a/${filename}" }, "bad-key"],
      [{ key: "a", maxSize: MAX_UPLOAD + 1 }, "too-large"],
      [{ key: "a", maxSize: 0 }, "bad-request"],
      [{ key: "a", contentType: "not a type" }, "bad-request"],
      [{ key: "a", acl: "public-read" }, "bad-request"],
      ["[1]", "bad-request"],
    ];
    for (const [body, error] of cases) {
      const { status, answer } = await askForPost(started, body);
      expect(status, JSON.stringify(body)).toBe(400);
      expect(answer.error, JSON.stringify(body)).toBe(error);
    }
  });
}
