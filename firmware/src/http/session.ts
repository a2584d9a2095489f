// HTTP/1.1 requests to one origin over one kept-alive connection, one
// request at a time, as the device talks to S3 with presigned URLs: a PUT
// streams its body with Content-Length (S3 refuses chunked PUTs), and every
// chunk is written only after `drain`, because the engine keeps unsent
// output in its variable store (docs/engine.md, "Sockets"). The engine has
// no socket timeouts, so the session keeps its own. State lives in closure
// variables, which the minifier shortens, rather than in properties.
import type { Connection, Connector, TlsCredentials } from "../net/connection.js";
import { responseParser, type Headers, type ParserLimits, type ResponseParser } from "./response-parser.js";

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
  /** Sent as given. Host comes from the origin; a Content-Length must equal the body's size. */
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

/** Milliseconds. */
export interface HttpTimeouts {
  /** From asking for a connection until the request head is sent (TCP and TLS handshake). */
  connect: number;
  /** From the last request byte sent until the response starts. */
  head: number;
  /** Longest silence while sending the body (between drains) or receiving the response. */
  idle: number;
}

export interface HttpSessionOptions {
  connect: Connector;
  /** Client certificate and key for TLS, DER strings. */
  credentials?: TlsCredentials;
  timeouts?: Partial<HttpTimeouts>;
  limits?: ParserLimits;
}

export interface HttpSession {
  /**
   * Sends the request once those before it have finished. Rejects when the
   * connection fails, times out or closes early, or the body falls short;
   * that connection is then closed, and the next request opens a new one.
   * Throws at once on headers that would corrupt the request.
   */
  request(request: HttpRequest): Promise<HttpResponse>;
  /**
   * Closes the connection; a request in progress fails. Resolves once the
   * connection has closed and given its memory back (a TLS session), or
   * after the idle timeout if the engine never reports the close.
   */
  close(): Promise<void>;
  /** Connections opened so far: one is reused until it fails or either side closes it. */
  connections(): number;
}

const DEFAULT_TIMEOUTS: HttpTimeouts = { connect: 30000, head: 30000, idle: 20000 };

export function httpSession(origin: HttpOrigin, options: HttpSessionOptions): HttpSession {
  const timeouts: HttpTimeouts = Object.assign({}, DEFAULT_TIMEOUTS, options.timeouts);
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
  // The request in progress (one at a time) and its progress.
  let active: HttpRequest | undefined;
  /** The request line and headers, until written. */
  let head: string | undefined;
  let parser: ResponseParser;
  let sent = 0;
  let written = false;
  /** The connection cannot carry another request after this response. */
  let last = false;
  let response: HttpResponse;
  let settle: (error: Error | undefined) => void;
  /** Resolves the promise close() returned. */
  let closed: (() => void) | undefined;

  function arm(ms: number, doing: string): void {
    disarm();
    timer = setTimeout(() => {
      timer = undefined;
      fail(new Error(where + ": no progress for " + ms + " ms while " + doing));
    }, ms);
  }

  function disarm(): void {
    // clearTimeout(undefined) throws on the engine; clearTimeout() would clear every timer.
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  function drop(): void {
    const ending = connection;
    connection = undefined;
    if (!ending) return;
    closing = ending;
    ending.end();
  }

  /** The one way out of trouble: stops the timer, closes the connection once, and rejects the request. */
  function fail(error: Error): void {
    const failed = active;
    active = undefined;
    disarm();
    drop();
    if (failed) settle(error);
  }

  function finish(): void {
    active = undefined;
    disarm();
    if (last) drop();
    settle(undefined);
  }

  /** Writes the next piece of the request, if the last one has drained. */
  function sendMore(): void {
    const body = active && active.body;
    if (!active || !connection || flushing || response.status || written) return;
    try {
      let data = head;
      head = undefined;
      if (data === undefined && body && sent < body.size) {
        const wanted = Math.min(body.size - sent, active.chunkSize || 2048);
        data = body.read(wanted) || "";
        if (!data || data.length > wanted) throw new Error("body ended at " + (sent + data.length) + " of " + body.size + " bytes");
        sent += data.length;
      }
      if (data === undefined) {
        written = true;
        arm(timeouts.head, "waiting");
        return;
      }
      flushing = true;
      connection.write(data);
      if (sent) arm(timeouts.idle, "sending");
    } catch (e) {
      fail(e as Error);
    }
  }

  function open(): void {
    opens++;
    flushing = false;
    opened = false;
    const target = { host: origin.host, port: origin.port, tls: origin.tls ? options.credentials || {} : undefined };
    const current: Connection = options.connect(target, {
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
          if (active === feeding) arm(timeouts.idle, "receiving");
        } catch (e) {
          fail(e as Error);
        }
      },
      close: (_hadError, reason) => {
        if (connection === current) {
          connection = undefined;
          const body = active && active.body;
          if (!active) return;
          const why = reason ? ": " + reason : "";
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
    });
    connection = current;
    // Written before the socket is up, the head leaves with the first send,
    // and the engine then reports no drain of its own: every drain means
    // that everything written has gone out.
    sendMore();
  }

  function start(request: HttpRequest, requestHead: string): void {
    active = request;
    head = requestHead;
    sent = 0;
    written = false;
    last = false;
    response = { status: 0, headers: {}, body: "" };
    const keep = request.keep === undefined ? 2048 : request.keep;
    parser = responseParser(
      {
        head: (status, headers) => {
          response.status = status;
          response.headers = headers;
          const body = request.body;
          const answer = headers["connection"];
          // An answer before the whole body went out ends the upload, and what
          // was sent of it leaves the connection unusable (RFC 9112 §9.3).
          last = (body !== undefined && sent < body.size) || (answer !== undefined && answer.toLowerCase().indexOf("close") >= 0);
        },
        body: (chunk) => {
          if (response.body.length < keep) response.body += chunk.substring(0, keep - response.body.length);
        },
        end: finish,
      },
      request.method === "HEAD",
      options.limits,
    );
    if (connection) {
      arm(timeouts.idle, "sending");
      sendMore();
    } else {
      arm(timeouts.connect, "connecting");
      // One TLS session at a time fits a board: the next connection waits
      // until the last one has closed and given its memory back.
      if (!closing) open();
    }
  }

  return {
    request(request) {
      const requestHead = headOf(request, origin.authority);
      const run = queue.then(
        () =>
          new Promise<HttpResponse>((resolve, reject) => {
            settle = (error) => (error ? reject(error) : resolve(response));
            start(request, requestHead);
          }),
      );
      queue = run.then(
        () => {},
        () => {},
      );
      return run;
    },
    close() {
      fail(new Error("session closed"));
      return new Promise<void>((resolve) => {
        if (!closing) return resolve();
        closed = resolve;
        setTimeout(resolve, timeouts.idle);
      });
    },
    connections: () => opens,
  };
}

/** Request line and header fields. Throws on headers that would corrupt the request. */
function headOf(request: HttpRequest, authority: string): string {
  const body = request.body;
  const headers = request.headers || {};
  let text = request.method + " " + request.target + " HTTP/1.1\r\nHost: " + authority + "\r\n";
  for (const name in headers) {
    const value = headers[name];
    const line = name + ": " + value;
    // A line break would smuggle in header fields; a Content-Length must be the body's.
    if (line.indexOf("\n") >= 0 || line.indexOf("\r") >= 0 || (name.toLowerCase() === "content-length" && (!body || value !== "" + body.size))) {
      throw new Error("bad header " + line);
    }
    if (name.toLowerCase() !== "content-length") text += line + "\r\n";
  }
  return text + (body ? "Content-Length: " + body.size + "\r\n" : "") + "\r\n";
}
