// Presigned S3 requests. Credentials come from the SDK's default chain
// (environment, shared profile, container or instance role) unless given
// explicitly, as for the in-process local store. Object URLs are signed
// in-process once ready() has checked that signer against the SDK
// (sigv4-calibration.ts); POST policies and CORS always go through the SDK.
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
import { calibrate } from "./sigv4-calibration.js";
import type { QueryPresigner } from "./sigv4.js";

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

/** How object URLs are signed: in-process, or by the SDK and why. */
export type SigningMode = { kind: "in-process" } | { kind: "sdk"; reason: string };

export class S3Signer {
  readonly client: S3Client;
  private presigner: QueryPresigner | undefined;
  private signingMode: SigningMode = { kind: "sdk", reason: "ready() has not run" };

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

  get mode(): SigningMode {
    return this.signingMode;
  }

  /**
   * Resolves region and credentials now, so a missing one stops the service
   * at startup with a message instead of failing every request later; then
   * checks the in-process signer against the SDK.
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
    const calibration = await calibrate((...args) => this.sdkPresign(...args), await this.client.config.credentials()).catch((err: unknown) => ({
      problem: `the AWS SDK could not presign a probe URL (${err instanceof Error ? err.message : String(err)})`,
    }));
    this.presigner = "presigner" in calibration ? calibration.presigner : undefined;
    this.signingMode = "presigner" in calibration ? { kind: "in-process" } : { kind: "sdk", reason: calibration.problem };
  }

  /** A presigned URL; for PUT the exact `contentLength` is part of the signature. */
  async presign(method: HttpMethod, objectKey: string, expiresIn: number, contentLength?: number): Promise<SignedUrl> {
    const signingDate = new Date();
    const url = this.presigner
      ? // The SDK's provider caches the credentials and renews role credentials before they expire.
        this.presigner.presign(await this.client.config.credentials(), { method, objectKey, expiresIn, contentLength, signingDate })
      : await this.sdkPresign(method, objectKey, expiresIn, contentLength, signingDate);
    return { url, expires: Math.floor(signingDate.getTime() / 1000) + expiresIn };
  }

  private sdkPresign(method: HttpMethod, objectKey: string, expiresIn: number, contentLength: number | undefined, signingDate: Date): Promise<string> {
    const target = { Bucket: this.options.bucket, Key: objectKey };
    const command =
      method === "PUT"
        ? new PutObjectCommand({ ...target, ContentLength: contentLength })
        : method === "GET"
          ? new GetObjectCommand(target)
          : new HeadObjectCommand(target);
    return getSignedUrl(this.client, command, { expiresIn, signingDate });
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
