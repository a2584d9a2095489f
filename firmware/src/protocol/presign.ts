// Presign requests: what a device sends on `<prefix>/<dev>/presign`.
// docs/protocol.md shows every message; this module is its one definition,
// compiled into the device bundle and into the service.
import { isId } from "./topics.js";
import { keyProblem, type BucketLayout } from "./keys.js";

export const MAX_REQUEST_ID_LENGTH = 32;

export type PresignOp = "put" | "get" | "head";

/** An upload of exactly `size` bytes under the device's own folder. @wire */
export interface PutRequest {
  id: string;
  op: "put";
  key: string;
  size: number;
}

/** A download (or size check) of a release object. @wire */
export interface ReadRequest {
  id: string;
  op: "get" | "head";
  key: string;
}

export type PresignRequest = PutRequest | ReadRequest;

/** Every refusal code a reply can carry; docs/protocol.md explains each. */
export type PresignErrorCode =
  | "bad-json"
  | "bad-request"
  | "unknown-op"
  | "bad-key"
  | "too-large"
  | "duplicate-id"
  | "rate-limited"
  | "internal";

export const PRESIGN_ERROR_CODES: readonly PresignErrorCode[] = [
  "bad-json",
  "bad-request",
  "unknown-op",
  "bad-key",
  "too-large",
  "duplicate-id",
  "rate-limited",
  "internal",
];

/** Why a request cannot be granted. `id` is "" when the request had no usable id. */
export interface RequestProblem {
  id: string;
  error: PresignErrorCode;
  message: string;
}

export type ParsedRequest = { ok: true; request: PresignRequest } | ({ ok: false } & RequestProblem);

export interface RequestLimits {
  /** The largest `size` a put may name, in bytes. */
  maxUploadBytes: number;
}

const FIELDS = ["id", "op", "key", "size"];

/** 1 to 32 characters of A-Z a-z 0-9 _ -. */
export function isRequestId(text: string): boolean {
  return isId(text, MAX_REQUEST_ID_LENGTH);
}

/** The JSON a device sends: fields in the documented order, `size` only for a put. */
export function presignRequestJson(request: PresignRequest): string {
  // JSON.stringify leaves out a field whose value is undefined.
  return JSON.stringify({ id: request.id, op: request.op, key: request.key, size: (request as PutRequest).size });
}

/** Parses and checks one request payload; never throws. */
export function parsePresignRequest(text: string, limits: RequestLimits, layout: BucketLayout): ParsedRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return refuse(recoverRequestId(text), "bad-json", "the request is not valid JSON: send one JSON object such as {\"id\":\"r1\",\"op\":\"put\",\"key\":\"logs/1.log\",\"size\":100}");
  }
  if (typeof value !== "object" || value === null || value instanceof Array) {
    return refuse("", "bad-request", "the request must be a JSON object with id, op and key");
  }
  const fields = value as { [name: string]: unknown };
  const id = fields["id"];
  if (typeof id !== "string" || !isRequestId(id)) {
    return refuse("", "bad-request", "\"id\" must be 1 to " + MAX_REQUEST_ID_LENGTH + " characters of A-Z a-z 0-9 _ -, new for every request");
  }
  for (const name in fields) {
    if (Object.prototype.hasOwnProperty.call(fields, name) && FIELDS.indexOf(name) < 0) {
      return refuse(id, "bad-request", "unknown field \"" + printable(name) + "\": a request has only id, op, key and size");
    }
  }
  const op = fields["op"];
  if (op === undefined) return refuse(id, "bad-request", "\"op\" is missing: send \"put\", \"get\" or \"head\"");
  if (op !== "put" && op !== "get" && op !== "head") {
    return refuse(id, "unknown-op", "\"op\" must be \"put\", \"get\" or \"head\"");
  }
  const key = fields["key"];
  if (typeof key !== "string") return refuse(id, "bad-request", "\"key\" must be a string naming the object, e.g. \"logs/0001.log\"");
  const problem = keyProblem(key, layout);
  if (problem !== undefined) return refuse(id, "bad-key", problem);
  const size = fields["size"];
  if (op !== "put") {
    if (size !== undefined) return refuse(id, "bad-request", "\"size\" belongs to put requests only: leave it out of " + op);
    return { ok: true, request: { id: id, op: op, key: key } };
  }
  if (size === undefined) return refuse(id, "bad-request", "\"size\" is missing: a put must name the exact number of bytes it will upload");
  if (typeof size !== "number" || !isFinite(size) || Math.floor(size) !== size || size < 0) {
    return refuse(id, "bad-request", "\"size\" must be a whole number of bytes, 0 or more");
  }
  if (size > limits.maxUploadBytes) {
    return refuse(id, "too-large", "\"size\" is " + size + " bytes; the service signs uploads of at most " + limits.maxUploadBytes + " bytes: split the file");
  }
  return { ok: true, request: { id: id, op: "put", key: key, size: size } };
}

/**
 * The request id of a payload too large or too broken to parse, found by a
 * plain scan for `"id":"..."`; "" when there is none. The scan is cheap, so
 * an oversized payload can still get an answer its sender can match.
 */
export function recoverRequestId(text: string): string {
  const at = text.indexOf("\"id\"");
  if (at < 0) return "";
  let i = skipSpaces(text, at + 4);
  if (text.charAt(i) !== ":") return "";
  i = skipSpaces(text, i + 1);
  if (text.charAt(i) !== "\"") return "";
  const start = i + 1;
  const end = text.indexOf("\"", start);
  if (end < 0) return "";
  const id = text.substring(start, end);
  return isRequestId(id) ? id : "";
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text.charAt(i) === " " || text.charAt(i) === "\t" || text.charAt(i) === "\n" || text.charAt(i) === "\r")) i++;
  return i;
}

/** A field name quoted back in a message: ASCII, short, no quotes. */
function printable(name: string): string {
  let out = "";
  for (let i = 0; i < name.length && i < 32; i++) {
    const code = name.charCodeAt(i);
    out += code >= 32 && code <= 126 && code !== 34 && code !== 92 ? name.charAt(i) : "?";
  }
  return out;
}

function refuse(id: string, error: PresignErrorCode, message: string): ParsedRequest {
  return { ok: false, id: id, error: error, message: message };
}
