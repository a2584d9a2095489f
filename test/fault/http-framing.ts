/**
 * Where one HTTP/1.1 message ends and the next begins, in a byte stream cut
 * anywhere: what a proxy needs to fault one request or one answer of a
 * kept-alive connection and leave the others alone. Pure, no I/O. A message
 * is handed on only once its head is complete, so a fault can be chosen
 * knowing what the message is before any of it is forwarded.
 */

export interface MessageHead {
  /** The request line or status line. */
  readonly startLine: string;
  /** Field names in lower case; repeated fields joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
  /** Bytes of the start line, fields and the empty line. */
  readonly headBytes: number;
}

export interface RequestHead extends MessageHead {
  readonly method: string;
  readonly target: string;
  readonly bodyBytes: number;
}

export interface ResponseHead extends MessageHead {
  readonly status: number;
  /** Undefined: chunked, or until the connection closes. */
  readonly bodyBytes: number | undefined;
}

/** A run of bytes of one message. */
export interface Piece<Head> {
  /** 0 for the first message on the connection. */
  readonly message: number;
  readonly head: Head;
  /** Where `bytes` start within the message (the head counts). */
  readonly offset: number;
  readonly bytes: Buffer;
  /** The message ends with these bytes. */
  readonly last: boolean;
}

const HEAD_END = Buffer.from("\r\n\r\n");
const MAX_HEAD = 16 * 1024;

function parseHead(bytes: Buffer): { startLine: string; headers: Map<string, string> } {
  const lines = bytes.toString("latin1").split("\r\n");
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { startLine: lines[0] ?? "", headers };
}

/** The shared part: collect a head, then count off the body. */
abstract class Framer<Head extends MessageHead> {
  private pending: Buffer = Buffer.alloc(0);
  private current: Head | undefined;
  private offset = 0;
  private left: number | undefined = 0;
  private message = -1;

  feed(chunk: Buffer): Piece<Head>[] {
    const pieces: Piece<Head>[] = [];
    let rest = chunk;
    while (rest.length > 0) {
      if (this.current === undefined) {
        this.pending = Buffer.concat([this.pending, rest]);
        const end = this.pending.indexOf(HEAD_END);
        if (end < 0) {
          if (this.pending.length > MAX_HEAD) throw new Error(`an HTTP head longer than ${MAX_HEAD} bytes`);
          return pieces;
        }
        const headBytes = end + HEAD_END.length;
        const bytes = Buffer.from(this.pending.subarray(0, headBytes));
        rest = this.pending.subarray(headBytes);
        this.pending = Buffer.alloc(0);
        const head = this.head(parseHead(bytes), headBytes);
        this.message = this.numberOf(head, this.message);
        this.offset = headBytes;
        this.left = this.bodyLength(head);
        const last = this.bodyDone();
        this.current = last ? undefined : head;
        pieces.push({ message: this.message, head, offset: 0, bytes, last });
        continue;
      }
      const head = this.current;
      const take = this.bodyPart(rest);
      const bytes = rest.subarray(0, take);
      rest = rest.subarray(take);
      const offset = this.offset;
      this.offset += take;
      const last = this.bodyDone();
      pieces.push({ message: this.message, head, offset, bytes, last });
      if (last) this.current = undefined;
    }
    return pieces;
  }

  protected abstract head(parsed: { startLine: string; headers: Map<string, string> }, headBytes: number): Head;
  /** The number of the message a head starts, given the last one's. */
  protected numberOf(_head: Head, previous: number): number {
    return previous + 1;
  }
  /** Bytes of body to come; undefined when only the body's own framing (or a close) tells. */
  protected abstract bodyLength(head: Head): number | undefined;

  /** How many bytes of `bytes` belong to the current body. */
  protected bodyPart(bytes: Buffer): number {
    if (this.left === undefined) return bytes.length;
    const take = Math.min(this.left, bytes.length);
    this.left -= take;
    return take;
  }

  protected bodyDone(): boolean {
    return this.left === 0;
  }
}

function contentLength(headers: ReadonlyMap<string, string>): number | undefined {
  const value = headers.get("content-length");
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`a Content-Length of "${value}"`);
  return Number(value);
}

/** Requests a client sends: bodies by Content-Length (the device never sends chunked). */
export class RequestFramer extends Framer<RequestHead> {
  protected head(parsed: { startLine: string; headers: Map<string, string> }, headBytes: number): RequestHead {
    const [method = "", target = ""] = parsed.startLine.split(" ");
    if (parsed.headers.has("transfer-encoding")) throw new Error("a request with Transfer-Encoding: the device must send Content-Length");
    return { ...parsed, headBytes, method, target, bodyBytes: contentLength(parsed.headers) ?? 0 };
  }

  protected bodyLength(head: RequestHead): number {
    return head.bodyBytes;
  }
}

/**
 * Answers a server sends, each numbered as the request it answers: bodies
 * by Content-Length, chunked, or until the connection closes; none for
 * HEAD, 1xx, 204 and 304.
 */
export class ResponseFramer extends Framer<ResponseHead> {
  private chunked: ChunkCounter | undefined;
  /** Final answers so far: the number of the request the next answer is for. */
  private answered = 0;

  constructor(private readonly methodOf: (message: number) => string | undefined) {
    super();
  }

  /** An interim answer (100 Continue) and the final one after it answer the same request. */
  protected override numberOf(head: ResponseHead): number {
    return head.status >= 200 ? this.answered++ : this.answered;
  }

  protected head(parsed: { startLine: string; headers: Map<string, string> }, headBytes: number): ResponseHead {
    const status = Number(parsed.startLine.split(" ")[1]);
    if (!Number.isInteger(status)) throw new Error(`a status line "${parsed.startLine}"`);
    const method = this.methodOf(this.answered);
    const none = method === "HEAD" || status < 200 || status === 204 || status === 304;
    const chunked = (parsed.headers.get("transfer-encoding") ?? "").toLowerCase().includes("chunked");
    const bodyBytes = none ? 0 : chunked ? undefined : contentLength(parsed.headers);
    return { ...parsed, headBytes, status, bodyBytes };
  }

  protected bodyLength(head: ResponseHead): number | undefined {
    const chunked = (head.headers.get("transfer-encoding") ?? "").toLowerCase().includes("chunked");
    this.chunked = head.bodyBytes === undefined && chunked ? new ChunkCounter() : undefined;
    return head.bodyBytes;
  }

  protected override bodyPart(bytes: Buffer): number {
    if (this.chunked) return this.chunked.take(bytes);
    return super.bodyPart(bytes);
  }

  protected override bodyDone(): boolean {
    if (this.chunked) return this.chunked.done;
    return super.bodyDone();
  }
}

/** Finds the end of a chunked body (RFC 9112 §7.1), trailer fields included. */
class ChunkCounter {
  done = false;
  private state: "size" | "data" | "data-end" | "trailer" = "size";
  private line = "";
  private left = 0;

  /** How many of `bytes` belong to the body. */
  take(bytes: Buffer): number {
    let used = 0;
    while (used < bytes.length && !this.done) {
      if (this.state === "data") {
        const take = Math.min(this.left, bytes.length - used);
        used += take;
        this.left -= take;
        if (this.left === 0) this.state = "data-end";
        continue;
      }
      const byte = bytes[used++]!;
      if (byte !== 0x0a) {
        this.line += String.fromCharCode(byte);
        continue;
      }
      const line = this.line.replace(/\r$/, "");
      this.line = "";
      if (this.state === "size") {
        this.left = parseInt(line.split(";")[0]!, 16);
        if (!Number.isInteger(this.left)) throw new Error(`a chunk size line "${line}"`);
        this.state = this.left === 0 ? "trailer" : "data";
      } else if (this.state === "data-end") {
        this.state = "size";
      } else if (line === "") {
        this.done = true;
      }
    }
    return used;
  }
}
