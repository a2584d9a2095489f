// An in-process S3 store (@20minutes/s3rver) for `npm start` and tests. It
// checks SigV4 signatures, presigned query parameters and expiry, but not
// POST policies (design.md): policy tests need Ceph RGW.
import S3rver from "@20minutes/s3rver";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** s3rver's built-in account; a local store has nothing to protect. */
export const LOCAL_STORE_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;
export const LOCAL_STORE_REGION = "us-east-1";
export const LOCAL_STORE_BUCKET = "ferry";

export interface LocalStore {
  /** http://127.0.0.1:<port>, to be used path-style. */
  endpoint: string;
  port: number;
  bucket: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;
}

export interface LocalStoreOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  bucket?: string;
  /** Where objects are kept; a fresh temporary folder (removed on close) when not given. */
  directory?: string;
}

export async function startLocalStore(options: LocalStoreOptions = {}): Promise<LocalStore> {
  const host = options.host ?? "127.0.0.1";
  const bucket = options.bucket ?? LOCAL_STORE_BUCKET;
  const temporary = options.directory === undefined ? await mkdtemp(join(tmpdir(), "ferry-s3-")) : undefined;
  const server = new S3rver({
    address: host,
    port: options.port ?? 0,
    silent: true,
    directory: options.directory ?? temporary,
    configureBuckets: [{ name: bucket }],
  });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (err) {
    throw new Error(`the local S3 store cannot listen on ${host}:${options.port ?? 0}: ${(err as Error).message}`);
  }
  return {
    endpoint: `http://${host}:${port}`,
    port,
    bucket,
    region: LOCAL_STORE_REGION,
    credentials: { ...LOCAL_STORE_CREDENTIALS },
    async close() {
      // Idle keep-alive connections would hold close() open for seconds.
      server.httpServer?.closeAllConnections();
      await server.close();
      if (temporary !== undefined) await rm(temporary, { recursive: true, force: true });
    },
  };
}
