// Runs HTTP requests on the emulated device: the fixture app
// (test/fixtures/firmware/http-client.ts) is built once, booted with the
// job in Storage and files on its SD card, and reports one line per request.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { onTestFinished } from "vitest";
import { buildFirmware } from "../../../host-tools/src/build/firmware.js";
import { Device, type DeviceOptions } from "../../../host-tools/src/emulator/index.js";
import type { SocketReport } from "../../../host-tools/src/emulator/net/index.js";

const FIXTURE = join(import.meta.dirname, "../../fixtures/firmware/http-client.ts");

export interface JobRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** SD-card path of the body. */
  file?: string;
  /** Content-Length to announce instead of the file's size. */
  size?: number;
  chunkSize?: number;
  keep?: number;
  /** Issued while the request before it is still in progress. */
  overlapping?: boolean;
}

export interface Job {
  /** The session's timeout, ms. */
  timeout?: number;
  requests: JobRequest[];
  /** Close the session after the last request. */
  close?: boolean;
}

export interface DeviceResult {
  status?: number;
  headers?: Record<string, string>;
  /** The kept content, as bytes. */
  body?: Buffer;
  s3?: { code: string; message: string } | null;
  error?: string;
  /** Connections the session had opened when this request ended. */
  connections: number;
}

export interface JobOutcome {
  results: DeviceResult[];
  device: Device;
  /** The device's sockets still open at the moment it printed that close() had resolved. */
  openAtClose?: SocketReport[];
  /** Timers pending on the device at that moment: a pending timer keeps whatever it reaches alive. */
  timersAtClose?: number;
}

let bundle: Promise<string> | undefined;

/** The fixture app, built as `ferry build` builds apps. */
export function httpClientApp(): Promise<string> {
  bundle ??= buildFirmware({ entry: FIXTURE }).then((build) => build.code);
  return bundle;
}

/** Boots a device that runs `job` and resolves with each request's outcome once all have ended. */
export async function runJob(
  job: Job,
  files: Record<string, Buffer> = {},
  timeoutMs = 20_000,
  options: DeviceOptions = {},
): Promise<JobOutcome> {
  const code = await httpClientApp();
  const device = await Device.create(options);
  onTestFinished(() => device.close());
  for (const [path, bytes] of Object.entries(files)) {
    const hostPath = join(device.sdCard.root!, path);
    mkdirSync(dirname(hostPath), { recursive: true });
    writeFileSync(hostPath, bytes);
  }
  device.storage.write("http-job.json", JSON.stringify(job));
  device.install(code);
  device.boot();
  let openAtClose: SocketReport[] | undefined;
  let timersAtClose: number | undefined;
  // Looked at as the line is printed: the device's sockets and timers at that moment.
  const output = await device.waitForOutput((text) => {
    if (openAtClose === undefined && text.includes("HTTP CLOSED")) {
      openAtClose = device.sockets!.open();
      timersAtClose = device.runtime!.timers.count;
    }
    return text.includes("HTTP DONE") || text.includes("HTTP FAILED");
  }, timeoutMs);
  const results: DeviceResult[] = [];
  for (const line of output.split("\n")) {
    const match = /^HTTP (\d+) (.*)$/.exec(line);
    if (!match) continue;
    const raw = JSON.parse(match[2]!) as DeviceResult & { body?: string };
    results[Number(match[1])] = { ...raw, body: raw.body === undefined ? undefined : Buffer.from(raw.body, "base64") };
  }
  if (results.length !== job.requests.length) throw new Error(`the device reported ${results.length} of ${job.requests.length} requests:\n${output}`);
  return { results, device, openAtClose, timersAtClose };
}

/** An S3 client as the presigner builds one (design.md), for any endpoint. */
export function presignerClient(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
