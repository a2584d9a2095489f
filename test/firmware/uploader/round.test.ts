// The upload round's decisions, with the card in memory, the real logger,
// and a scripted presigner, bucket session and MQTT: what happens in which
// order, that no failure ever retires a file, and when a file is tried again.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { HttpRequest, HttpResponse } from "../../../firmware/src/http/session.js";
import { createLogger } from "../../../firmware/src/logger/logger.js";
import type { DeviceEvent, RoundEvent, UploadEvent } from "../../../firmware/src/protocol/events.js";
import type { PresignGrant } from "../../../firmware/src/protocol/presign-reply.js";
import { createUploader, type UploadSettings } from "../../../firmware/src/uploader/round.js";
import { ManualClock, MemoryCard, MemoryRecord } from "../logger/memory-card.js";

const STORE = "https://bucket.example:9443";
const RGW_EXPIRED = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message></Message><RequestId>tx1</RequestId></Error>';
const S3RVER_EXPIRED = "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>";
const BAD_SIGNATURE = "<Error><Code>SignatureDoesNotMatch</Code><Message></Message></Error>";

type Answer = Partial<HttpResponse> | Error;
/** How the fake bucket answers a request for a key, by method: an answer, an error to reject with, or null (a rejection without a reason). */
type Script = { PUT?: Answer | null; GET?: Answer | null };

function grantFor(key: string, size: number, id: number, url = STORE): PresignGrant {
  return {
    id: `r${id}`,
    ok: true,
    op: "put",
    key,
    method: "PUT",
    url: `${url}/devices/dev/${key}?sig=put${id}`,
    expires: 0,
    headers: { "Content-Length": String(size) },
    check: `${url}/devices/dev/${key}?sig=get${id}`,
  };
}

function setup(options: { settings?: UploadSettings; exclusive?: boolean; files?: Record<string, string> } = {}) {
  const card = new MemoryCard();
  card.dirs.add("/logs");
  const files = options.files ?? { "00000001.log": "first file\n", "00000002.log": "second\n".repeat(300), "00000003.log": "third\n" };
  for (const [name, content] of Object.entries(files)) card.files.set(`/logs/${name}`, content);
  const clock = new ManualClock();
  const log = createLogger({ files: card, clock, sequence: new MemoryRecord<{ next: number }>() });
  /** Every step, in order, as one line each. */
  const steps: string[] = [];
  const events: DeviceEvent[] = [];
  const scripts: Record<string, Script> = {};
  /** Bodies the bucket received, by key. */
  const bucket: Record<string, string> = {};
  let presigns = 0;
  let presignAnswer: (key: string, size: number) => Promise<PresignGrant> = (key, size) => Promise.resolve(grantFor(key, size, presigns));
  const uploader = createUploader({
    files: card,
    log,
    presign: (key, size) => {
      presigns++;
      steps.push(`presign ${key} ${size}`);
      return presignAnswer(key, size);
    },
    openSession: (origin) => {
      steps.push(`open ${origin.authority}`);
      return {
        request: (request: HttpRequest) => {
          const key = request.target.slice("/devices/dev/".length, request.target.indexOf("?"));
          steps.push(`${request.method} ${key}${request.headers?.["Range"] ? " " + request.headers["Range"] : ""}`);
          const scripted = scripts[key]?.[request.method as "PUT" | "GET"];
          if (scripted instanceof Error || scripted === null) return Promise.reject(scripted);
          if (request.method === "PUT") {
            let body = "";
            for (let piece = request.body!.read(request.chunkSize!); piece; piece = request.body!.read(request.chunkSize!)) body += piece;
            if (scripted === undefined) bucket[key] = body;
            return Promise.resolve({ status: 200, headers: { etag: '"e"' }, body: "", ...scripted });
          }
          const size = bucket[key]?.length ?? 0;
          return Promise.resolve({ status: 206, headers: { "content-range": `bytes 0-0/${size}` }, body: "", ...scripted });
        },
        close: () => {
          steps.push("close");
          return Promise.resolve();
        },
      };
    },
    exclusive:
      options.exclusive === false
        ? undefined
        : {
            pause: () => {
              steps.push("pause");
              return Promise.resolve();
            },
            resume: () => steps.push("resume"),
          },
    report: (event) => {
      steps.push(`report ${event.type}`);
      events.push(event);
    },
    now: clock.now,
    settings: { retrySeconds: 60, retryMaxSeconds: 3600, ...options.settings },
  });
  return {
    card,
    clock,
    steps,
    events,
    scripts,
    bucket,
    uploader,
    onPresign: (answer: typeof presignAnswer) => (presignAnswer = answer),
    uploads: () => events.filter((event): event is UploadEvent => event.type === "upload"),
    round: () => events.filter((event): event is RoundEvent => event.type === "round").at(-1),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("an upload round", () => {
  it("asks for every URL, then pauses MQTT, uploads and checks each file on one session, retires it, resumes MQTT, and reports", async () => {
    const { steps, uploader, card, bucket, uploads, round } = setup({ settings: { batch: 2 } });
    expect(await uploader.run()).toBe(true);
    expect(steps).toEqual([
      "presign logs/00000001.log 11",
      "presign logs/00000002.log 2100",
      "pause",
      `open bucket.example:9443`,
      "PUT logs/00000001.log",
      "GET logs/00000001.log bytes=0-0",
      "PUT logs/00000002.log",
      "GET logs/00000002.log bytes=0-0",
      "close",
      "resume",
      "report upload",
      "report upload",
      "report round",
    ]);
    expect(bucket).toEqual({ "logs/00000001.log": "first file\n", "logs/00000002.log": "second\n".repeat(300) });
    expect(card.files.has("/logs/00000001.log")).toBe(false);
    expect(card.files.has("/logs/00000002.log")).toBe(false);
    expect(card.files.has("/logs/00000003.log")).toBe(true);
    expect(uploads()).toEqual([
      { type: "upload", file: "/logs/00000001.log", key: "logs/00000001.log", size: 11, outcome: "stored" },
      { type: "upload", file: "/logs/00000002.log", key: "logs/00000002.log", size: 2100, outcome: "stored" },
    ]);
    expect(round()).toEqual({ type: "round", stored: 2, failed: 0, waiting: 1 });
  });

  it("waits for the last presign answer before pausing MQTT, and uploads only the files that got a URL", async () => {
    const { steps, uploader, onPresign, card, uploads } = setup();
    const answers: ((grant: PresignGrant | string) => void)[] = [];
    onPresign(
      (key, size) =>
        new Promise<PresignGrant>((resolve, reject) => {
          answers.push((answer) => (typeof answer === "string" ? reject(answer) : resolve(answer)));
          void size;
          void key;
        }),
    );
    const running = uploader.run();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(steps.filter((step) => !step.startsWith("presign"))).toEqual([]);
    answers[0]!(grantFor("logs/00000001.log", 11, 1));
    answers[2]!(grantFor("logs/00000003.log", 6, 3));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(steps).not.toContain("pause");
    answers[1]!("presign-timeout");
    await running;
    expect(steps.slice(3, 5)).toEqual(["pause", "open bucket.example:9443"]);
    expect(steps).not.toContain("PUT logs/00000002.log");
    expect(card.files.has("/logs/00000002.log")).toBe(true);
    expect(uploads().map((event) => [event.key, event.outcome, event.reason])).toEqual([
      ["logs/00000001.log", "stored", undefined],
      ["logs/00000002.log", "failed", "presign-timeout"],
      ["logs/00000003.log", "stored", undefined],
    ]);
  });

  it("does not pause MQTT for a plain-HTTP bucket, nor when MQTT does not hold the only TLS session", async () => {
    const plain = setup();
    plain.onPresign((key, size) => Promise.resolve(grantFor(key, size, 1, "http://127.0.0.1:4569")));
    await plain.uploader.run();
    expect(plain.steps).not.toContain("pause");
    expect(plain.steps).toContain("open 127.0.0.1:4569");
    const roomy = setup({ exclusive: false });
    await roomy.uploader.run();
    expect(roomy.steps).not.toContain("pause");
    // All three stored and retired; only the round's own log file is left.
    expect([...roomy.card.files.keys()].filter((path) => path <= "/logs/00000003.log")).toEqual([]);
  });

  it("asks for nothing and reports nothing when no file is closed", async () => {
    const { uploader, steps } = setup({ files: {} });
    expect(await uploader.run()).toBe(false);
    expect(steps).toEqual([]);
  });

  it("runs one round at a time", async () => {
    const { uploader, steps } = setup();
    const first = uploader.run();
    expect(await uploader.run()).toBe(false);
    await first;
    expect(steps.filter((step) => step === "pause")).toHaveLength(1);
  });

  it("uploads an empty file without a size check (there is no byte 0 to ask for)", async () => {
    const { uploader, steps, card, uploads } = setup({ files: { "00000001.log": "" } });
    await uploader.run();
    expect(steps).toContain("PUT logs/00000001.log");
    expect(steps.some((step) => step.startsWith("GET"))).toBe(false);
    expect(card.files.has("/logs/00000001.log")).toBe(false);
    expect(uploads()[0]!.outcome).toBe("stored");
  });

  it("accepts s3rver's answer to the size check: the whole object, with the right total", async () => {
    const { uploader, scripts, card } = setup({ files: { "00000001.log": "0123456789" } });
    scripts["logs/00000001.log"] = { GET: { status: 206, headers: { "content-range": "bytes 0-9/10" } } };
    await uploader.run();
    expect(card.files.has("/logs/00000001.log")).toBe(false);
  });
});

describe("a file is never retired unless the bucket holds all of it", () => {
  const failures: [string, Script, string][] = [
    ["PUT answered 500", { PUT: { status: 500, body: "<Error><Code>InternalError</Code></Error>" } }, "http-500-InternalError"],
    ["PUT refused: URL signed for another size", { PUT: { status: 403, body: BAD_SIGNATURE } }, "http-403-SignatureDoesNotMatch"],
    ["PUT answered 200 without an ETag", { PUT: { status: 200, headers: {} } }, "http-200"],
    ["the connection died during the PUT", { PUT: new Error("connection closed after 512 of 2100 body bytes") }, "network"],
    ["the bucket could not be reached", { PUT: new Error("bucket.example:9443: cannot connect: Unable to create socket") }, "network"],
    ["the size check found no object", { GET: { status: 404, body: "<Error><Code>NoSuchKey</Code></Error>" } }, "http-404-NoSuchKey"],
    ["the size check answered 200 (no range)", { GET: { status: 200 } }, "http-200"],
    ["the stored size is short", { GET: { headers: { "content-range": "bytes 0-0/2099" } } }, "size-mismatch"],
    ["the range does not start at 0", { GET: { headers: { "content-range": "bytes 1-1/2100" } } }, "size-mismatch"],
    ["the size check had no Content-Range", { GET: { headers: {} } }, "size-mismatch"],
    ["the size check timed out", { GET: new Error("bucket.example:9443: no progress for 30000 ms while waiting") }, "network"],
    ["the PUT failed without saying why", { PUT: null }, "network"],
  ];

  it.each(failures)("%s", async (_name, script, reason) => {
    const { uploader, scripts, card, uploads, round, steps } = setup({ files: { "00000002.log": "second\n".repeat(300) } });
    scripts["logs/00000002.log"] = script;
    await uploader.run();
    expect(card.files.get("/logs/00000002.log")).toBe("second\n".repeat(300));
    expect(uploads()).toEqual([{ type: "upload", file: "/logs/00000002.log", key: "logs/00000002.log", size: 2100, outcome: "failed", reason }]);
    expect(round()).toEqual({ type: "round", stored: 0, failed: 1, waiting: 1 });
    // MQTT comes back whatever went wrong.
    expect(steps.slice(-4)).toEqual(["close", "resume", "report upload", "report round"]);
  });

  it("when the presigner refuses or never answers", async () => {
    const { uploader, onPresign, card, uploads, steps } = setup();
    onPresign((key) => Promise.reject(key.endsWith("1.log") ? "presign-too-large: split the file" : "presign-timeout"));
    await uploader.run();
    expect([...card.files.keys()].filter((path) => path <= "/logs/00000003.log")).toHaveLength(3);
    expect(uploads().map((event) => event.reason)).toEqual(["presign-too-large", "presign-timeout", "presign-timeout"]);
    expect(steps).not.toContain("pause");
  });

  it("when MQTT throws instead of taking the presign request", async () => {
    const { uploader, onPresign, card, uploads, steps } = setup({ files: { "00000001.log": "a" } });
    onPresign(() => Promise.reject(new Error("This socket is closed")));
    await uploader.run();
    expect(card.files.has("/logs/00000001.log")).toBe(true);
    expect(uploads()[0]!.reason).toBe("offline");
    expect(steps).not.toContain("pause");
  });

  it("when the file cannot be read from the card", async () => {
    const { uploader, card, uploads, steps } = setup({ files: { "00000001.log": "a" } });
    card.openReader = () => {
      throw new Error("Could not open file : NOT_READY");
    };
    await uploader.run();
    expect(card.files.has("/logs/00000001.log")).toBe(true);
    expect(uploads()[0]!.reason).toBe("card");
    expect(steps).not.toContain("PUT logs/00000001.log");
  });

  it("when moving it to /sent fails half-way, the original stays and the partial copy is replaced next time", async () => {
    const { uploader, card, uploads, clock } = setup({ settings: { retire: "move" }, files: { "00000001.log": "x".repeat(5000) } });
    const append = card.append.bind(card);
    let failNext = true;
    card.append = (path, data) => {
      if (path.startsWith("/sent/") && failNext && (card.files.get(path)?.length ?? 0) > 0) {
        failNext = false;
        throw new Error("Could not open file : DISK_FULL");
      }
      append(path, data);
    };
    await uploader.run();
    expect(uploads()[0]!.reason).toBe("retire");
    expect(card.files.get("/logs/00000001.log")).toBe("x".repeat(5000));
    clock.advance(3600_000);
    await uploader.run();
    expect(card.files.has("/logs/00000001.log")).toBe(false);
    expect(card.files.get("/sent/00000001.log")).toBe("x".repeat(5000));
    expect(uploads()[1]!.outcome).toBe("stored");
  });
});

describe("retrying", () => {
  it("asks again at once, with a fresh URL, when the store says the URL expired (AWS and s3rver wording, and RGW's empty one)", async () => {
    for (const body of [S3RVER_EXPIRED, RGW_EXPIRED]) {
      const { uploader, scripts, card, uploads, steps } = setup({ files: { "00000001.log": "a" } });
      scripts["logs/00000001.log"] = { PUT: { status: 403, body } };
      await uploader.run();
      expect(uploads()[0]!.reason).toBe("expired");
      delete scripts["logs/00000001.log"];
      // No backoff: the very next round asks for a new URL and uploads.
      expect(await uploader.run()).toBe(true);
      expect(steps.filter((step) => step.startsWith("presign"))).toHaveLength(2);
      expect(card.files.has("/logs/00000001.log")).toBe(false);
      expect(uploads()[1]!.outcome).toBe("stored");
    }
  });

  it("backs a failed file off, doubling to the cap, while other files go on", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const { uploader, scripts, clock, steps } = setup({ settings: { retrySeconds: 10, retryMaxSeconds: 35 }, files: { "00000001.log": "a", "00000002.log": "b" } });
    scripts["logs/00000001.log"] = { PUT: { status: 500 } };
    const attempts = () => steps.filter((step) => step === "presign logs/00000001.log 1").length;
    await uploader.run(); // fails: next try after 10 s
    expect(attempts()).toBe(1);
    expect(await uploader.run()).toBe(false);
    for (const wait of [10, 20, 35, 35]) {
      clock.advance(wait * 1000 - 1);
      expect(await uploader.run()).toBe(false);
      clock.advance(1);
      expect(await uploader.run()).toBe(true);
    }
    expect(attempts()).toBe(5);
    // The other file went on the first round.
    expect(steps.filter((step) => step === "PUT logs/00000002.log")).toHaveLength(1);
  });

  it("jitters the wait by up to half, so a fleet does not retry in step", async () => {
    vi.spyOn(Math, "random").mockReturnValue(1);
    const { uploader, scripts, clock } = setup({ settings: { retrySeconds: 10 }, files: { "00000001.log": "a" } });
    scripts["logs/00000001.log"] = { PUT: { status: 500 } };
    await uploader.run();
    clock.advance(5000 - 1);
    expect(await uploader.run()).toBe(false);
    clock.advance(1);
    expect(await uploader.run()).toBe(true);
  });

  it("forgets the backoff once the file is stored", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const { uploader, scripts, clock, card, events } = setup({ settings: { retrySeconds: 10 }, files: { "00000001.log": "a" } });
    scripts["logs/00000001.log"] = { PUT: { status: 500 } };
    await uploader.run();
    delete scripts["logs/00000001.log"];
    clock.advance(10_000);
    await uploader.run();
    expect(card.files.has("/logs/00000001.log")).toBe(false);
    // A new file with the same name (Storage and card wiped) is not held back by the old failures.
    card.files.set("/logs/00000001.log", "again");
    expect(await uploader.run()).toBe(true);
    expect(events.filter((event) => event.type === "upload").at(-1)).toMatchObject({ outcome: "stored" });
  });
});
