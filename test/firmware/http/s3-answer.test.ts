// What the device reads out of S3's answers, on bodies real stores sent.
import { describe, expect, it } from "vitest";
import { parseS3Error } from "../../../firmware/src/http/s3-answer.js";
import * as responses from "./responses.js";

describe("parseS3Error", () => {
  it("finds the code of Ceph RGW's errors, which carry an empty <Message>", () => {
    expect(parseS3Error(responses.RGW_SIGNATURE_MISMATCH_BODY)).toEqual({ code: "SignatureDoesNotMatch", message: "" });
    expect(parseS3Error(responses.RGW_EXPIRED_BODY)).toEqual({ code: "AccessDenied", message: "" });
    expect(parseS3Error(responses.RGW_NO_SUCH_KEY_BODY)).toEqual({ code: "NoSuchKey", message: "" });
  });

  it("finds code and message in s3rver's and AWS's errors, line breaks and indentation included", () => {
    expect(parseS3Error(responses.S3RVER_EXPIRED_BODY)).toEqual({ code: "AccessDenied", message: "Request has expired" });
    expect(parseS3Error(responses.S3RVER_SIGNATURE_MISMATCH_BODY)).toEqual({
      code: "SignatureDoesNotMatch",
      message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    });
    expect(parseS3Error(responses.AWS_NO_SUCH_KEY_BODY)).toEqual({ code: "NoSuchKey", message: "The resource you requested does not exist" });
  });

  it("gives undefined for a body that is not an S3 error, or is cut before the code ends", () => {
    expect(parseS3Error("")).toBeUndefined();
    expect(parseS3Error("<html><body>502 Bad Gateway</body></html>")).toBeUndefined();
    expect(parseS3Error(responses.RGW_SIGNATURE_MISMATCH_BODY.slice(0, 60))).toBeUndefined();
  });

  it("gives an empty message when the store sent no <Message> at all", () => {
    expect(parseS3Error("<Error><Code>SlowDown</Code></Error>")).toEqual({ code: "SlowDown", message: "" });
  });
});
