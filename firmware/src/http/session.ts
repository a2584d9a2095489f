// HTTP/1.1 requests to one origin over one kept-alive connection, one
// request at a time, as the device talks to S3 with presigned URLs: a PUT
// streams its body with Content-Length (S3 refuses chunked PUTs), and every
// chunk is written only after `drain`, because the engine keeps unsent
// output in its variable store (docs/engine.md, "Sockets"). The engine has
// no socket timeouts, so the session keeps its own. State lives in closure
// variables, which the minifier shortens, rather than in properties.
import type { Connection, Connector, ConnectTarget } from "../net/connection.js";
import { responseParser, type HttpResponse, type ResponseParser } from "./response-parser.js";

export type { Headers, HttpResponse } from "./response-parser.js";

/** What a request body is read from; an open SD-card file (`E.openFile`) plus its size has this shape. */
export interface BodySource {
  /** Bytes sent, as Content-Length; the source must deliver exactly this many. */
  size: number;
  /** Up to `length` bytes; undefined (or "") at the end. */
  read(length: number): string | undefined;
}

export interface HttpRequest {
  method: string;
  /** Path and query, byte for byte as signed (HttpUrl.target). */
  target: string;
  /** Sent as given, but for Content-Length: that is the body's size. Host comes from the origin. */
  headers?: { [name: string]: string };
  body?: BodySource;
  /** Bytes per body write (default 2048). */
  chunkSize?: number;
  /** Response body bytes kept (default 2048, enough for an S3 error); the rest is read and dropped. */
  keep?: number;
}

/** Where requests go: `tls` set (to no client credentials: S3 takes none) for https. An HttpUrl will do. */
export interface HttpOrigin extends ConnectTarget {
  /** The Host header: the URL's authority exactly as signed, port included. */
  authority: string;
}

export interface HttpSessionOptions {
  connect: Connector;
  /**
   * Milliseconds without progress before a request fails (default 30000):
   * connecting (TCP and TLS handshake), between drains while sending, waiting
   * for the response, and between its pieces.
   */
  timeout?: number;
}

export interface HttpSession {
  /**
   * Sends the request. Throws if another is still in progress: await each
   * one first. Rejects when the connection fails, times out or closes early,
   * or the body falls short; that connection is then closed, and the next
   * request opens a new one.
   */
  request(request: HttpRequest): Promise<HttpResponse>;
  /**
   * Closes the connection; a request in progress fails. Resolves once the
   * connection has closed and given its memory back (a TLS session), or
   * after the timeout if the engine never reports the close.
   */
  close(): Promise<void>;
}

export function httpSession(origin: HttpOrigin, options: HttpSessionOptions): HttpSession {
  const timeout = options.timeout || 30000;
  /** The connection requests go over, until it fails or either side closes it. */
  let connection: Connection | undefined;
  /**
   * This session ended a connection whose close has not come: its memory (a
   * TLS session) is not free yet, so the next one waits. Only one connection
   * is ever alive, so `connection` and this are never both set.
   */
  let closing = false;
  /** The current connection has drained a write: it reached its peer (for TLS, past the handshake). False while there is none. */
  let opened = false;
  /** Something was written and its drain has not come yet. */
  let flushing = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** When the request in progress runs out of time: Date.now() ms. */
  let deadline: number;
  // The request in progress and its progress, set as it starts.
  let active: HttpRequest | undefined;
  /** The request line and headers, until written. */
  let head: string;
  /** The body's size, and how much of it was written. */
  let size: number;
  let sent: number;
  let parser: ResponseParser;
  let response: HttpResponse;
  let resolve: (response: HttpResponse) => void;
  let reject: (error: Error) => void;
  /** Resolves the promise close() returned. */
  let closed: (() => void) | undefined;

  /**
   * The request fails unless something happens within the timeout.
   * Progress moves the deadline, not the timer: a timer set and cleared for
   * every chunk would cost the engine a timer allocation per chunk. The
   * timer goes when the request ends: a pending timer keeps the whole
   * session alive, about 1,000 variables on the engine (measured).
   */
  function arm(): void {
    deadline = Date.now() + timeout;
    if (timer === undefined) tick();
  }

  function tick(): void {
    const left = deadline - Date.now();
    timer = undefined;
    if (left > 0) timer = setTimeout(tick, left);
    else if (active) {
      const step = !opened ? "connecting" : flushing ? "sending" : response.status ? "receiving" : "waiting";
      fail(new Error(origin.authority + ": no progress for " + timeout + " ms while " + step));
    }
  }

  function drop(): void {
    if (connection) {
      connection.end();
      closing = true;
    }
    connection = undefined;
    opened = false;
  }

  /** The one way out, for a response or a failure: closes the connection if it must, and settles the request. */
  function end(error?: Error): void {
    const ended = active;
    active = undefined;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    // An answer before the whole body went out ends the upload, and the rest
    // of it would be read as the next request (RFC 9112 §9.3).
    if (error || sent < size || (response.headers["connection"] || "").toLowerCase().indexOf("close") >= 0) drop();
    if (ended && error) reject(error);
    else if (ended) resolve(response);
  }
  const fail = end;

  /** Writes the next piece of the request, if the last one has drained. */
  function sendMore(): void {
    if (!active || !connection || flushing || response.status) return;
    let data = head;
    head = "";
    try {
      if (!data && sent < size) {
        const wanted = Math.min(size - sent, active.chunkSize || 2048);
        data = active.body!.read(wanted) || "";
        if (!data || data.length > wanted) throw new Error("body ended at " + (sent + data.length) + " of " + size + " bytes");
        sent += data.length;
      }
      // Nothing is left to write once everything is out: one drain follows
      // each write, so that drain comes once.
      if (data) {
        flushing = true;
        connection.write(data);
      }
      arm();
    } catch (e) {
      fail(e as Error);
    }
  }

  function open(): void {
    flushing = opened = false;
    connection = options.connect(origin, {
      // The TCP connection is up: progress. The head, written already, leaves now.
      open: arm,
      drain: () => {
        flushing = false;
        opened = true;
        sendMore();
      },
      data: (chunk) => {
        // Bytes nobody asked for: the connection cannot be trusted any more.
        // Those of a connection being closed are dropped as well.
        if (!active || !connection) return drop();
        try {
          if (parser.feed(chunk)) end();
          else arm();
        } catch (e) {
          fail(e as Error);
        }
      },
      close: (_hadError, reason) => {
        const why = reason ? ": " + reason : "";
        if (!connection) {
          closing = false;
          if (closed) closed();
          if (active) open();
          return;
        }
        connection = undefined;
        if (active)
          try {
            if (!opened) throw new Error(origin.authority + ": cannot connect" + why);
            if (!response.status && sent < size) throw new Error("connection closed after " + sent + " of " + size + " body bytes" + why);
            parser.eof();
            end();
          } catch (e) {
            fail(e as Error);
          }
      },
    });
    // Written before the socket is up, the head leaves once it connects and
    // one drain follows when it has gone out; from then on every drain means
    // that everything written so far has left (docs/engine.md, "Sockets").
    sendMore();
  }

  return {
    request(request) {
      const body = request.body;
      const headers = request.headers || {};
      if (active) throw new Error("a request is in progress");
      return new Promise<HttpResponse>((resolved, rejected) => {
        resolve = resolved;
        reject = rejected;
        head = request.method + " " + request.target + " HTTP/1.1\r\nHost: " + origin.authority + "\r\n";
        // Content-Length is always the body's size: one the caller gives is
        // left out (the presign client has held the signed one to the file's size).
        for (const name in headers) if (name.toLowerCase() !== "content-length") head += name + ": " + headers[name] + "\r\n";
        size = body ? body.size : 0;
        head += (body ? "Content-Length: " + size + "\r\n" : "") + "\r\n";
        active = request;
        sent = 0;
        response = { status: 0, headers: {}, body: "" };
        parser = responseParser(response, request.keep === undefined ? 2048 : request.keep);
        arm();
        if (connection) sendMore();
        // One TLS session at a time fits a board: the next connection waits
        // until the last one has closed and given its memory back.
        else if (!closing) open();
      });
    },
    close() {
      fail(new Error("session closed"));
      return new Promise<void>((resolve) => {
        if (!closing) return resolve();
        // Cleared on the close, so nothing holds the session afterwards.
        const fallback = setTimeout(resolve, timeout);
        closed = () => {
          clearTimeout(fallback);
          resolve();
        };
      });
    },
  };
}
