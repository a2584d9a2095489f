// The device's HTTP response parser, fed byte fixtures split at every offset:
// a socket may deliver any fragmentation, and the result must not depend on it.
import { describe, expect, it } from "vitest";
import { responseParser, type Headers, type ParserLimits } from "../../../firmware/src/http/response-parser.js";
import * as responses from "./responses.js";

interface Parsed {
  heads: { status: number; headers: Headers }[];
  body: string;
  ended: boolean;
  error?: string;
}

/** Feeds the pieces in order, then (when `eof`) reports the connection closed. */
function parse(pieces: string[], options: { noBody?: boolean; eof?: boolean; limits?: ParserLimits } = {}): Parsed {
  const parsed: Parsed = { heads: [], body: "", ended: false };
  const parser = responseParser(
    {
      head: (status, headers) => parsed.heads.push({ status, headers }),
      body: (chunk) => {
        expect(parsed.ended).toBe(false);
        parsed.body += chunk;
      },
      end: () => {
        expect(parsed.ended).toBe(false);
        parsed.ended = true;
      },
    },
    options.noBody ?? false,
    options.limits,
  );
  try {
    for (const piece of pieces) parser.feed(piece);
    if (options.eof) parser.end();
  } catch (error) {
    parsed.error = (error as Error).message;
  }
  return parsed;
}

/** The same bytes whole, split in two at every offset, and one byte at a time. */
function everySplit(bytes: string): string[][] {
  const splits = [[bytes], bytes.split("")];
  for (let at = 1; at < bytes.length; at++) splits.push([bytes.slice(0, at), bytes.slice(at)]);
  return splits;
}

function expectSameForEverySplit(bytes: string, options: { noBody?: boolean; eof?: boolean; limits?: ParserLimits } = {}): Parsed {
  const whole = parse([bytes], options);
  for (const pieces of everySplit(bytes)) expect(parse(pieces, options)).toEqual(whole);
  return whole;
}

describe("the response parser on S3 answers", () => {
  it("reads RGW's answer to a PUT: status, headers by lower-case name, empty body, done without waiting for close", () => {
    const parsed = expectSameForEverySplit(responses.RGW_PUT_OK);
    expect(parsed.error).toBeUndefined();
    expect(parsed.ended).toBe(true);
    expect(parsed.heads).toHaveLength(1);
    const [head] = parsed.heads;
    expect(head!.status).toBe(200);
    expect(head!.headers.etag).toBe('"781e5e245d69b566979b86e28d23f2c7"');
    expect(head!.headers.connection).toBe("close");
    expect(head!.headers["x-amz-request-id"]).toBe("tx0000017c924a7cde6ea9c-006b01b872-100c-default");
    expect(parsed.body).toBe("");
  });

  it("reads a 206 with exactly Content-Length bytes of content", () => {
    const parsed = expectSameForEverySplit(responses.RGW_RANGE);
    expect(parsed.heads[0]!.status).toBe(206);
    expect(parsed.heads[0]!.headers["content-range"]).toBe("bytes 0-0/10");
    expect(parsed.body).toBe("0");
    expect(parsed.ended).toBe(true);
  });

  it("reads a 403 with its XML error body", () => {
    const parsed = expectSameForEverySplit(responses.RGW_SIGNATURE_MISMATCH);
    expect(parsed.heads[0]!.status).toBe(403);
    expect(parsed.body).toBe(responses.RGW_SIGNATURE_MISMATCH_BODY);
    expect(parsed.ended).toBe(true);
  });

  it("takes no content after the head of an answer to HEAD, whatever its Content-Length says", () => {
    const parsed = expectSameForEverySplit(responses.RGW_HEAD, { noBody: true });
    expect(parsed.heads[0]!.headers["content-length"]).toBe("10");
    expect(parsed.ended).toBe(true);
    expect(parsed.body).toBe("");
    // Without the HEAD flag the same bytes are a response still waiting for 10 bytes.
    const asGet = parse([responses.RGW_HEAD]);
    expect(asGet.ended).toBe(false);
  });
});

describe("the response parser on HTTP/1.1 framing", () => {
  it("decodes chunked content, ignoring chunk extensions and reading past trailer fields", () => {
    const parsed = expectSameForEverySplit(responses.CHUNKED);
    expect(parsed.error).toBeUndefined();
    expect(parsed.body).toBe("helloabcdefghijklmnopqrstuvwxyz");
    expect(parsed.ended).toBe(true);
    expect(parsed.heads[0]!.headers.expires).toBeUndefined();
  });

  it("skips 100 Continue and other interim answers and reports only the final response", () => {
    const parsed = expectSameForEverySplit(responses.CONTINUE_THEN_OK);
    expect(parsed.heads.map((head) => head.status)).toEqual([200]);
    expect(parsed.heads[0]!.headers["x-step"]).toBeUndefined();
    expect(parsed.body).toBe("ok");
  });

  it("takes no content for 204 and 304 whatever their Content-Length says", () => {
    for (const bytes of [responses.NO_CONTENT, responses.NOT_MODIFIED]) {
      const parsed = expectSameForEverySplit(bytes);
      expect(parsed.ended).toBe(true);
      expect(parsed.body).toBe("");
    }
  });

  it("reads content until the connection closes when there is no length, and accepts bare LF line ends", () => {
    const open = parse([responses.UNTIL_CLOSE]);
    expect(open.ended).toBe(false);
    expect(open.body).toBe("line one\nline two\n");
    const parsed = expectSameForEverySplit(responses.UNTIL_CLOSE, { eof: true });
    expect(parsed.error).toBeUndefined();
    expect(parsed.ended).toBe(true);
    expect(parsed.heads[0]!.headers["content-type"]).toBe("text/plain");
    expect(parsed.body).toBe("line one\nline two\n");
  });

  it("joins repeated fields, matches names in any case, trims values and keeps binary content intact", () => {
    const parsed = expectSameForEverySplit(responses.REPEATED_FIELDS);
    expect(parsed.heads[0]!.headers).toEqual({ "set-thing": "a, b, c", "content-length": "3", "x-empty": "" });
    expect(parsed.body).toBe("\x00\xff\x80");
  });

  it("lets Transfer-Encoding win over Content-Length", () => {
    const bytes = responses.response(["HTTP/1.1 200 OK", "Content-Length: 100", "Transfer-Encoding: chunked"], "2\r\nab\r\n0\r\n\r\n");
    const parsed = expectSameForEverySplit(bytes);
    expect(parsed.body).toBe("ab");
    expect(parsed.ended).toBe(true);
  });
});

describe("the response parser refuses", () => {
  const cases: [string, string, string][] = [
    ["a status line that is not HTTP/1.x", "HTTP/2 200 OK\r\n\r\n", "bad HTTP response: HTTP/2 200 OK"],
    ["a status code that is not three digits", "HTTP/1.1 2000 OK\r\n\r\n", "bad HTTP response: HTTP/1.1 2000 OK"],
    ["a header line without a colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", "bad HTTP response: broken"],
    ["a space before the colon", "HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\n", "bad HTTP response: Content-Length : 1"],
    ["obsolete line folding", "HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\n\r\n", "bad HTTP response:   folded"],
    ["a Content-Length that is not a number", "HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n", "bad HTTP response: Content-Length 1e3"],
    ["a negative Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "bad HTTP response: Content-Length -1"],
    ["a chunk size that is not hex", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad HTTP response: zz"],
    ["a chunk longer than its size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "bad HTTP response: chunk overrun"],
    ["a switch of protocols", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", "bad HTTP response: status 101"],
    ["bytes after the response", responses.RGW_PUT_OK + "HTTP/1.1 200 OK\r\n", "bad HTTP response: extra data"],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, () => {
      for (const pieces of everySplit(bytes)) expect(parse(pieces).error).toBe(message);
    });
  }

  it("a connection that closes before the response or in the middle of it", () => {
    expect(parse([], { eof: true }).error).toBe("connection closed before a response");
    const cut = responses.RGW_RANGE.slice(0, -1);
    for (let at = 1; at <= cut.length; at++) {
      expect(parse([cut.slice(0, at)], { eof: true }).error).toBe("connection closed mid-response");
    }
    const chunked = responses.CHUNKED.slice(0, -2);
    expect(parse([chunked], { eof: true }).error).toBe("connection closed mid-response");
  });

  it("a line longer than the line limit, before buffering it all", () => {
    const limits = { line: 64, head: 4096 };
    const long = "HTTP/1.1 200 OK\r\nX-Long: " + "a".repeat(40) + "\r\n\r\n";
    expect(parse([long], { limits }).error).toBeUndefined();
    const tooLong = "HTTP/1.1 200 OK\r\nX-Long: " + "a".repeat(100);
    // No line end yet: the parser must not wait for one.
    expect(parse([tooLong], { limits }).error).toBe("bad HTTP response: line over 64 bytes");
    const chunkLine = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + "x".repeat(100);
    expect(parse([chunkLine], { limits }).error).toBe("bad HTTP response: line over 64 bytes");
  });

  it("a head larger than the head limit, even made of short lines", () => {
    const limits = { line: 64, head: 200 };
    const fields = Array.from({ length: 20 }, (_, i) => `X-Field-${i}: value`);
    const bytes = responses.response(["HTTP/1.1 200 OK", ...fields, "Content-Length: 0"]);
    expect(parse([bytes], { limits }).error).toBe("bad HTTP response: head over 200 bytes");
    expect(parse([bytes]).error).toBeUndefined();
  });

  it("trailers past the head limit", () => {
    const limits = { line: 1024, head: 200 };
    const trailers = Array.from({ length: 20 }, (_, i) => `X-Trailer-${i}: value\r\n`).join("");
    const bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + trailers + "\r\n";
    expect(parse([bytes], { limits }).error).toBe("bad HTTP response: head over 200 bytes");
  });
});
