// What the device reads out of S3's answers: the Content-Range of a ranged
// GET (the size check after an upload) and the code of an XML error body.
// Both are found with indexOf: the engine has no XML parser and its regular
// expressions cannot be trusted (docs/engine.md).
import { digits } from "./digits.js";

export interface ContentRange {
  first: number;
  last: number;
  /** The whole object's size. */
  total: number;
}

/**
 * `bytes first-last/total` (RFC 9110 §14.4). Undefined for anything else:
 * S3 always sends the total, so an unknown one ("*") is refused too.
 */
export function parseContentRange(value: string | undefined): ContentRange | undefined {
  const text = value || "";
  const dash = text.indexOf("-");
  const slash = text.indexOf("/");
  // A separator out of place leaves a non-digit in some part, which digits() refuses.
  const range = { first: digits(text.slice(6, dash), 10), last: digits(text.slice(dash + 1, slash), 10), total: digits(text.slice(slash + 1), 10) };
  return text.slice(0, 6) === "bytes " && range.first >= 0 && range.last >= range.first && range.total > range.last ? range : undefined;
}

export interface S3Error {
  /** S3's error code, e.g. `SignatureDoesNotMatch`, `AccessDenied`, `NoSuchKey`. */
  code: string;
  /** Empty when the store sent none (Ceph RGW often does not). */
  message: string;
}

/** The `<Code>` and `<Message>` of an S3 error document; undefined when there is no `<Code>`. */
export function parseS3Error(body: string): S3Error | undefined {
  const code = element(body, "Code");
  return code ? { code: code, message: element(body, "Message") } : undefined;
}

/** The text of the first `<name>` element; "" when there is none, or it is cut short. */
function element(xml: string, name: string): string {
  const start = xml.indexOf("<" + name + ">");
  const end = xml.indexOf("</" + name + ">", start);
  return start < 0 || end < 0 ? "" : xml.slice(start + name.length + 2, end);
}
