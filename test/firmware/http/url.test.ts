// URL parsing for the device: presigned URLs must reach the request line and
// the Host header exactly as they were signed.
import { describe, expect, it } from "vitest";
import { parseUrl } from "../../../firmware/src/http/url.js";

const PRESIGNED =
  "https://127.0.0.1:7481/ferry-logs/dev-1/logs/2026-11-21%2015%3A00.log?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
  "&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&X-Amz-Credential=FERRY0123%2F20261121%2Fus-east-1%2Fs3%2Faws4_request" +
  "&X-Amz-Date=20261121T150000Z&X-Amz-Expires=300&X-Amz-Signature=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0" +
  "&X-Amz-SignedHeaders=content-length%3Bhost&x-id=PutObject";

describe("parseUrl", () => {
  it("keeps a presigned URL's path and query byte for byte, %-escapes included", () => {
    const url = parseUrl(PRESIGNED);
    expect(url).toEqual({
      tls: {},
      host: "127.0.0.1",
      port: 7481,
      authority: "127.0.0.1:7481",
      target: PRESIGNED.slice("https://127.0.0.1:7481".length),
    });
  });

  it("uses the scheme's port and keeps the authority as written, without one; TLS (with no client credentials) for https", () => {
    expect(parseUrl("https://bucket.s3.eu-west-1.amazonaws.com/key?x=1")).toEqual({
      tls: {},
      host: "bucket.s3.eu-west-1.amazonaws.com",
      port: 443,
      authority: "bucket.s3.eu-west-1.amazonaws.com",
      target: "/key?x=1",
    });
    expect(parseUrl("HTTP://example.com")).toEqual({ tls: undefined, host: "example.com", port: 80, authority: "example.com", target: "/" });
    expect(parseUrl("http://example.com:8080")).toMatchObject({ port: 8080, authority: "example.com:8080", target: "/" });
  });

  it("starts the target with / when the URL has a query but no path, and drops the fragment", () => {
    expect(parseUrl("http://h?a=1").target).toBe("/?a=1");
    expect(parseUrl("http://h/p?a=1#frag").target).toBe("/p?a=1");
    expect(parseUrl("http://h#frag").target).toBe("/");
  });

  it("refuses what it cannot handle, saying what is wrong", () => {
    const cases: [string, string][] = [
      ["ftp://h/x", "not http(s)"],
      ["h/x", "not http(s)"],
      // No "://" at all: the scheme is empty, not the text less its last byte.
      ["httpsX", "not http(s)"],
      ["https:///x", "no host"],
      ["https://user:pw@h/x", "bad port"],
      ["https://[::1]:443/x", "bad port"],
      ["https://h:80:81/x", "bad port"],
      ["https://h:0/x", "bad port"],
      ["https://h:65536/x", "bad port"],
      ["https://h:/x", "bad port"],
      ["https://h:+80/x", "bad port"],
      ["https://h/a b", "byte 32 at 11 is not %-escaped"],
      ["https://h/a\r\nHost: evil", "byte 13 at 11 is not %-escaped"],
      ["https://h/caf\xe9", "byte 233 at 13 is not %-escaped"],
    ];
    for (const [url, message] of cases) {
      expect(() => parseUrl(url), url).toThrow(`bad URL ${url.slice(0, 50)}: ${message}`);
    }
  });
});
