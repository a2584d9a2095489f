/**
 * bench/signer: the cost of one presigned URL made in-process (sigv4.ts)
 * beside the AWS SDK's getSignedUrl for the same request, in the same run,
 * interleaved so that other work on the machine hits both alike, and timed
 * in this process's CPU time, which time given to other processes does not
 * inflate. No network: presigning needs none.
 *
 * Options: --urls 1000 --rounds 5 (the in-process path signs 20 times as many)
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { parseArgs } from "node:util";
import { S3Signer } from "../host-tools/src/presigner/signer.js";
import { percentile } from "./support/latency.js";
import { describeMachine, machineLine } from "./support/machine.js";

const { values } = parseArgs({ options: { urls: { type: "string", default: "1000" }, rounds: { type: "string", default: "5" } } });
const urls = Number(values.urls);
const rounds = Number(values.rounds);
if (!(Number.isInteger(urls) && urls > 0 && Number.isInteger(rounds) && rounds > 0)) throw new Error("--urls and --rounds must be whole numbers above 0");

const machine = describeMachine();
const signer = new S3Signer({
  bucket: "fleet-logs",
  region: "eu-west-1",
  forcePathStyle: false,
  credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
});
await signer.ready();
if (signer.mode.kind !== "in-process") throw new Error(`the in-process signer is not in use: ${signer.mode.reason}`);

const key = (i: number) => `devices/bench-${i % 1000}/logs/${i}.log`;
/** The in-process path signs this many times more URLs per measurement: each takes far less time, and a few ms would be all noise. */
const IN_PROCESS_FACTOR = 20;

/** CPU µs per URL. */
async function timed(count: number, sign: (i: number) => Promise<unknown>): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < count; i++) await sign(i);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / count;
}
const inProcess = () => timed(urls * IN_PROCESS_FACTOR, (i) => signer.presign("PUT", key(i), 300, 18_432));
const sdk = () =>
  timed(urls, (i) =>
    getSignedUrl(signer.client, new PutObjectCommand({ Bucket: "fleet-logs", Key: key(i), ContentLength: 18_432 }), { expiresIn: 300, signingDate: new Date() }),
  );

// One unmeasured round first: both paths have code to compile and caches to fill.
await inProcess();
await sdk();
const ratios: number[] = [];
const lines = [
  "bench/signer: one presigned PUT URL, in-process SigV4 beside the AWS SDK's getSignedUrl",
  `  ${machineLine(machine)}`,
  `  ${urls} URLs per SDK measurement, ${urls * IN_PROCESS_FACTOR} per in-process one, ${rounds} rounds, each path timed in turn; CPU time of this process`,
  "",
  `  ${"round".padEnd(8)}${"in-process µs".padStart(15)}${"SDK µs".padStart(10)}${"SDK / in-process".padStart(18)}`,
];
for (let round = 1; round <= rounds; round++) {
  const fast = await inProcess();
  const slow = await sdk();
  ratios.push(slow / fast);
  lines.push(`  ${String(round).padEnd(8)}${fast.toFixed(1).padStart(15)}${slow.toFixed(1).padStart(10)}${(slow / fast).toFixed(0).padStart(18)}`);
}
lines.push("", `  median: the SDK takes ${percentile([...ratios].sort((a, b) => a - b), 0.5).toFixed(0)} times as long per URL`);
process.stdout.write(`${lines.join("\n")}\n`);
signer.close();
