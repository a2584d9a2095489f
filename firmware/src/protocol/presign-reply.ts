// Presign replies: what the service sends on `<prefix>/<dev>/presign/reply`.
// Every reply carries a MAC (hmac-input.ts) the device checks before it
// acts, because its TLS cannot tell the real service from an impostor.
import type { PresignErrorCode, PresignOp, PresignRequest } from "./presign.js";

export type HttpMethod = "PUT" | "GET" | "HEAD";

/** A granted request: where to send the device's own HTTP request, and how. @wire */
export interface PresignGrant {
  id: string;
  ok: true;
  op: PresignOp;
  /** The relative key, as the device sent it. */
  key: string;
  method: HttpMethod;
  url: string;
  /** When the URL stops working, in Unix seconds. */
  expires: number;
  /** Headers the request must carry exactly: `Content-Length` for a put (it is signed). */
  headers: { [name: string]: string };
  /** For a put: a presigned GET of the same object, for the `Range: bytes=0-0` size check. */
  check?: string;
}

/** @wire */
export interface PresignRefusal {
  id: string;
  ok: false;
  error: PresignErrorCode;
  /** What went wrong and what to do, for a person reading the device's log. */
  message: string;
}

export type PresignReply = PresignGrant | PresignRefusal;

/** A reply as sent: the fields plus `mac`, lowercase hex HMAC-SHA256. */
export type SignedPresignReply = PresignReply & { mac: string };

export function methodOf(op: PresignOp): HttpMethod {
  return op === "put" ? "PUT" : op === "get" ? "GET" : "HEAD";
}

/** The grant for a request, given the URLs the signer made. */
export function presignGrant(request: PresignRequest, url: string, expires: number, check: string | undefined): PresignGrant {
  const grant: PresignGrant = {
    id: request.id,
    ok: true,
    op: request.op,
    key: request.key,
    method: methodOf(request.op),
    url: url,
    expires: expires,
    headers: {},
  };
  if (request.op === "put") {
    grant.headers["Content-Length"] = String(request.size);
    grant.check = check;
  }
  return grant;
}

export function presignRefusal(id: string, error: PresignErrorCode, message: string): PresignRefusal {
  return { id: id, ok: false, error: error, message: message };
}

/** The JSON sent on the wire, fields in the documented order. */
export function presignReplyJson(reply: PresignReply, mac: string): string {
  if (!reply.ok) {
    return JSON.stringify({ id: reply.id, ok: false, error: reply.error, message: reply.message, mac: mac });
  }
  const wire: { [name: string]: unknown } = {
    id: reply.id,
    ok: true,
    op: reply.op,
    key: reply.key,
    method: reply.method,
    url: reply.url,
    expires: reply.expires,
    headers: reply.headers,
  };
  if (reply.check !== undefined) wire["check"] = reply.check;
  wire["mac"] = mac;
  return JSON.stringify(wire);
}

/**
 * Reads a reply payload on the device; undefined when it is not a well-formed
 * reply. Well-formed is not trusted: check the MAC before using it.
 */
export function parsePresignReply(text: string): SignedPresignReply | undefined {
  let fields: { [name: string]: unknown };
  try {
    fields = JSON.parse(text);
  } catch (err) {
    return undefined;
  }
  if (typeof fields !== "object" || fields === null) return undefined;
  const id = fields.id;
  const mac = fields.mac;
  const error = fields.error;
  const message = fields.message;
  if (!isLine(id) || !isLine(mac)) return undefined;
  if (fields.ok === false) return isLine(error) && isLine(message) ? { id: id, ok: false, error: error as PresignErrorCode, message: message, mac: mac } : undefined;
  const op = fields.op;
  const key = fields.key;
  const url = fields.url;
  const expires = fields.expires;
  const headers = fields.headers as { [name: string]: string };
  const check = fields.check;
  const isPut = op === "put";
  // The MAC covers only Content-Length, so a header it does not cover must
  // not reach the device's request: a put has exactly that one, a get or head none.
  if (
    fields.ok !== true ||
    (!isPut && op !== "get" && op !== "head") ||
    !isLine(key) ||
    !isLine(url) ||
    fields.method !== methodOf(op) ||
    typeof expires !== "number" ||
    typeof headers !== "object" ||
    headers === null ||
    Object.keys(headers).join() !== (isPut ? "Content-Length" : "") ||
    (isPut ? !isLine(headers["Content-Length"]) || !isLine(check) : check !== undefined)
  ) {
    return undefined;
  }
  const grant: SignedPresignReply = { id: id, ok: true, op: op, key: key, method: methodOf(op), url: url, expires: expires, headers: headers, mac: mac };
  if (isPut) grant.check = check as string;
  return grant;
}

/** A string that cannot shift the lines of the MAC input (hmac-input.ts). */
function isLine(value: unknown): value is string {
  return typeof value === "string" && value.indexOf("\n") < 0;
}
