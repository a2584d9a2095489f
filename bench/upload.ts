/**
 * bench/upload: the device uploader's throughput for a 10 MB SD-card file in
 * the emulator, as a ratio to a bare socket loop that writes the same file on
 * drain to the same store in the same run (bench/upload/arms.ts), and the
 * size of the whole default app, built fresh and minified, against its
 * 16 KB limit. Exits non-zero when the bundle is over the limit.
 *
 * Options: --mb 10 --rounds 6 --store rgw|s3rver --transport tls|plain
 * --entry <app.ts>: measure another build of the app (a copy of firmware/ with
 * a change to try, with its own tsconfig.json beside src/) instead of the
 * default app; its bundle is then not written to dist/firmware/app.js.
 * Results: docs/benchmarks.md.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client, HeadObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { randomBytes } from "node:crypto";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildFirmware } from "../host-tools/src/build/firmware.js";
import { startLocalStore } from "../host-tools/src/local/store.js";
import { DEFAULT_APP_ENTRY, DEFAULT_BUNDLE, PACKAGE_ROOT } from "../host-tools/src/paths.js";
import { validateConfig } from "../host-tools/src/presigner/config.js";
import { Logger } from "../host-tools/src/presigner/log.js";
import { startPresigner } from "../host-tools/src/presigner/presigner.js";
import { startMosquitto } from "../test/support/mosquitto.js";
import { startRgw } from "../test/support/rgw.js";
import { describeMachine } from "./support/machine.js";
import { CARD_FILE, timeSocketLoop, timeUploader } from "./upload/arms.js";
import { BUNDLE_LIMIT_BYTES, printReport, type RoundResult } from "./upload/report.js";

const { values } = parseArgs({
  options: {
    mb: { type: "string", default: "10" },
    rounds: { type: "string", default: "6" },
    store: { type: "string", default: "rgw" },
    transport: { type: "string", default: "tls" },
    entry: { type: "string" },
  },
});
const plan = {
  bytes: wholeNumber("mb", values.mb, 1, 100) * 1024 * 1024,
  rounds: wholeNumber("rounds", values.rounds, 1, 20),
  store: oneOf("store", values.store, ["rgw", "s3rver"] as const),
  transport: oneOf("transport", values.transport, ["tls", "plain"] as const),
};
if (plan.store === "s3rver" && plan.transport === "tls") throw new Error("--store s3rver serves plain HTTP only: add --transport plain");

const MASTER_SECRET = "bench-upload-master-secret-0123456789abcdef";
const BUCKET = "bench-upload";
/** The app's default upload.chunkSize: the loop writes the same pieces. */
const CHUNK_SIZE = 2048;
const WARM_UP_BYTES = 1024 * 1024;
const PER_FILE_ROUNDS = 3;
const SOCKET_LOOP = `${PACKAGE_ROOT}/test/fixtures/firmware/socket-loop.ts`;

const machine = describeMachine();
const [app, loop] = await Promise.all([buildApp(), buildFirmware({ entry: SOCKET_LOOP })]);
const store = await startStore();
const broker = await startMosquitto();
const admin = s3Client(store.endpoint);
try {
  await admin.send(new CreateBucketCommand({ Bucket: BUCKET })).catch((error: { name?: string }) => {
    if (error.name !== "BucketAlreadyOwnedByYou" && error.name !== "BucketAlreadyExists") throw error;
  });
  // Signed for the endpoint the device talks to; the admin client may use another (RGW's plain port).
  const signer = s3Client(store.deviceEndpoint);
  const presigner = await startPresigner(
    validateConfig(
      {
        masterSecret: MASTER_SECRET,
        mqtt: { url: broker.url },
        s3: { endpoint: store.deviceEndpoint, bucket: BUCKET, region: "us-east-1" },
        http: false,
        log: { level: "warn" },
      },
      "bench/upload",
    ),
    { log: new Logger(process.stderr, "warn"), credentials: store.credentials },
  );
  try {
    const data = randomBytes(plan.bytes);
    const rounds: RoundResult[] = [];
    const runLoop = async (round: number | string, file = data) => {
      const key = `bench/socket-loop-${round}.bin`;
      const url = await getSignedUrl(signer, new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentLength: file.length }), { expiresIn: 900 });
      const timing = await timeSocketLoop({ loop: loop.code, url, data: file, chunkSize: CHUNK_SIZE });
      await expectStored(key, file.length);
      return timing;
    };
    const runUploader = async (round: number | string, file = data) => {
      const deviceId = `bench-upload-${round}`;
      const timing = await timeUploader({ app: app.code, deviceId, masterSecret: MASTER_SECRET, broker: { host: "127.0.0.1", port: broker.port }, data: file });
      await expectStored(`devices/${deviceId}${CARD_FILE}`, file.length);
      return timing;
    };
    // Not counted: the first uploads in a process also pay for compiling the emulator's hot paths.
    const warmUp = data.subarray(0, WARM_UP_BYTES);
    await runLoop("warm-up", warmUp);
    await runUploader("warm-up", warmUp);
    // One chunk: what each arm costs per file, whatever its size.
    const oneChunk = data.subarray(0, CHUNK_SIZE);
    const perFile: RoundResult[] = [];
    for (let round = 1; round <= PER_FILE_ROUNDS; round++) {
      perFile.push({ loop: await runLoop(`chunk-${round}`, oneChunk), uploader: await runUploader(`chunk-${round}`, oneChunk) });
    }
    for (let round = 1; round <= plan.rounds; round++) {
      // Each arm goes first in every other round, so a warming or drifting machine favours neither.
      if (round % 2 === 1) {
        const loopTiming = await runLoop(round);
        rounds.push({ loop: loopTiming, uploader: await runUploader(round) });
      } else {
        const uploaderTiming = await runUploader(round);
        rounds.push({ loop: await runLoop(round), uploader: uploaderTiming });
      }
    }
    printReport({
      machine,
      bytes: plan.bytes,
      chunkSize: CHUNK_SIZE,
      store: plan.store === "rgw" ? "Ceph RGW" : "s3rver (in this process)",
      transport: plan.transport === "tls" ? "TLS" : "plain TCP",
      bundleBytes: app.bytes,
      bundlePath: values.entry === undefined ? relative(process.cwd(), DEFAULT_BUNDLE) : `${values.entry} (built)`,
      rounds,
      perFile,
    });
    if (app.bytes > BUNDLE_LIMIT_BYTES) process.exitCode = 1;
  } finally {
    await presigner.close();
    signer.destroy();
  }
} finally {
  admin.destroy();
  await broker.stop();
  await store.stop();
}

/** The default app, written where `ferry build` writes it; or the app of --entry, built with the tsconfig of its firmware folder. */
function buildApp(): ReturnType<typeof buildFirmware> {
  if (values.entry === undefined) return buildFirmware({ entry: DEFAULT_APP_ENTRY, outFile: DEFAULT_BUNDLE });
  const entry = resolve(values.entry);
  return buildFirmware({ entry, tsconfig: join(dirname(entry), "..", "tsconfig.json") });
}

/** The store, its admin endpoint, and the endpoint devices reach (TLS or plain). */
async function startStore(): Promise<{ endpoint: string; deviceEndpoint: string; credentials: { accessKeyId: string; secretAccessKey: string }; stop(): Promise<void> }> {
  if (plan.store === "s3rver") {
    const local = await startLocalStore({ bucket: BUCKET });
    return { endpoint: local.endpoint, deviceEndpoint: local.endpoint, credentials: local.credentials, stop: () => local.close() };
  }
  const rgw = await startRgw({ tls: plan.transport === "tls" });
  const deviceEndpoint = plan.transport === "tls" ? rgw.tlsEndpoint! : rgw.endpoint;
  return { endpoint: rgw.endpoint, deviceEndpoint, credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey }, stop: () => rgw.stop() };
}

/** A client as the presigner builds one (design.md, "Real parts"). */
function s3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: store.credentials,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** A timing counts only if the store holds the whole file. */
async function expectStored(key: string, size: number): Promise<void> {
  const head = await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  if (head.ContentLength !== size) throw new Error(`${key} is ${head.ContentLength} bytes in the store, not ${size}`);
}

function wholeNumber(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

function oneOf<T extends string>(name: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new Error(`--${name} must be one of ${choices.join(", ")}, got "${text}"`);
  return text as T;
}
