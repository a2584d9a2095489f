// HTTP/1.1 responses (RFC 9112) read from binary-string chunks split
// anywhere. Pure: no I/O and no timers; the session feeds it what the socket
// delivers. Every line is bounded, so a broken or hostile server costs an
// error, never unbounded buffering in the engine's variables. State lives in
// closure variables rather than object properties: the minifier shortens
// those, and every byte of the bundle is flash.
import { digits } from "./digits.js";

/** Header fields by lower-case name; a repeated field's values joined by ", " (RFC 9110 §5.3). */
export type Headers = { [lowerCaseName: string]: string };

/** Called in order: head once, body for each piece of content, end once. */
export interface ResponseEvents {
  head(status: number, headers: Headers): void;
  body(chunk: string): void;
  end(): void;
}

export interface ParserLimits {
  /** Longest status, header, chunk-size or trailer line in bytes, CRLF included. */
  line: number;
  /** Most bytes of status line and header fields together (trailers count too). */
  head: number;
}

export interface ResponseParser {
  /** Throws an Error when the bytes are not a well-formed response. */
  feed(input: string): void;
  /** The connection closed: completes a body read until close; throws if the response was cut short. */
  end(): void;
}

/** Line states first, then the states that take content, then Done: feed() tells them apart by order. */
const enum State {
  Status,
  Fields,
  ChunkSize,
  ChunkEnd,
  Trailers,
  Sized,
  ChunkData,
  UntilClose,
  Done,
}

/** `noBody`: the request was HEAD, so the response has no content whatever it says (RFC 9110 §9.3.2). */
export function responseParser(events: ResponseEvents, noBody?: boolean, limits?: ParserLimits): ResponseParser {
  const lineLimit = limits ? limits.line : 1024;
  const headLimit = limits ? limits.head : 4096;
  let state = State.Status;
  /** A line not yet ended by LF. */
  let partial = "";
  let headBytes = 0;
  /** Content bytes still due in the body or the current chunk. */
  let left = 0;
  let status = 0;
  let headers: Headers = {};
  const bad = (what: string): Error => new Error("bad HTTP response: " + what.slice(0, 60));

  function finish(): void {
    state = State.Done;
    events.end();
  }

  function headEnd(): void {
    if (status < 200) {
      // 100 Continue and other interim answers precede the real one (RFC 9110 §15.2);
      // 101 would switch protocols, which this client never asks for.
      if (status === 101) throw bad("status 101");
      state = State.Status;
      headBytes = 0;
      return;
    }
    const codings = headers["transfer-encoding"];
    const length = headers["content-length"];
    // RFC 9112 §6.3: no body for HEAD, 204 and 304; Transfer-Encoding wins over
    // Content-Length; a coding list that does not end in chunked runs until close.
    state = State.UntilClose;
    if (noBody || status === 204 || status === 304) state = State.Done;
    else if (codings !== undefined) {
      if (codings.toLowerCase().endsWith("chunked")) state = State.ChunkSize;
    } else if (length !== undefined) {
      left = digits(length, 10);
      if (left < 0) throw bad("Content-Length " + length);
      state = left ? State.Sized : State.Done;
    }
    events.head(status, headers);
    if (state === State.Done) finish();
  }

  function line(text: string): void {
    if (state === State.Status) {
      status = digits(text.slice(9, 12), 10);
      if (!text.startsWith("HTTP/1.") || text.charAt(8) !== " " || status < 100 || (text.length > 12 && text.charAt(12) !== " ")) throw bad(text);
      headers = {};
      state = State.Fields;
    } else if (state === State.ChunkSize) {
      // Chunk extensions after ";" carry nothing this client uses (RFC 9112 §7.1.1).
      const semicolon = text.indexOf(";");
      left = digits((semicolon < 0 ? text : text.slice(0, semicolon)).trim(), 16);
      if (left < 0) throw bad(text);
      state = left ? State.ChunkData : State.Trailers;
    } else if (text !== "") {
      if (state === State.ChunkEnd) throw bad("chunk overrun");
      // Trailer fields are read past: nothing here depends on them.
      if (state !== State.Fields) return;
      const colon = text.indexOf(":");
      const name = text.slice(0, colon).toLowerCase();
      // Obsolete line folding and a space before the colon are refused (RFC 9112 §5.1, §5.2).
      if (colon < 1 || name.indexOf(" ") >= 0) throw bad(text);
      const value = text.slice(colon + 1).trim();
      headers[name] = Object.prototype.hasOwnProperty.call(headers, name) ? headers[name] + ", " + value : value;
    } else if (state === State.Fields) headEnd();
    else if (state === State.ChunkEnd) state = State.ChunkSize;
    else finish();
  }

  return {
    feed(input) {
      let at = 0;
      while (at < input.length) {
        if (state === State.Done) throw bad("extra data");
        if (state >= State.Sized) {
          const take = state === State.UntilClose ? input.length - at : Math.min(left, input.length - at);
          left -= take;
          events.body(input.slice(at, (at += take)));
          if (!left && state === State.Sized) finish();
          else if (!left && state === State.ChunkData) state = State.ChunkEnd;
          continue;
        }
        const newline = input.indexOf("\n", at);
        const stop = newline < 0 ? input.length : newline + 1;
        partial += input.slice(at, stop);
        if (state !== State.ChunkSize && state !== State.ChunkEnd) headBytes += stop - at;
        at = stop;
        if (partial.length > lineLimit) throw bad("line over " + lineLimit + " bytes");
        if (headBytes > headLimit) throw bad("head over " + headLimit + " bytes");
        if (newline < 0) return;
        const text = partial;
        partial = "";
        // Lines end in CRLF; a bare LF is accepted too (RFC 9112 §2.2).
        line(text.slice(0, text.length - (text.charAt(text.length - 2) === "\r" ? 2 : 1)));
      }
    },
    end() {
      if (state === State.UntilClose) finish();
      if (state !== State.Done) throw new Error("connection closed " + (state || partial ? "mid-response" : "before a response"));
    },
  };
}
