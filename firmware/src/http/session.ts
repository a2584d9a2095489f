// HTTP/1.1 requests to one origin over one kept-alive connection, one
// request at a time, as the device talks to S3 with presigned URLs: a PUT
// streams its body with Content-Length (S3 refuses chunked PUTs), and every
// chunk is written only after `drain`, because the engine keeps unsent
// output in its variable store (docs/engine.md, "Sockets"). The engine has
// no socket timeouts, so the session keeps its own. State lives in closure
// variables, which the minifier shortens, rather than in properties.
import type { Connection, Connector } from "../net/connection.js";
import { responseParser, type Headers, type ResponseParser } from "./response-parser.js";

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

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** The first `keep` bytes of the content. */
  body: string;
}

export interface HttpOrigin {
  tls: boolean;
  host: string;
  port: number;
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
   * Sends the request once those before it have finished. Rejects when the
   * connection fails, times out or closes early, or the body falls short;
   * that connection is then closed, and the next request opens a new one.
   */
  request(request: HttpRequest): Promise<HttpResponse>;
  /**
   * Closes the connection; a request in progress fails. Resolves once the
   * connection has closed and given its memory back (a TLS session), or
   * after the timeout if the engine never reports the close.
   */
  close(): Promise<void>;
  /** Connections opened so far: one is reused until it fails or either side closes it. */
  connections(): number;
}

export function httpSession(origin: HttpOrigin, options: HttpSessionOptions): HttpSession {
  const timeout = options.timeout || 30000;
  const where = origin.host + ":" + origin.port;
  let queue: Promise<unknown> = Promise.resolve();
  let opens = 0;
  let connection: Connection | undefined;
  /** A connection this session ended whose close has not come: its memory (a TLS session) is not free yet. */
  let closing: Connection | undefined;
  /** Something was written and its drain has not come yet. */
  let flushing = false;
  /** The current connection reached its peer. */
  let opened = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** When the step in progress (`doing`) runs out of time: Date.now() ms. */
  let deadline = 0;
  let doing = "";
  // The request in progress (one at a time) and its progress.
  let active: HttpRequest | undefined;
  /** The request line and headers, until written. */
  let head: string | undefined;
  let parser: ResponseParser;
  let sent = 0;
  /** The connection cannot carry another request after this response. */
  let last = false;
  let response: HttpResponse;
  let settle: (error?: Error) => void;
  /** Resolves the promise close() returned. */
  let closed: (() => void) | undefined;

  /**
   * The step in progress fails unless something happens within the timeout.
   * Progress moves the deadline, not the timer: a timer set and cleared for
   * every chunk would cost the engine a timer allocation per chunk.
   */
  function arm(step: string): void {
    deadline = Date.now() + timeout;
    doing = step;
    if (timer === undefined) schedule(timeout);
  }

  function schedule(ms: number): void {
    timer = setTimeout(() => {
      timer = undefined;
      const left = deadline - Date.now();
      if (left > 0) schedule(left);
      else fail(new Error(where + ": no progress for " + timeout + " ms while " + doing));
    }, ms);
  }

  function drop(): void {
    if (connection) connection.end();
    closing = connection || closing;
    connection = undefined;
  }

  /** The one way out, for a response or a failure: stops the timer, closes the connection if it must, and settles the request. */
  function end(error?: Error): void {
    const ended = active;
    active = undefined;
    // clearTimeout(undefined) throws on the engine; clearTimeout() would clear every timer.
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (error || last) drop();
    if (ended) settle(error);
  }
  const fail = end;

  /** Writes the next piece of the request, if the last one has drained. */
  function sendMore(): void {
    const body = active && active.body;
    if (!active || !connection || flushing || response.status) return;
    try {
      let data = head;
      head = undefined;
      if (data === undefined && body && sent < body.size) {
        const wanted = Math.min(body.size - sent, active.chunkSize || 2048);
        data = body.read(wanted) || "";
        if (!data || data.length > wanted) throw new Error("body ended at " + (sent + data.length) + " of " + body.size + " bytes");
        sent += data.length;
      }
      // Everything is out: one drain follows each write, so this runs once.
      if (data === undefined) return arm("waiting");
      flushing = true;
      connection.write(data);
      if (sent) arm("sending");
    } catch (e) {
      fail(e as Error);
    }
  }

  function open(): void {
    opens++;
    flushing = opened = false;
    const current: Connection = (connection = options.connect(
      // S3 takes no client certificate: presigned URLs carry the authority.
      { host: origin.host, port: origin.port, tls: origin.tls ? {} : undefined },
      {
        open: () => {
          opened = true;
        },
        drain: () => {
          if (connection !== current) return;
          flushing = false;
          sendMore();
        },
        data: (chunk) => {
          if (connection !== current) return;
          const feeding = active;
          // Bytes nobody asked for: the connection cannot be trusted any more.
          if (!feeding) return drop();
          try {
            parser.feed(chunk);
            if (active === feeding) arm("receiving");
          } catch (e) {
            fail(e as Error);
          }
        },
        close: (_hadError, reason) => {
          if (connection === current) {
            const body = active && active.body;
            const why = reason ? ": " + reason : "";
            connection = undefined;
            if (!active) return;
            try {
              if (!opened) throw new Error(where + ": cannot connect" + why);
              if (!response.status && body && sent < body.size) throw new Error("connection closed after " + sent + " of " + body.size + " body bytes" + why);
              parser.end();
            } catch (e) {
              fail(e as Error);
            }
          } else if (closing === current) {
            closing = undefined;
            if (closed) closed();
            if (active) open();
          }
        },
      },
    ));
    // Written before the socket is up, the head leaves once it connects and
    // one drain follows when it has gone out; from then on every drain means
    // that everything written so far has left (docs/engine.md, "Sockets").
    sendMore();
  }

  return {
    request(request) {
      const requestHead = headOf(request, origin.authority);
      const keep = request.keep === undefined ? 2048 : request.keep;
      const run = queue.then(
        () =>
          new Promise<HttpResponse>((resolve, reject) => {
            settle = (error) => (error ? reject(error) : resolve(response));
            active = request;
            head = requestHead;
            sent = 0;
            last = false;
            response = { status: 0, headers: {}, body: "" };
            parser = responseParser(
              {
                head: (status, headers) => {
                  const body = request.body;
                  const answer = headers["connection"];
                  response.status = status;
                  response.headers = headers;
                  // An answer before the whole body went out ends the upload, and what
                  // was sent of it leaves the connection unusable (RFC 9112 §9.3).
                  last = (!!body && sent < body.size) || (!!answer && answer.toLowerCase().indexOf("close") >= 0);
                },
                body: (chunk) => {
                  if (response.body.length < keep) response.body += chunk.slice(0, keep - response.body.length);
                },
                end: end,
              },
              request.method === "HEAD",
            );
            arm(connection ? "sending" : "connecting");
            if (connection) sendMore();
            // One TLS session at a time fits a board: the next connection waits
            // until the last one has closed and given its memory back.
            else if (!closing) open();
          }),
      );
      queue = run.then(ignore, ignore);
      return run;
    },
    close() {
      fail(new Error("session closed"));
      return new Promise<void>((resolve) => {
        if (!closing) return resolve();
        closed = resolve;
        setTimeout(resolve, timeout);
      });
    },
    connections: () => opens,
  };
}

function ignore(): void {}

/**
 * Request line and header fields. Content-Length is always the body's size:
 * one the caller gives is left out (the presign client has already held the
 * signed one to the file's size).
 */
function headOf(request: HttpRequest, authority: string): string {
  const body = request.body;
  const headers = request.headers || {};
  let text = request.method + " " + request.target + " HTTP/1.1\r\nHost: " + authority + "\r\n";
  for (const name in headers) if (name.toLowerCase() !== "content-length") text += name + ": " + headers[name] + "\r\n";
  return text + (body ? "Content-Length: " + body.size + "\r\n" : "") + "\r\n";
}
