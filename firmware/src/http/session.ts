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
  /**
   * Any method whose answer frames its body as usual; not HEAD, whose answer
   * announces a Content-Length it does not send (the device never asks).
   */
  method: string;
  /** Path and query, byte for byte as signed (HttpUrl.target). */
  target: string;
  /** Sent as given, but for Content-Length: that is the body's size. Host comes from the origin. */
  headers?: { [name: string]: string };
  body?: BodySource;
  /** Bytes per body write (default 2048). */
  chunkSize?: number;
  /** Response body bytes kept (default, and for 0, 2048: enough for an S3 error); the rest is read and dropped. */
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
   * The flags start unset, which reads as false.
   */
  let closing: boolean | undefined;
  /** The current connection has drained a write: it reached its peer (for TLS, past the handshake). False while there is none. */
  let opened: boolean | undefined;
  /** Something was written and its drain has not come yet. */
  let flushing: boolean | undefined;
  /** The one timer, while a request or close() waits; unset or 0 when none (the engine numbers timers from 1). */
  let timer: ReturnType<typeof setTimeout> | 0 | undefined;
  /** When the request in progress, or close(), runs out of time: Date.now() ms. */
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
   * The request (or close()) fails unless something happens within the
   * timeout. Progress moves the deadline, not the timer: a timer set and
   * cleared for every chunk would cost the engine a timer allocation per
   * chunk. The timer goes as soon as nothing waits: a pending timer keeps
   * the whole session alive, about 1,000 variables on the engine (measured).
   */
  function arm(): void {
    deadline = Date.now() + timeout;
    if (!timer) tick();
  }

  function tick(): void {
    const left = deadline - Date.now();
    timer = 0;
    if (left > 0) timer = setTimeout(tick, left);
    else if (active) fail(origin.authority + ": no progress for " + timeout + " ms while " + step());
    // The engine never reported the close: close() gives up waiting.
    else if (closed) closed();
  }

  /** What the request in progress was doing when it failed. */
  function step(): string {
    return !opened ? "connecting" : response.status ? "receiving" : flushing ? "sending " + sent + " of " + size + " body bytes" : "waiting";
  }

  /** Ends the wait: a timer left pending would hold the session. */
  function stop(): void {
    if (timer) clearTimeout(timer);
    timer = 0;
  }

  /** The one way out, for a response or a failure: closes the connection if it must, and settles the request. */
  function end(error?: Error): void {
    const ended = active;
    active = undefined;
    stop();
    // An answer before the whole body went out ends the upload, and the rest
    // of it would be read as the next request (RFC 9112 §9.3).
    if (error || sent < size || (response.headers["connection"] || "").toLowerCase().indexOf("close") >= 0) {
      if (connection) {
        connection.end();
        closing = true;
      }
      connection = undefined;
      opened = false;
    }
    if (ended) error ? reject(error) : resolve(response);
  }

  /** Fails the request in progress, if there is one, and drops the connection. */
  function fail(why: string): void {
    end(new Error(why));
  }

  /** Writes the next piece of the request, if the last one has drained. */
  function sendMore(): void {
    if (!active || !connection || flushing || response.status) return;
    let data = head;
    head = "";
    try {
      if (!data && sent < size) {
        sent += (data = active.body!.read(Math.min(size - sent, active.chunkSize || 2048)) || "").length;
        // Short or long, the body would not match its Content-Length.
        if (!data || sent > size) return fail("body ended at " + sent + " of " + size + " bytes");
      }
      // Nothing is left to write once everything is out: one drain follows
      // each write, so that drain comes once.
      if (data) {
        flushing = true;
        connection.write(data);
      }
      arm();
    } catch (e) {
      end(e as Error);
    }
  }

  function open(): void {
    flushing = opened = false;
    connection = options.connect(origin, {
      // The TCP connection is up: progress. The head, written already, leaves
      // now. A request that failed meanwhile has no wait left to time.
      open: () => {
        if (active) arm();
      },
      drain: () => {
        flushing = false;
        opened = true;
        sendMore();
      },
      data: (chunk) => {
        // Bytes of a connection being closed are dropped. Bytes nobody asked
        // for meet the last response's finished parser, which refuses them:
        // the connection cannot be trusted any more.
        if (connection)
          try {
            if (parser.feed(chunk)) end();
            else arm();
          } catch (e) {
            end(e as Error);
          }
      },
      close: (_hadError, reason) => {
        if (connection) {
          connection = undefined;
          // A body read until close ends here. Between requests, the last
          // response's parser has finished: an idle connection just ends.
          if (opened && parser.eof()) end();
          else fail(origin.authority + ": connection closed while " + step() + (reason ? ": " + reason : ""));
        } else {
          // The connection this session ended has given its memory back.
          closing = false;
          stop();
          if (closed) closed();
          if (active) open();
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
        parser = responseParser(response, request.keep || 2048);
        arm();
        if (connection) sendMore();
        // One TLS session at a time fits a board: the next connection waits
        // until the last one has closed and given its memory back.
        else if (!closing) open();
      });
    },
    close() {
      fail("session closed");
      return new Promise<void>((resolve) => {
        closed = resolve;
        // Resolved on the close, or by the timer if the engine never reports it.
        if (closing) arm();
        else resolve();
      });
    },
  };
}
