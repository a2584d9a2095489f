// What the bucket holds, device by device, and whether each sample file a
// device reported stored is in it byte for byte: read back and hashed, not
// taken from the device's word or an ETag.
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { uploadObjectKey } from "../../../firmware/src/protocol/keys.js";
import { LOCAL_STORE_CREDENTIALS } from "../local/store.js";
import type { DeviceProgress } from "./progress.js";
import { sha256 } from "./sample-logs.js";
import type { StackEndpoints } from "./state-file.js";

export interface BucketSummary {
  bucket: string;
  devices: DeviceObjects[];
  objects: number;
  bytes: number;
}

export interface DeviceObjects {
  device: string;
  /** `<devicesPrefix>/<dev>/` */
  prefix: string;
  objects: number;
  bytes: number;
  /** Sample files put on its card, and how many the bucket holds exactly; absent for devices without samples here. */
  samples?: { total: number; matching: number; problems: string[] };
}

export class BucketReader {
  private readonly client: S3Client;

  constructor(private readonly endpoints: StackEndpoints) {
    this.client = new S3Client({
      endpoint: endpoints.store.endpoint,
      region: endpoints.store.region,
      forcePathStyle: true,
      credentials: { ...LOCAL_STORE_CREDENTIALS },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    // The SDK signs a path-style bucket request (a listing) as "/<bucket>/";
    // s3rver 4 checks it as "/<bucket>" and answers SignatureDoesNotMatch.
    // Both route it the same way, so sign what s3rver checks.
    const bucketPath = `/${endpoints.store.bucket}/`;
    this.client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { path?: string };
        if (request.path === bucketPath) request.path = bucketPath.slice(0, -1);
        return next(args);
      },
      { step: "build", name: "s3rverBucketPath" },
    );
  }

  /** Every device folder in the bucket, with `progress` telling which samples to check. */
  async summary(progress: readonly DeviceProgress[]): Promise<BucketSummary> {
    const bucket = this.endpoints.store.bucket;
    const folders = new Map<string, { objects: number; bytes: number }>();
    const top = `${this.endpoints.devicesPrefix}/`;
    for await (const object of this.list(top)) {
      const device = object.key.slice(top.length).split("/")[0]!;
      const folder = folders.get(device) ?? { objects: 0, bytes: 0 };
      folder.objects++;
      folder.bytes += object.size;
      folders.set(device, folder);
    }
    for (const record of progress) if (!folders.has(record.device)) folders.set(record.device, { objects: 0, bytes: 0 });
    const devices: DeviceObjects[] = [];
    for (const [device, folder] of [...folders].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))) {
      const record = progress.find((candidate) => candidate.device === device);
      const entry: DeviceObjects = { device, prefix: `${top}${device}/`, ...folder };
      if (record && record.samples.length > 0) entry.samples = await this.checkSamples(record);
      devices.push(entry);
    }
    return {
      bucket,
      devices,
      objects: devices.reduce((sum, entry) => sum + entry.objects, 0),
      bytes: devices.reduce((sum, entry) => sum + entry.bytes, 0),
    };
  }

  close(): void {
    this.client.destroy();
  }

  private async checkSamples(record: DeviceProgress): Promise<{ total: number; matching: number; problems: string[] }> {
    const layout = { devicesPrefix: this.endpoints.devicesPrefix, releasesPrefix: "" };
    const problems: string[] = [];
    for (const sample of record.samples) {
      const key = record.storedSamples.get(sample.path);
      if (key === undefined) {
        problems.push(`${sample.path}: not reported stored yet`);
        continue;
      }
      const objectKey = uploadObjectKey(layout, record.device, key);
      const body = await this.read(objectKey);
      if (body === undefined) problems.push(`${sample.path}: reported stored as ${objectKey}, which the bucket does not hold`);
      else if (body.length !== sample.size) problems.push(`${sample.path}: ${objectKey} holds ${body.length} bytes, the card had ${sample.size}`);
      else if (sha256(body) !== sample.sha256) problems.push(`${sample.path}: ${objectKey} differs from the card's file in content`);
    }
    return { total: record.samples.length, matching: record.samples.length - problems.length, problems };
  }

  private async *list(prefix: string): AsyncGenerator<{ key: string; size: number }> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.endpoints.store.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) yield { key: object.Key!, size: object.Size ?? 0 };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  private async read(objectKey: string): Promise<Uint8Array | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.endpoints.store.bucket, Key: objectKey }));
      return await object.Body!.transformToByteArray();
    } catch (err) {
      if ((err as { name?: string }).name === "NoSuchKey") return undefined;
      throw err;
    }
  }
}
