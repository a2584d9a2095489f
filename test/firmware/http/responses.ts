// HTTP responses as bytes, for the parser tests. The S3 ones were captured
// from Ceph RGW 16.2 and @20minutes/s3rver 4.0.4 answering raw requests
// with presigned URLs; the chunked ones are shaped after RFC 9112 §7.1.

/** Joins header lines with CRLF and adds the empty line before the body. */
export function response(lines: string[], body = ""): string {
  return lines.join("\r\n") + "\r\n\r\n" + body;
}

export const RGW_PUT_OK = response([
  "HTTP/1.1 200 OK",
  "Content-Length: 0",
  'ETag: "781e5e245d69b566979b86e28d23f2c7"',
  "Accept-Ranges: bytes",
  "x-amz-request-id: tx0000017c924a7cde6ea9c-006b01b872-100c-default",
  "Date: Sat, 21 Nov 2026 15:27:46 GMT",
  "Connection: close",
]);

export const RGW_RANGE = response(
  [
    "HTTP/1.1 206 Partial Content",
    "Content-Length: 1",
    "Content-Range: bytes 0-0/10",
    "Accept-Ranges: bytes",
    "Last-Modified: Sat, 21 Nov 2026 15:27:46 GMT",
    "x-rgw-object-type: Normal",
    'ETag: "781e5e245d69b566979b86e28d23f2c7"',
    "x-amz-request-id: tx000003dcb051e404ed8ff-006b01b872-100c-default",
    "Content-Type: binary/octet-stream",
    "Date: Sat, 21 Nov 2026 15:27:46 GMT",
    "Connection: close",
  ],
  "0",
);

/** A presigned PUT sent with one byte more than the signed Content-Length. */
export const RGW_SIGNATURE_MISMATCH_BODY =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message></Message><RequestId>tx00000b28129083157b899-006b01b872-100c-default</RequestId><HostId>100c-default-default</HostId></Error>';

export const RGW_SIGNATURE_MISMATCH = response(
  [
    "HTTP/1.1 403 Forbidden",
    "Content-Length: 213",
    "x-amz-request-id: tx00000b28129083157b899-006b01b872-100c-default",
    "Accept-Ranges: bytes",
    "Content-Type: application/xml",
    "Date: Sat, 21 Nov 2026 15:27:46 GMT",
    "Connection: close",
  ],
  RGW_SIGNATURE_MISMATCH_BODY,
);

/** A presigned GET used after its expiry. */
export const RGW_EXPIRED_BODY =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message></Message><RequestId>tx000005b0832210206c482-006b01b872-100c-default</RequestId><HostId>100c-default-default</HostId></Error>';

export const RGW_NO_SUCH_KEY_BODY =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message></Message><BucketName>capture-480a5e1f</BucketName><RequestId>tx00000dc77a1dff26ddd61-006b01b872-100c-default</RequestId><HostId>100c-default-default</HostId></Error>';

export const S3RVER_EXPIRED_BODY =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>60</X-Amz-Expires><Expires>2026-11-21T14:28:46Z</Expires><ServerTime>2026-11-21T15:27:46Z</ServerTime></Error>';

export const S3RVER_SIGNATURE_MISMATCH_BODY =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message><AWSAccessKeyId>S3RVER</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n20261121T152746Z\n20261121/us-east-1/s3/aws4_request\nabdebd663cb05cc16fd9387004b4d2c5f2ec4651993441850612df09c3b0198e</StringToSign></Error>';

export const S3RVER_NO_SUCH_KEY = response(
  ["HTTP/1.1 404 Not Found", "Content-Type: application/xml", "Content-Length: 143", "Date: Sat, 21 Nov 2026 15:27:46 GMT", "Connection: close"],
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>nope</Key></Error>',
);

/** The example in AWS's S3 documentation (ErrorResponses), indented and with line breaks. */
export const AWS_NO_SUCH_KEY_BODY = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  "<Error>",
  "  <Code>NoSuchKey</Code>",
  "  <Message>The resource you requested does not exist</Message>",
  "  <Resource>/mybucket/myfoto.jpg</Resource>",
  "  <RequestId>4442587FB7D0A2F9</RequestId>",
  "</Error>",
].join("\n");

/** Chunked, with chunk extensions, upper-case hex, a trailer field and a zero-length last chunk. */
export const CHUNKED = response(
  ["HTTP/1.1 200 OK", "Content-Type: text/plain", "Transfer-Encoding: gzip, chunked", "Trailer: Expires"],
  "5;name=value\r\nhello\r\n" +
    "1A ; quoted=\"a;b\"\r\n" + "abcdefghijklmnopqrstuvwxyz\r\n" +
    "0\r\nExpires: Sat, 21 Nov 2026 16:00:00 GMT\r\n\r\n",
);

export const CONTINUE_THEN_OK = "HTTP/1.1 100 Continue\r\n\r\n" + "HTTP/1.1 102 Processing\r\nX-Step: 1\r\n\r\n" + response(["HTTP/1.1 200 OK", "Content-Length: 2"], "ok");

export const NO_CONTENT = response(["HTTP/1.1 204 No Content", "Content-Length: 99"]);

export const NOT_MODIFIED = response(["HTTP/1.1 304 Not Modified", 'ETag: "x"', "Content-Length: 10"]);

/** No Content-Length and no Transfer-Encoding: the body runs until the server closes. */
export const UNTIL_CLOSE = "HTTP/1.1 200 OK\nContent-Type: text/plain\n\nline one\nline two\n";

/** Repeated and oddly cased fields, and optional whitespace around values. */
export const REPEATED_FIELDS = response(
  ["HTTP/1.1 200 OK", "Set-Thing: a", "content-length:   3  ", "SET-THING:b", "X-Empty:", "Set-Thing: c"],
  "\x00\xff\x80",
);
