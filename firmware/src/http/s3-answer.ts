// The code of an S3 XML error body, found with indexOf: the engine has no
// XML parser and its regular expressions cannot be trusted (docs/engine.md).
// The size check after an upload reads the Content-Range text itself
// (firmware/src/uploader/round.ts).

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
