// The local stack in-process, as `npm start` runs it: aedes, s3rver, the real
// presigner, and emulated devices running the real default app. Every check
// of the bucket reads objects back and compares them with sample logs made
// again from the device id, not with anything the stack reports.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFirmware } from "../../host-tools/src/build/firmware.js";
import { LOCAL_STORE_CREDENTIALS } from "../../host-tools/src/local/store.js";
import { DEFAULT_APP_ENTRY } from "../../host-tools/src/paths.js";
import { joinLocalStack, startLocalStack, writeSampleLogs, type LocalStack, type SimDevice } from "../../host-tools/src/stack/index.js";
import { readStackState } from "../../host-tools/src/stack/state-file.js";

const UPLOAD_WAIT_MS = 90_000;

let bundle: string;
let stack: LocalStack;
let s3: S3Client;
let baseline: Map<string, number>;

beforeAll(async () => {
  bundle = (await buildFirmware({ entry: DEFAULT_APP_ENTRY })).code;
  baseline = handles();
  stack = await startLocalStack({ bundle });
  s3 = new S3Client({
    endpoint: stack.store.endpoint,
    region: stack.store.region,
    forcePathStyle: true,
    credentials: { ...LOCAL_STORE_CREDENTIALS },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

/** The bucket's copy of one sample, by the key the device reported. */
async function bucketCopy(device: string, key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: stack.store.bucket, Key: `devices/${device}/${key}` }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

/** The sample logs `device` started with, made again in a scratch folder. */
async function originalSamples(device: string): Promise<Map<string, Buffer>> {
  const scratch = await mkdtemp(join(tmpdir(), "ferry-samples-"));
  try {
    const samples = await writeSampleLogs(scratch, device);
    const files = new Map<string, Buffer>();
    for (const sample of samples) files.set(sample.path, await readFile(join(scratch, sample.path)));
    return files;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Every sample of `device` is in the bucket byte for byte and gone from its card. */
async function expectShipped(device: SimDevice, storedSamples: ReadonlyMap<string, string>): Promise<void> {
  const originals = await originalSamples(device.id);
  expect([...originals.keys()]).toEqual(device.samples.map((sample) => sample.path));
  for (const [path, contents] of originals) {
    const key = storedSamples.get(path);
    expect(key, `${device.id} ${path} reported stored`).toBeDefined();
    expect((await bucketCopy(device.id, key!)).equals(contents), `${device.id} ${path} in the bucket as ${key}`).toBe(true);
  }
  const left = await device.cardLogs();
  for (const path of originals.keys()) expect(left).not.toContain(path);
}

/**
 * Sockets and listening servers. Timers are left out: Node keeps an unref'd
 * one for HTTP Date headers that comes and goes by itself. The CLI test
 * below shows no timer of the stack outlives stop(): the process exits.
 */
const LINGERING = new Set(["TCPSocketWrap", "TCPServerWrap"]);

function handles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) if (LINGERING.has(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

describe("the local stack", () => {
  it("starts three devices, each with a card of sample logs named as the device logger names them", () => {
    expect(stack.devices.map((device) => device.id)).toEqual(["sim-1", "sim-2", "sim-3"]);
    for (const device of stack.devices) {
      expect(device.samples.length).toBeGreaterThanOrEqual(3);
      device.samples.forEach((sample, i) => expect(sample.path).toBe(`/logs/${String(i + 1).padStart(8, "0")}.log`));
      const bytes = device.samples.reduce((sum, sample) => sum + sample.size, 0);
      expect(bytes).toBeGreaterThan(20 * 1024);
      expect(bytes).toBeLessThanOrEqual(1024 * 1024);
    }
    expect(readStackState(stack.stateFile)).toMatchObject({ mqttUrl: stack.broker.url, devices: ["sim-1", "sim-2", "sim-3"] });
  });

  it(
    "ships every sample file of every device to the bucket byte for byte, and retires it from the card",
    async () => {
      await stack.samplesStored(undefined, UPLOAD_WAIT_MS);
      const progress = stack.progress();
      for (const device of stack.devices) {
        const record = progress.find((entry) => entry.device === device.id)!;
        expect(record.state).toBe("online");
        await expectShipped(device, record.storedSamples);
      }
    },
    UPLOAD_WAIT_MS + 10_000,
  );

  it("summarises the bucket per device, and catches an object that differs from its card file", async () => {
    const summary = await stack.bucketSummary();
    for (const device of stack.devices) {
      const entry = summary.devices.find((candidate) => candidate.device === device.id)!;
      expect(entry.prefix).toBe(`devices/${device.id}/`);
      expect(entry.samples).toEqual({ total: device.samples.length, matching: device.samples.length, problems: [] });
      expect(entry.objects).toBeGreaterThanOrEqual(device.samples.length);
      expect(entry.bytes).toBeGreaterThanOrEqual(device.samples.reduce((sum, sample) => sum + sample.size, 0));
    }
    expect(summary.objects).toBe(summary.devices.reduce((sum, entry) => sum + entry.objects, 0));
    expect(summary.bytes).toBe(summary.devices.reduce((sum, entry) => sum + entry.bytes, 0));

    const victim = stack.devices[1]!;
    const sample = victim.samples[0]!;
    const key = stack.progress().find((entry) => entry.device === victim.id)!.storedSamples.get(sample.path)!;
    const altered = await bucketCopy(victim.id, key);
    altered[altered.length - 2] ^= 0x20;
    await s3.send(new PutObjectCommand({ Bucket: stack.store.bucket, Key: `devices/${victim.id}/${key}`, Body: altered }));
    const after = (await stack.bucketSummary()).devices.find((entry) => entry.device === victim.id)!;
    expect(after.samples!.matching).toBe(victim.samples.length - 1);
    expect(after.samples!.problems).toEqual([`${sample.path}: devices/${victim.id}/${key} differs from the card's file in content`]);
  });

  it(
    "takes more devices: one added in-process, one joining through the state file as `ferry sim device` does",
    async () => {
      const joined = await joinLocalStack({ stateFile: stack.stateFile }, { bundle });
      try {
        const [fourth, fifth] = [await joined.addDevice(), await stack.addDevice()];
        expect([fourth.id, fifth.id]).toEqual(["sim-4", "sim-5"]);
        await Promise.all([joined.samplesStored([fourth.id], UPLOAD_WAIT_MS), stack.samplesStored([fifth.id], UPLOAD_WAIT_MS)]);
        await expectShipped(fourth, joined.progress().find((entry) => entry.device === fourth.id)!.storedSamples);
        await expectShipped(fifth, stack.progress().find((entry) => entry.device === fifth.id)!.storedSamples);
        // The stack's own watcher follows the device that joined from outside.
        const seen = stack.progress().find((entry) => entry.device === fourth.id)!;
        expect(seen.stored).toBeGreaterThanOrEqual(fourth.samples.length);
        const summary = await stack.bucketSummary();
        expect(summary.devices.map((entry) => entry.device)).toEqual(expect.arrayContaining(["sim-4", "sim-5"]));
        expect(readStackState(stack.stateFile).devices).toEqual(["sim-1", "sim-2", "sim-3", "sim-4", "sim-5"]);
      } finally {
        await joined.leave();
      }
    },
    UPLOAD_WAIT_MS + 10_000,
  );

  it("stops everything it started: no server or socket left, state file, bundle and cards gone", async () => {
    const { stateFile, workDir } = stack;
    const cards = stack.devices.map((device) => device.cardDir);
    s3.destroy();
    await stack.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(handles()).toEqual(baseline);
    expect(existsSync(stateFile)).toBe(false);
    expect(existsSync(workDir)).toBe(false);
    for (const card of cards) expect(existsSync(card)).toBe(false);
  });
});
