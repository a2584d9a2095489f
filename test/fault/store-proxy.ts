/**
 * A TLS-terminating proxy in front of an S3 store's plain HTTP port, for
 * fault tests of the device's uploads. The engine's TLS accepts any server
 * certificate (docs/engine.md), so the device talks TLS to this proxy's
 * throwaway certificate and the proxy reads the HTTP inside: it can cut a
 * connection at an exact byte of one request or of its answer, answer in
 * the store's place with an S3 error document, or hold a request back.
 *
 * It also keeps the store's word on every upload: a PUT counts as stored
 * once the store answered 200 to the whole body, at the moment that answer
 * reaches the proxy, before the device can have seen it.
 */
import { EventEmitter } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { RequestFramer, ResponseFramer, type Piece, type RequestHead, type ResponseHead } from "./http-framing.js";
import { listenOnLoopback } from "../support/ports.js";

/** What the proxy does to one request and its answer. */
export type HttpFault =
  /** Forwards `fraction` of the request's bytes (head included), then cuts the connection. */
  | { kind: "cut-request"; fraction: number }
  /** Forwards the request; forwards `fraction` of the answer's bytes (head included), then cuts. */
  | { kind: "cut-response"; fraction: number }
  /**
   * Answers `status` with an S3 error document instead of the store:
   * "early" as soon as the head is in (the body is not read; the proxy then
   * closes), "after-body" once the whole request is in (the store never sees
   * it), "after-store" in place of the store's own answer (the store did the work).
   */
  | { kind: "answer"; status: 500 | 503; when: "early" | "after-body" | "after-store" }
  /** Holds the request this long before the store sees any of it. */
  | { kind: "delay"; ms: number };

export interface RequestRule {
  readonly match: (request: ObservedRequest) => boolean;
  readonly fault: HttpFault;
  /** Called when the rule is applied (it applies once). */
  readonly applied?: (request: ObservedRequest) => void;
}

export interface ObservedRequest {
  readonly connection: number;
  readonly method: string;
  /** The URL path, %-decoded: `/<bucket>/<object key>`. */
  readonly path: string;
  readonly bodyBytes: number;
}

/** One request as it went, for reports. */
export interface Exchange extends ObservedRequest {
  fault?: HttpFault;
  /** The store's status, when it answered. */
  storeStatus?: number;
  /** The S3 error code in the store's answer, when there was one. */
  storeCode?: string;
}

export interface StoredUpload {
  readonly path: string;
  readonly body: Buffer;
  /** Date.now() when the store's 200 reached the proxy. */
  readonly at: number;
}

export interface StoreProxyOptions {
  /** The store's plain HTTP endpoint. */
  readonly store: { host: string; port: number };
  /** The proxy's TLS certificate and key (PEM). */
  readonly cert: string;
  readonly key: string;
}

/** Events: "stored"(StoredUpload), "request"(ObservedRequest). */
export class StoreProxy extends EventEmitter {
  /** Every request seen, in order. */
  readonly exchanges: Exchange[] = [];
  /** Per object path, the last upload the store took whole. */
  readonly stored = new Map<string, StoredUpload>();
  private rules: RequestRule[] = [];
  private readonly links = new Set<StoreLink>();
  private connections = 0;

  private constructor(
    private readonly server: tls.Server,
    readonly options: StoreProxyOptions,
  ) {
    super();
    server.on("secureConnection", (socket) => {
      const link = new StoreLink(++this.connections, socket, this);
      this.links.add(link);
      socket.on("close", () => this.links.delete(link));
    });
    // A client that cuts its own handshake is not the proxy's concern.
    server.on("tlsClientError", () => {});
  }

  static async start(options: StoreProxyOptions): Promise<StoreProxy> {
    const server = tls.createServer({ cert: options.cert, key: options.key });
    const proxy = new StoreProxy(server, options);
    await listenOnLoopback(server);
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The endpoint to presign URLs for. */
  get endpoint(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** TLS connections accepted so far. */
  get accepted(): number {
    return this.connections;
  }

  /** Applies `fault` to the next request `match` accepts. */
  arm(rule: RequestRule): void {
    this.rules.push(rule);
  }

  /** Rules armed and not applied yet. */
  get armed(): readonly RequestRule[] {
    return this.rules;
  }

  disarm(): void {
    this.rules = [];
  }

  /** Stops listening and cuts every connection. */
  async close(): Promise<void> {
    for (const link of this.links) link.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The fault for a request whose head just arrived, if a rule takes it. */
  faultFor(request: ObservedRequest): HttpFault | undefined {
    const index = this.rules.findIndex((rule) => rule.match(request));
    if (index < 0) return undefined;
    const [rule] = this.rules.splice(index, 1);
    rule!.applied?.(request);
    return rule!.fault;
  }

  record(exchange: Exchange): void {
    this.exchanges.push(exchange);
    this.emit("request", exchange);
  }

  storedWhole(upload: StoredUpload): void {
    this.stored.set(upload.path, upload);
    this.emit("stored", upload);
  }
}

/** A request on its way up, and what becomes of its answer. */
interface Pending {
  readonly exchange: Exchange;
  readonly fault: HttpFault | undefined;
  /** The body, kept for PUTs, to know what the store took. */
  readonly body: Buffer[];
  /** Every byte went to the store. */
  complete: boolean;
  /** For a delayed request: when the store may see it. */
  due?: number;
  /** For a cut request: how many of its bytes go before the cut. */
  cutAt?: number;
}

/** One device connection and its connection to the store. */
class StoreLink {
  private readonly requests = new RequestFramer();
  private readonly responses: ResponseFramer;
  private upstream: net.Socket | undefined;
  /** Requests forwarded to the store, in order; the store answers them in order. */
  private readonly forwarded: Pending[] = [];
  private current: Pending | undefined;
  /** Up-going bytes held back by a delay, with when they may go. */
  private readonly held: { bytes: Buffer; due: number; end?: () => void }[] = [];
  private heldTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The answer's byte where the link is cut, for a cut-response fault. */
  private cutAnswerAt: number | undefined;

  constructor(
    private readonly id: number,
    private readonly device: tls.TLSSocket,
    private readonly proxy: StoreProxy,
  ) {
    this.responses = new ResponseFramer((message) => this.forwarded[message]?.exchange.method);
    device.setNoDelay(true);
    device.on("data", (chunk: Buffer) => this.fromDevice(chunk));
    device.on("end", () => this.upstream?.end());
    device.on("error", () => this.cut());
    device.on("close", () => this.cut());
  }

  /** The device's side closes now; the store's once the bytes written to it have gone. */
  private cutAfterSending(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.heldTimer);
    this.device.destroy();
    this.upstream?.end();
  }

  /** Closes both sides now. */
  cut(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.heldTimer);
    this.device.destroy();
    this.upstream?.destroy();
  }

  private fromDevice(chunk: Buffer): void {
    if (this.closed) return;
    let pieces: Piece<RequestHead>[];
    try {
      pieces = this.requests.feed(chunk);
    } catch {
      // Bytes that are not a request the proxy understands: a broken client.
      return this.cut();
    }
    for (const piece of pieces) {
      if (this.closed) return;
      if (piece.offset === 0) this.begin(piece.head);
      this.requestPiece(piece);
    }
  }

  private begin(head: RequestHead): void {
    const request: ObservedRequest = { connection: this.id, method: head.method, path: pathOf(head.target), bodyBytes: head.bodyBytes };
    const fault = this.proxy.faultFor(request);
    const exchange: Exchange = { ...request, ...(fault ? { fault } : {}) };
    this.proxy.record(exchange);
    this.current = { exchange, fault, body: [], complete: false };
    if (fault?.kind === "cut-request") this.current.cutAt = Math.floor(fault.fraction * (head.headBytes + head.bodyBytes));
  }

  private requestPiece(piece: Piece<RequestHead>): void {
    const pending = this.current!;
    const fault = pending.fault;
    if (pending.exchange.method === "PUT" && piece.offset >= piece.head.headBytes) pending.body.push(Buffer.from(piece.bytes));
    if (fault?.kind === "answer" && fault.when !== "after-store") {
      // The store never sees this request.
      if (fault.when === "early" && piece.offset === 0) {
        this.device.end(s3Error(fault.status, true));
        this.closed = true;
        this.upstream?.destroy();
      } else if (fault.when === "after-body" && piece.last) {
        this.device.write(s3Error(fault.status, false));
      }
      return;
    }
    if (pending.cutAt !== undefined) {
      const room = pending.cutAt - piece.offset;
      if (room <= piece.bytes.length) {
        this.toStore(piece.bytes.subarray(0, Math.max(0, room)));
        this.afterHeld(() => this.cutAfterSending());
        return;
      }
    }
    if (piece.offset === 0) this.forwarded.push(pending);
    const due = fault?.kind === "delay" ? this.delayEnd(fault.ms) : 0;
    this.toStore(piece.bytes, due);
    if (piece.last) pending.complete = true;
  }

  /** When a delayed request may start: fixed at its head, so its body follows at once. */
  private delayEnd(ms: number): number {
    const pending = this.current!;
    pending.due ??= Date.now() + ms;
    return pending.due;
  }

  private toStore(bytes: Buffer, due = 0): void {
    if (this.held.length > 0 || due > Date.now()) {
      this.held.push({ bytes, due });
      this.releaseHeld();
      return;
    }
    this.write(bytes);
  }

  /** Runs `task` once the held bytes before it have gone. */
  private afterHeld(task: () => void): void {
    if (this.held.length === 0) return task();
    this.held.push({ bytes: Buffer.alloc(0), due: 0, end: task });
  }

  private releaseHeld(): void {
    clearTimeout(this.heldTimer);
    while (this.held.length > 0 && !this.closed) {
      const wait = this.held[0]!.due - Date.now();
      if (wait > 0) {
        this.heldTimer = setTimeout(() => this.releaseHeld(), wait);
        return;
      }
      const next = this.held.shift()!;
      if (next.bytes.length > 0) this.write(next.bytes);
      next.end?.();
    }
  }

  private write(bytes: Buffer): void {
    if (this.closed || bytes.length === 0) return;
    this.connectStore().write(bytes);
  }

  private connectStore(): net.Socket {
    if (this.upstream) return this.upstream;
    const upstream = net.connect(this.proxy.options.store);
    upstream.setNoDelay(true);
    upstream.on("data", (chunk: Buffer) => this.fromStore(chunk));
    // The store closed: what it sent has been forwarded; the device sees the close.
    upstream.on("end", () => this.device.end());
    upstream.on("error", () => this.cut());
    upstream.on("close", () => this.device.end());
    this.upstream = upstream;
    return upstream;
  }

  private fromStore(chunk: Buffer): void {
    if (this.closed) return;
    let pieces: Piece<ResponseHead>[];
    try {
      pieces = this.responses.feed(chunk);
    } catch {
      return this.cut();
    }
    for (const piece of pieces) {
      if (this.closed) return;
      const pending = this.forwarded[piece.message];
      if (!pending) return this.cut();
      if (piece.offset === 0) this.answerBegins(pending, piece);
      this.answerPiece(pending, piece);
    }
  }

  private answerBegins(pending: Pending, piece: Piece<ResponseHead>): void {
    const { exchange, fault } = pending;
    exchange.storeStatus = piece.head.status;
    if (piece.head.status === 200 && exchange.method === "PUT" && pending.complete) {
      this.proxy.storedWhole({ path: exchange.path, body: Buffer.concat(pending.body), at: Date.now() });
    }
    if (fault?.kind === "cut-response") {
      const total = piece.head.headBytes + (piece.head.bodyBytes ?? 0);
      this.cutAnswerAt = Math.floor(fault.fraction * total);
    } else {
      this.cutAnswerAt = undefined;
    }
  }

  private answerPiece(pending: Pending, piece: Piece<ResponseHead>): void {
    const { exchange, fault } = pending;
    if (piece.offset >= piece.head.headBytes && exchange.storeCode === undefined && piece.head.status >= 300) {
      const code = /<Code>([^<]*)<\/Code>/.exec(piece.bytes.toString("latin1"));
      if (code) exchange.storeCode = code[1];
    }
    if (fault?.kind === "answer" && fault.when === "after-store") {
      if (piece.last) this.device.write(s3Error(fault.status, false));
      return;
    }
    if (this.cutAnswerAt !== undefined) {
      const room = this.cutAnswerAt - piece.offset;
      if (room <= piece.bytes.length) {
        const part = piece.bytes.subarray(0, Math.max(0, room));
        if (part.length > 0) this.device.write(part, () => this.cut());
        else this.cut();
        return;
      }
    }
    this.device.write(piece.bytes);
  }
}

/** The path of a request target, %-decoded. */
function pathOf(target: string): string {
  const query = target.indexOf("?");
  return decodeURIComponent(query < 0 ? target : target.slice(0, query));
}

const S3_ERRORS = {
  500: { reason: "Internal Server Error", code: "InternalError", message: "We encountered an internal error. Please try again." },
  503: { reason: "Service Unavailable", code: "SlowDown", message: "Please reduce your request rate." },
} as const;

/** An answer as S3 gives it for a failure on its side. */
export function s3Error(status: 500 | 503, close: boolean): Buffer {
  const { reason, code, message } = S3_ERRORS[status];
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
  const head = [
    `HTTP/1.1 ${status} ${reason}`,
    "Content-Type: application/xml",
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(close ? ["Connection: close"] : []),
    "",
    "",
  ].join("\r\n");
  return Buffer.from(head + body, "latin1");
}
