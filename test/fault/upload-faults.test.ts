// The log upload flow under faults (design.md, "Log upload"): the real
// default app, built as `ferry build` builds it, runs on the emulated board
// against Mosquitto, the presigner and the suite's Ceph RGW, with proxies on
// every path. Each trial puts a few files on the card and injects one fault;
// it passes when every file is in the bucket byte for byte and off the card
// exactly once, nothing was retired before the bucket held it, and the device
// is still running. How to replay a failing trial: docs/testing.md, "Fault trials".
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, it } from "vitest";
import { buildFirmware } from "../../host-tools/src/build/firmware.js";
import { DEFAULT_APP_ENTRY } from "../../host-tools/src/paths.js";
import { createPki, type Pki } from "../support/pki.js";
import { s3ClientFor, uniqueBucketName } from "../support/s3.js";
import { suiteRgw } from "../support/suite-rgw.js";
import { LanePool } from "./lane-pool.js";
import { describePlan, planTrial, type FaultKind } from "./plan.js";
import { faultRun, Random } from "./seed.js";
import { runTrial } from "./trial.js";

const run = faultRun();
const lanes = Number(process.env["FERRY_FAULT_LANES"] ?? 4);
const rgw = suiteRgw();
const bucket = uniqueBucketName("faults");
const replay = `FERRY_FAULT_SEED=${run.seed}`;
const plans = run.trials.map((trial) => planTrial(trial, Random.forTrial(run.seed, trial)));
const timings = new Map<FaultKind, number[]>();

let pki: Pki;
let pool: LanePool;
let s3: S3Client;

describe(`uploads under faults (${replay}, ${run.trials.length} trials)`, () => {
  beforeAll(async () => {
    process.stdout.write(`fault trials: ${replay}; replay one with ${replay} FERRY_FAULT_TRIAL=<n>\n`);
    s3 = s3ClientFor(rgw);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const [created, build] = await Promise.all([createPki(), buildFirmware({ entry: DEFAULT_APP_ENTRY })]);
    pki = created;
    pool = await LanePool.start(lanes, (index) => ({
      name: `lane${index + 1}`,
      // Half the lanes speak MQTT over TLS, so the app pauses MQTT for every upload (one TLS session).
      mqttTls: index % 2 === 0,
      chunkSize: [2048, 1024, 512, 2048][index % 4]!,
      // One lane keeps what it ships, in /sent (the engine has no rename: copy, check, delete).
      retire: index % 4 === 3 ? "move" : "delete",
      bundle: build.code,
      pki,
      rgw,
      bucket,
    }));
  }, 120_000);

  afterAll(async () => {
    await pool?.close();
    await pki?.dispose();
    s3?.destroy();
    const lines = [...timings].map(([kind, ms]) => `  ${kind.padEnd(13)} ${String(ms.length).padStart(4)} trials, mean ${(ms.reduce((a, b) => a + b, 0) / ms.length / 1000).toFixed(2)} s, longest ${(Math.max(...ms) / 1000).toFixed(2)} s`);
    process.stdout.write(`fault trials (${replay}):\n${lines.join("\n")}\n`);
  }, 60_000);

  for (const plan of plans) {
    it.concurrent(`trial ${plan.trial}: ${describePlan(plan)}`, async () => {
      const lane = await pool.acquire();
      let healthy = false;
      try {
        const result = await runTrial(lane, plan, s3);
        const list = timings.get(plan.fault.kind) ?? [];
        list.push(result.ms);
        timings.set(plan.fault.kind, list);
        healthy = true;
      } catch (error) {
        throw new Error(`${(error as Error).message}\nreplay: ${replay} FERRY_FAULT_TRIAL=${plan.trial}`);
      } finally {
        await pool.release(lane, healthy);
      }
    }, 120_000);
  }
});
