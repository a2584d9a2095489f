// The shared device/service schema (firmware/src/protocol), as pure functions.
import { describe, expect, it } from "vitest";
import { presignMacInput } from "../../firmware/src/protocol/hmac-input.js";
import { keyProblem, uploadObjectKey } from "../../firmware/src/protocol/keys.js";
import { parsePresignRequest, presignRequestJson, recoverRequestId, type PresignRequest } from "../../firmware/src/protocol/presign.js";
import { parsePresignReply, presignGrant, presignRefusal, presignReplyJson } from "../../firmware/src/protocol/presign-reply.js";
import { isDeviceId, presignFilter, presignReplyTopic, presignTopic, presignTopicDevice } from "../../firmware/src/protocol/topics.js";

const LAYOUT = { devicesPrefix: "devices", releasesPrefix: "releases" };
const LIMITS = { maxUploadBytes: 1000 };
const parse = (text: string) => parsePresignRequest(text, LIMITS, LAYOUT);

describe("presign requests", () => {
  const accepted: [string, PresignRequest][] = [
    ['{"id":"a1","op":"put","key":"logs/1.log","size":0}', { id: "a1", op: "put", key: "logs/1.log", size: 0 }],
    ['{"id":"a2","op":"put","key":"logs/1.log","size":1000}', { id: "a2", op: "put", key: "logs/1.log", size: 1000 }],
    ['{"id":"A_b-9","op":"get","key":"app/v2.js"}', { id: "A_b-9", op: "get", key: "app/v2.js" }],
    ['{"key":"m.json","op":"head","id":"h"}', { id: "h", op: "head", key: "m.json" }],
    [`{"id":"${"x".repeat(32)}","op":"get","key":"a"}`, { id: "x".repeat(32), op: "get", key: "a" }],
  ];
  for (const [text, request] of accepted) {
    it(`accepts ${text}`, () => {
      expect(parse(text)).toEqual({ ok: true, request });
      expect(parse(presignRequestJson(request))).toEqual({ ok: true, request });
    });
  }

  const refused: [string, string, string][] = [
    ["{", "", "bad-json"],
    ['{"id":"r1","op":"put"', "r1", "bad-json"],
    ["null", "", "bad-request"],
    ['"text"', "", "bad-request"],
    ["[]", "", "bad-request"],
    ['{"op":"get","key":"a"}', "", "bad-request"],
    ['{"id":"","op":"get","key":"a"}', "", "bad-request"],
    [`{"id":"${"x".repeat(33)}","op":"get","key":"a"}`, "", "bad-request"],
    ['{"id":"a.b","op":"get","key":"a"}', "", "bad-request"],
    ['{"id":7,"op":"get","key":"a"}', "", "bad-request"],
    ['{"id":"r","key":"a"}', "r", "bad-request"],
    ['{"id":"r","op":"GET","key":"a"}', "r", "unknown-op"],
    ['{"id":"r","op":"delete","key":"a"}', "r", "unknown-op"],
    ['{"id":"r","op":3,"key":"a"}', "r", "unknown-op"],
    ['{"id":"r","op":"get"}', "r", "bad-request"],
    ['{"id":"r","op":"get","key":5}', "r", "bad-request"],
    ['{"id":"r","op":"get","key":"a","size":1}', "r", "bad-request"],
    ['{"id":"r","op":"put","key":"a"}', "r", "bad-request"],
    ['{"id":"r","op":"put","key":"a","size":"10"}', "r", "bad-request"],
    ['{"id":"r","op":"put","key":"a","size":-1}', "r", "bad-request"],
    ['{"id":"r","op":"put","key":"a","size":2.5}', "r", "bad-request"],
    ['{"id":"r","op":"put","key":"a","size":1001}', "r", "too-large"],
    ['{"id":"r","op":"put","key":"a","size":1e300}', "r", "too-large"],
    ['{"id":"r","op":"get","key":"a","extra":true}', "r", "bad-request"],
    ['{"id":"r","op":"get","key":""}', "r", "bad-key"],
    ['{"id":"r","op":"get","key":"/etc/passwd"}', "r", "bad-key"],
  ];
  for (const [text, id, error] of refused) {
    it(`refuses ${text} with ${error}`, () => {
      const parsed = parse(text);
      expect(parsed).toMatchObject({ ok: false, id, error });
      expect(parsed.ok === false && parsed.message).toMatch(/\w{3,}.*\w{3,}/);
    });
  }

  it("recovers an id cheaply from broken or oversized text", () => {
    expect(recoverRequestId('{"id":"abc-1","op":"put","key":')).toBe("abc-1");
    expect(recoverRequestId('{ "id" : "abc-2" }')).toBe("abc-2");
    expect(recoverRequestId('{"op":"put","id":"late"}')).toBe("late");
    expect(recoverRequestId('{"id":"has space"}')).toBe("");
    expect(recoverRequestId('{"id":42}')).toBe("");
    expect(recoverRequestId('{"id":"unterminated')).toBe("");
    expect(recoverRequestId("nothing here")).toBe("");
  });
});

describe("relative keys", () => {
  const refused: [string, RegExp][] = [
    ["", /empty/],
    ["x".repeat(257), /257 characters/],
    ["/abs/path", /starts with "\/"/],
    ["a\\b", /backslash/],
    ["a//b", /empty folder/],
    ["a/", /empty folder/],
    ["./a", /"\." segment/],
    ["a/../b", /"\.\." segment/],
    ["..", /"\.\." segment/],
    ["a\nb", /control/],
    ["a\u0000b", /control/],
    ["caf\u00e9", /non-ASCII/],
    ["devices", /service's own folder/],
    ["devices/dev-b/x", /service's own folder/],
    ["releases/app.js", /service's own folder/],
  ];
  for (const [key, says] of refused) {
    it(`refuses ${JSON.stringify(key.length > 40 ? `${key.slice(0, 10)}...` : key)}`, () => {
      expect(keyProblem(key, LAYOUT)).toMatch(says);
    });
  }

  for (const key of ["logs/2024-05-01.log", "a", "x".repeat(256), "devices-old/x", "my releases/x", "a.b/..c/d..", "uploads/${filename}"]) {
    it(`accepts ${JSON.stringify(key.length > 40 ? `${key.slice(0, 10)}...` : key)}`, () => {
      expect(keyProblem(key, LAYOUT)).toBeUndefined();
    });
  }

  it("maps uploads under the device's folder", () => {
    expect(uploadObjectKey(LAYOUT, "dev-a", "logs/1.log")).toBe("devices/dev-a/logs/1.log");
  });
});

describe("topics", () => {
  it("are built under the prefix and the device id", () => {
    expect(presignTopic("ferry", "dev-a")).toBe("ferry/dev-a/presign");
    expect(presignReplyTopic("fleet/eu", "dev-a")).toBe("fleet/eu/dev-a/presign/reply");
    expect(presignFilter("ferry")).toBe("ferry/+/presign");
  });

  it("give back the device id of a presign request, and nothing for any other topic", () => {
    expect(presignTopicDevice("ferry", "ferry/dev-a/presign")).toBe("dev-a");
    expect(presignTopicDevice("fleet/eu", "fleet/eu/x_1/presign")).toBe("x_1");
    for (const topic of ["ferry/dev-a/presign/reply", "ferry//presign", "ferry/a/b/presign", "other/dev-a/presign", "ferry/dev a/presign", "ferry/presign"]) {
      expect(presignTopicDevice("ferry", topic), topic).toBeUndefined();
    }
  });

  it("accept only plain device ids", () => {
    expect(isDeviceId("dev-A_9")).toBe(true);
    for (const id of ["", "a/b", "+", "#", "a.b", "..", "x".repeat(65), "é"]) expect(isDeviceId(id), id).toBe(false);
  });
});

describe("replies", () => {
  const put: PresignRequest = { id: "p1", op: "put", key: "logs/1.log", size: 42 };
  const grant = presignGrant(put, "https://s3.example/b/devices/d/logs/1.log?sig", 1700000000, "https://s3.example/b/devices/d/logs/1.log?get");

  it("round-trip through the device's parser", () => {
    const text = presignReplyJson(grant, "ab".repeat(32));
    expect(Object.keys(JSON.parse(text) as object)).toEqual(["id", "ok", "op", "key", "method", "url", "expires", "headers", "check", "mac"]);
    expect(parsePresignReply(text)).toEqual({ ...grant, mac: "ab".repeat(32) });
    const refusal = presignRefusal("p2", "bad-key", "no");
    expect(parsePresignReply(presignReplyJson(refusal, "00"))).toEqual({ ...refusal, mac: "00" });
  });

  it("are refused by the device when they carry what the MAC does not cover", () => {
    const wire = JSON.parse(presignReplyJson(grant, "cd".repeat(32))) as Record<string, unknown>;
    const variants: Record<string, unknown>[] = [
      { ...wire, headers: { "Content-Length": "42", "Transfer-Encoding": "chunked" } },
      { ...wire, headers: {} },
      { ...wire, check: undefined },
      { ...wire, method: "GET" },
      { ...wire, key: "a\nb" },
      { ...wire, ok: "true" },
      { ...wire, mac: undefined },
      { ...wire, op: "get" },
    ];
    for (const variant of variants) expect(parsePresignReply(JSON.stringify(variant)), JSON.stringify(variant)).toBeUndefined();
    expect(parsePresignReply("not json")).toBeUndefined();
  });

  it("have a MAC input of fixed lines", () => {
    expect(presignMacInput("dev-a", grant)).toBe(
      [
        "ferry-presign-v1",
        "dev-a",
        "p1",
        "true",
        "put",
        "logs/1.log",
        "PUT",
        "https://s3.example/b/devices/d/logs/1.log?sig",
        "1700000000",
        "42",
        "https://s3.example/b/devices/d/logs/1.log?get",
      ].join("\n"),
    );
    const get = presignGrant({ id: "g1", op: "get", key: "app.js" }, "https://u", 5, undefined);
    expect(presignMacInput("d", get)).toBe("ferry-presign-v1\nd\ng1\ntrue\nget\napp.js\nGET\nhttps://u\n5\n\n");
    expect(presignMacInput("d", presignRefusal("", "bad-json", "say it again"))).toBe("ferry-presign-v1\nd\n\nfalse\nbad-json\nsay it again");
  });
});
