// HTTP/1.1 responses (RFC 9112) read from binary-string chunks split
// anywhere. Pure: no I/O and no timers; the session feeds it what the socket
// delivers. Every line and the head are bounded, so a broken or hostile
// server costs an error, never unbounded buffering in the engine's
// variables. State lives in closure variables rather than object
// properties: the minifier shortens those, and every byte of the bundle is
// flash.
import { digits } from "./digits.js";

/** Header fields by lower-case name. A repeated field keeps its last value: none that S3 repeats is read here. */
export type Headers = { [lowerCaseName: string]: string };

export interface HttpResponse {
  /** 0 until the head of the final answer (not a 1xx) has arrived. */
  status: number;
  headers: Headers;
  /** The first `keep` bytes of the content. */
  body: string;
}

export interface ResponseParser {
  /** True once the response is complete. Throws an Error when the bytes are not a well-formed response. */
  feed(input: string): boolean;
  /** The connection closed: true if the response is complete (a body read until close ends here), false if the close cut it short. */
  eof(): boolean;
}

const enum Limit {
  /** Longest status, header, chunk-size or trailer line in bytes, line end included. */
  Line = 1024,
  /** Most bytes of status lines and header fields together, interim answers and trailers included. */
  Head = 4096,
}

/** Line states first, those counted in the head limit before ChunkSize; then the states that take content. */
const enum State {
  Status,
  Fields,
  Trailers,
  ChunkSize,
  ChunkEnd,
  Sized,
  ChunkData,
  UntilClose,
  Done,
}

/** Fills `response` as the answer arrives, keeping at most `keep` bytes of its content. */
export function responseParser(response: HttpResponse, keep: number): ResponseParser {
  let state = State.Status;
  /** A line not yet ended by LF. */
  let partial = "";
  let headBytes = 0;
  /** Content bytes still due in the body or the current chunk. */
  let left: number;
  let status: number;
  const bad = (what: string): Error => new Error("bad HTTP response: " + what.slice(0, 60));

  /** One line of the head, a chunk size, the end of a chunk, or a trailer field. */
  function line(text: string): void {
    if (state === State.Status) {
      status = digits(text.slice(9, 12), 10);
      // `HTTP/1.x NNN`, then a space before any reason phrase (RFC 9112 §4).
      if (text.slice(0, 7) + text.charAt(8) + (text + " ").charAt(12) !== "HTTP/1.  " || status < 100) throw bad(text);
      response.headers = {};
      state = State.Fields;
    } else if (state === State.ChunkSize) {
      // Chunk extensions after ";" carry nothing this client uses (RFC 9112 §7.1.1).
      left = digits(text.split(";")[0].trim(), 16);
      if (left < 0) throw bad(text);
      state = left ? State.ChunkData : State.Trailers;
    } else if (state === State.ChunkEnd) {
      if (text) throw bad("chunk overrun");
      state = State.ChunkSize;
    } else if (text) {
      const colon = text.indexOf(":");
      const name = text.slice(0, colon).toLowerCase();
      // Obsolete line folding and a space before the colon are refused (RFC 9112 §5.1, §5.2).
      if (colon < 1 || name.indexOf(" ") >= 0) throw bad(text);
      // Trailer fields are read past: nothing here depends on them (RFC 9110 §6.5.1).
      if (state === State.Fields) response.headers[name] = text.slice(colon + 1).trim();
    } else if (state === State.Fields) {
      const codings = response.headers["transfer-encoding"];
      const length = response.headers["content-length"];
      // RFC 9112 §6.3: Transfer-Encoding wins over Content-Length; without
      // either, the body runs until close.
      left = codings || length === undefined ? 1 / 0 : digits(length, 10);
      if (left < 0) throw bad("Content-Length " + length);
      // 204 and 304 have no body; a coding list that does not end in
      // chunked runs until close.
      state =
        status === 204 || status === 304 || !left
          ? State.Done
          : codings && codings.toLowerCase().endsWith("chunked")
            ? State.ChunkSize
            : left < 1 / 0
              ? State.Sized
              : State.UntilClose;
      // Interim answers (100 Continue) precede the real one (RFC 9110 §15.2).
      if (status < 200) state = State.Status;
      else response.status = status;
    } else state = State.Done; // the empty line after the trailers
  }

  return {
    feed(input) {
      let at = 0;
      while (at < input.length) {
        if (state === State.Done) throw bad("extra data");
        if (state >= State.Sized) {
          const take = Math.min(left, input.length - at);
          response.body += input.slice(at, at + Math.min(take, keep - response.body.length));
          at += take;
          left -= take;
          if (!left) state = state === State.Sized ? State.Done : State.ChunkEnd;
          continue;
        }
        const newline = input.indexOf("\n", at);
        const stop = newline < 0 ? input.length : newline + 1;
        partial += input.slice(at, stop);
        if (state < State.ChunkSize) headBytes += stop - at;
        at = stop;
        if (partial.length > Limit.Line || headBytes > Limit.Head) throw bad("line or head too long");
        if (newline >= 0) {
          const text = partial;
          partial = "";
          // Lines end in CRLF; a bare LF is accepted too (RFC 9112 §2.2).
          line(text.slice(0, text.charAt(text.length - 2) === "\r" ? -2 : -1));
        }
      }
      return state === State.Done;
    },
    eof() {
      return state >= State.UntilClose;
    },
  };
}
