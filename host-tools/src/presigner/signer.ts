// Presigned S3 requests, made with the AWS SDK. Credentials come from the
// SDK's default chain (environment, shared profile, container or instance
// role) unless given explicitly, as for the in-process local store.
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  S3Client,
  type CORSRule,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { HttpMethod } from "../../../firmware/src/protocol/presign-reply.js";

export interface SignerOptions {
  bucket: string;
  /** Undefined for AWS S3 itself; otherwise the store's base URL, e.g. http://127.0.0.1:7480. */
  endpoint?: string;
  /** Undefined to take it from the SDK's chain (AWS_REGION, the profile). */
  region?: string;
  /** Bucket in the path rather than the host name: what local stores need. */
  forcePathStyle: boolean;
  /** Fixed credentials; undefined for the SDK's default chain. */
  credentials?: S3ClientConfig["credentials"];
}

export interface SignedUrl {
  url: string;
  /** Unix seconds after which the store refuses the URL. */
  expires: number;
}

export interface PostPolicyRequest {
  /** Full object key; ending in "${filename}" lets the browser's file name complete it. */
  objectKey: string;
  maxBytes: number;
  /** When given, the upload must declare exactly this Content-Type. */
  contentType?: string;
  expiresIn: number;
}

export interface SignedPost {
  url: string;
  /** Form fields to send before the file, the policy and its signature among them. */
  fields: Record<string, string>;
  expires: number;
}

export class S3Signer {
  readonly client: S3Client;

  constructor(private readonly options: SignerOptions) {
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // Otherwise the SDK adds an empty-body CRC32 to presigned PUTs, which
      // S3 then checks against the real body and refuses (design.md).
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  get bucket(): string {
    return this.options.bucket;
  }

  /**
   * Resolves region and credentials now, so a missing one stops the service
   * at startup with a message instead of failing every request later.
   */
  async ready(): Promise<void> {
    try {
      await this.client.config.region();
    } catch {
      throw new Error("no AWS region: set s3.region in the config, or AWS_REGION");
    }
    try {
      await this.client.config.credentials();
    } catch {
      throw new Error(
        "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with an instance or task role",
      );
    }
  }

  /** A presigned URL; for PUT the exact `contentLength` is part of the signature. */
  async presign(method: HttpMethod, objectKey: string, expiresIn: number, contentLength?: number): Promise<SignedUrl> {
    const signingDate = new Date();
    const target = { Bucket: this.options.bucket, Key: objectKey };
    const command =
      method === "PUT"
        ? new PutObjectCommand({ ...target, ContentLength: contentLength })
        : method === "GET"
          ? new GetObjectCommand(target)
          : new HeadObjectCommand(target);
    const url = await getSignedUrl(this.client, command, { expiresIn, signingDate });
    return { url, expires: Math.floor(signingDate.getTime() / 1000) + expiresIn };
  }

  /** A browser upload form: size range, key prefix and content type are in the signed policy. */
  async presignPost(request: PostPolicyRequest): Promise<SignedPost> {
    const started = Math.floor(Date.now() / 1000);
    const conditions: Parameters<typeof createPresignedPost>[1]["Conditions"] = [["content-length-range", 0, request.maxBytes]];
    const fields: Record<string, string> = {};
    if (request.contentType !== undefined) {
      conditions.push(["eq", "$Content-Type", request.contentType]);
      fields["Content-Type"] = request.contentType;
    }
    const post = await createPresignedPost(this.client, {
      Bucket: this.options.bucket,
      Key: request.objectKey,
      Conditions: conditions,
      Fields: fields,
      Expires: request.expiresIn,
    });
    return { url: post.url, fields: post.fields, expires: started + request.expiresIn };
  }

  /** Lets browsers on `origins` POST forms (and use presigned URLs) against the bucket. */
  async applyCors(origins: readonly string[]): Promise<void> {
    await this.client.send(
      new PutBucketCorsCommand({
        Bucket: this.options.bucket,
        CORSConfiguration: { CORSRules: [corsRule(origins)] },
      }),
    );
  }

  close(): void {
    this.client.destroy();
  }
}

/** The bucket CORS rule `ferry presigner cors` applies. */
export function corsRule(origins: readonly string[]): CORSRule {
  return {
    AllowedOrigins: [...origins],
    AllowedMethods: ["POST", "PUT", "GET", "HEAD"],
    AllowedHeaders: ["*"],
    ExposeHeaders: ["ETag"],
    MaxAgeSeconds: 3000,
  };
}
