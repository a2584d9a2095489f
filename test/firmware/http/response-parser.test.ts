// The device's HTTP response parser, fed byte fixtures split at every offset:
// a socket may deliver any fragmentation, and the result must not depend on it.
import { describe, expect, it } from "vitest";
import { responseParser, type HttpResponse } from "../../../firmware/src/http/response-parser.js";
import * as responses from "./responses.js";

interface Parsed {
  response: HttpResponse;
  /** What feed() returned after each piece, then what eof() returned when asked for. */
  complete: boolean[];
  error?: string;
}

/** Feeds the pieces in order, then (when `eof`) reports the connection closed. */
function parse(pieces: string[], options: { eof?: boolean; keep?: number } = {}): Parsed {
  const response: HttpResponse = { status: 0, headers: {}, body: "" };
  const parsed: Parsed = { response, complete: [] };
  const parser = responseParser(response, options.keep ?? 100_000);
  try {
    for (const piece of pieces) parsed.complete.push(parser.feed(piece));
    if (options.eof) parsed.complete.push(parser.eof());
  } catch (error) {
    parsed.error = (error as Error).message;
  }
  return parsed;
}

/** Whether the response was complete after the last piece. */
function ended(parsed: Parsed): boolean {
  return parsed.complete[parsed.complete.length - 1] === true;
}

/** The same bytes whole, split in two at every offset, and one byte at a time. */
function everySplit(bytes: string): string[][] {
  const splits = [[bytes], bytes.split("")];
  for (let at = 1; at < bytes.length; at++) splits.push([bytes.slice(0, at), bytes.slice(at)]);
  return splits;
}

/** Parses every split; each must give the same response and error, and be complete after the same last byte. */
function expectSameForEverySplit(bytes: string, options: { eof?: boolean; keep?: number } = {}): Parsed {
  const whole = parse([bytes], options);
  for (const pieces of everySplit(bytes)) {
    const parsed = parse(pieces, options);
    expect({ response: parsed.response, error: parsed.error, ended: ended(parsed) }).toEqual({ response: whole.response, error: whole.error, ended: ended(whole) });
    // Complete only once the last byte is in: never early.
    expect(parsed.complete.slice(0, -1).every((complete) => !complete)).toBe(true);
  }
  return whole;
}

describe("the response parser on S3 answers", () => {
  it("reads RGW's answer to a PUT: status, headers by lower-case name, empty body, complete without waiting for close", () => {
    const parsed = expectSameForEverySplit(responses.RGW_PUT_OK);
    expect(parsed.error).toBeUndefined();
    expect(ended(parsed)).toBe(true);
    const { response } = parsed;
    expect(response.status).toBe(200);
    expect(response.headers.etag).toBe('"781e5e245d69b566979b86e28d23f2c7"');
    expect(response.headers.connection).toBe("close");
    expect(response.headers["x-amz-request-id"]).toBe("tx0000017c924a7cde6ea9c-006b01b872-100c-default");
    expect(response.body).toBe("");
  });

  it("reads a 206 with exactly Content-Length bytes of content", () => {
    const parsed = expectSameForEverySplit(responses.RGW_RANGE);
    expect(parsed.response.status).toBe(206);
    expect(parsed.response.headers["content-range"]).toBe("bytes 0-0/10");
    expect(parsed.response.body).toBe("0");
    expect(ended(parsed)).toBe(true);
  });

  it("reads a 403 with its XML error body", () => {
    const parsed = expectSameForEverySplit(responses.RGW_SIGNATURE_MISMATCH);
    expect(parsed.response.status).toBe(403);
    expect(parsed.response.body).toBe(responses.RGW_SIGNATURE_MISMATCH_BODY);
    expect(ended(parsed)).toBe(true);
  });

  it("keeps the first `keep` bytes of the content and reads the rest to the end", () => {
    const parsed = expectSameForEverySplit(responses.RGW_SIGNATURE_MISMATCH, { keep: 20 });
    expect(parsed.response.body).toBe(responses.RGW_SIGNATURE_MISMATCH_BODY.slice(0, 20));
    expect(ended(parsed)).toBe(true);
    const chunked = expectSameForEverySplit(responses.CHUNKED, { keep: 7 });
    expect(chunked.response.body).toBe("helloab");
    expect(ended(chunked)).toBe(true);
  });
});

describe("the response parser on HTTP/1.1 framing", () => {
  it("decodes chunked content, ignoring chunk extensions and reading past trailer fields", () => {
    const parsed = expectSameForEverySplit(responses.CHUNKED);
    expect(parsed.error).toBeUndefined();
    expect(parsed.response.body).toBe("helloabcdefghijklmnopqrstuvwxyz");
    expect(ended(parsed)).toBe(true);
    expect(parsed.response.headers.expires).toBeUndefined();
  });

  it("skips 100 Continue and other interim answers: status and headers are the final response's", () => {
    const parsed = expectSameForEverySplit(responses.CONTINUE_THEN_OK);
    expect(parsed.response.status).toBe(200);
    expect(parsed.response.headers).toEqual({ "content-length": "2" });
    expect(parsed.response.body).toBe("ok");
    // Status stays 0 through an interim answer: the session goes on uploading.
    const interim = parse(["HTTP/1.1 100 Continue\r\n\r\n"]);
    expect(interim.error).toBeUndefined();
    expect(interim.response.status).toBe(0);
    expect(ended(interim)).toBe(false);
  });

  it("takes no content for 204 and 304 whatever their Content-Length says", () => {
    for (const bytes of [responses.NO_CONTENT, responses.NOT_MODIFIED]) {
      const parsed = expectSameForEverySplit(bytes);
      expect(ended(parsed)).toBe(true);
      expect(parsed.response.body).toBe("");
    }
  });

  it("reads content until the connection closes when there is no length, and accepts bare LF line ends", () => {
    const open = parse([responses.UNTIL_CLOSE]);
    expect(ended(open)).toBe(false);
    expect(open.response.body).toBe("line one\nline two\n");
    const parsed = expectSameForEverySplit(responses.UNTIL_CLOSE, { eof: true });
    expect(parsed.error).toBeUndefined();
    expect(ended(parsed)).toBe(true);
    expect(parsed.response.headers["content-type"]).toBe("text/plain");
    expect(parsed.response.body).toBe("line one\nline two\n");
  });

  it("keeps a repeated field's last value, matches names in any case, trims values and keeps binary content intact", () => {
    const parsed = expectSameForEverySplit(responses.REPEATED_FIELDS);
    expect(parsed.response.headers).toEqual({ "set-thing": "c", "content-length": "3", "x-empty": "" });
    expect(parsed.response.body).toBe("\x00\xff\x80");
  });

  it("lets Transfer-Encoding win over Content-Length", () => {
    const bytes = responses.response(["HTTP/1.1 200 OK", "Content-Length: 100", "Transfer-Encoding: chunked"], "2\r\nab\r\n0\r\n\r\n");
    const parsed = expectSameForEverySplit(bytes);
    expect(parsed.response.body).toBe("ab");
    expect(ended(parsed)).toBe(true);
  });
});

describe("the response parser refuses", () => {
  const cases: [string, string, string][] = [
    ["a status line that is not HTTP/1.x", "HTTP/2 200 OK\r\n\r\n", "bad HTTP response: HTTP/2 200 OK"],
    ["a status code that is not three digits", "HTTP/1.1 2000 OK\r\n\r\n", "bad HTTP response: HTTP/1.1 2000 OK"],
    ["a status code below 100", "HTTP/1.1 099 Odd\r\n\r\n", "bad HTTP response: HTTP/1.1 099 Odd"],
    ["a header line without a colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", "bad HTTP response: broken"],
    ["a space before the colon", "HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\n", "bad HTTP response: Content-Length : 1"],
    ["obsolete line folding", "HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\n\r\n", "bad HTTP response:   folded"],
    ["obsolete line folding that holds a colon", "HTTP/1.1 200 OK\r\nX-A: 1\r\n Content-Length: 5\r\n\r\n", "bad HTTP response:  Content-Length: 5"],
    ["a Content-Length that is not a number", "HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n", "bad HTTP response: Content-Length 1e3"],
    ["a negative Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "bad HTTP response: Content-Length -1"],
    ["a chunk size that is not hex", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad HTTP response: zz"],
    ["a chunk longer than its size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "bad HTTP response: chunk overrun"],
    ["bytes after the response", responses.RGW_PUT_OK + "HTTP/1.1 200 OK\r\n", "bad HTTP response: extra data"],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, () => {
      for (const pieces of everySplit(bytes)) expect(parse(pieces).error).toBe(message);
    });
  }

  it("to call a response complete when the connection closes before it or in the middle of it", () => {
    expect(parse([], { eof: true }).complete).toEqual([false]);
    const cut = responses.RGW_RANGE.slice(0, -1);
    for (let at = 1; at <= cut.length; at++) {
      const parsed = parse([cut.slice(0, at)], { eof: true });
      expect(parsed.error).toBeUndefined();
      expect(ended(parsed)).toBe(false);
    }
    expect(ended(parse([responses.CHUNKED.slice(0, -2)], { eof: true }))).toBe(false);
    // A close after a complete response (an idle connection ending) leaves it complete.
    expect(parse([responses.RGW_PUT_OK], { eof: true }).complete).toEqual([true, true]);
  });

  it("a line over 1024 bytes, before buffering it all", () => {
    // "X-Long: " and CRLF around the value: 1024 bytes in all.
    const long = "HTTP/1.1 200 OK\r\nX-Long: " + "a".repeat(1014) + "\r\n\r\n";
    expect(parse([long]).error).toBeUndefined();
    const tooLong = "HTTP/1.1 200 OK\r\nX-Long: " + "a".repeat(1017);
    // No line end yet: the parser must not wait for one.
    expect(parse([tooLong]).error).toBe("bad HTTP response: line or head too long");
    const chunkSize = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + "x".repeat(1023);
    expect(parse([chunkSize]).error).toBe("bad HTTP response: line or head too long");
  });

  it("a head over 4096 bytes, even made of short lines, interim answers included", () => {
    const fields = Array.from({ length: 202 }, (_, i) => `X-Field-${String(i).padStart(3, "0")}: value`);
    // 17 bytes of status line, 20 per field with its CRLF, 19 of Content-Length, 2 of the empty line: 4078 and the padding.
    const head = (padding: number) => responses.response(["HTTP/1.1 200 OK", ...fields, "X-Pad: " + "p".repeat(padding), "Content-Length: 0"]);
    expect(head(9).length).toBe(4096);
    expect(parse([head(9)]).error).toBeUndefined();
    expect(parse([head(10)]).error).toBe("bad HTTP response: line or head too long");
    // Two interim heads of 2045 bytes each and a short final one: each fits alone, not together.
    const interim = responses.response(["HTTP/1.1 100 Continue", ...fields.slice(0, 101)]);
    expect(parse([interim + interim + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"]).error).toBe("bad HTTP response: line or head too long");
  });

  it("trailers past the head limit", () => {
    const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const trailers = Array.from({ length: 200 }, (_, i) => `X-Trailer-${String(i).padStart(3, "0")}: value\r\n`).join("");
    expect(parse([head + "0\r\n" + trailers.slice(0, 2000) + "\r\n"]).error).toBeUndefined();
    expect(parse([head + "0\r\n" + trailers + "\r\n"]).error).toBe("bad HTTP response: line or head too long");
  });
});
