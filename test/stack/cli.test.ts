// `npm start` as a user runs it: the compiled CLI in a child process, its
// output read as a person (or a CI log) would see it. It runs in a scratch
// folder, where it keeps its .ferry/ state.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVELOPMENT_MASTER_SECRET } from "../../host-tools/src/presigner/config.js";
import { PACKAGE_ROOT } from "../../host-tools/src/paths.js";

const FERRY = join(PACKAGE_ROOT, "host-tools/bin/ferry.js");
const DEVICES = ["sim-1", "sim-2", "sim-3"];

/** A ferry command running in `cwd`, its output kept. */
class FerryProcess {
  output = "";
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: string[], cwd: string) {
    this.child = spawn(process.execPath, [FERRY, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** Resolves once the output contains `text`; rejects if the process ends first. */
  waitFor(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!this.output.includes(text)) return;
        this.child.stdout!.off("data", check);
        resolve();
      };
      this.child.stdout!.on("data", check);
      this.exited.then(() => reject(new Error(`ferry ended before printing "${text}":\n${this.output}`)));
      check();
    });
  }

  interrupt(): void {
    this.child.kill("SIGINT");
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

let folder: string;
const running: FerryProcess[] = [];

function ferry(...args: string[]): FerryProcess {
  const run = new FerryProcess(args, folder);
  running.push(run);
  return run;
}

beforeAll(async () => {
  await promisify(execFile)("npm", ["run", "build:host"], { cwd: PACKAGE_ROOT });
  folder = await mkdtemp(join(tmpdir(), "ferry-start-"));
}, 120_000);

afterAll(async () => {
  for (const run of running) run.kill();
  await rm(folder, { recursive: true, force: true });
});

/** What every run must never show: a signed URL or the master secret. */
function expectNoSecrets(output: string): void {
  expect(output).not.toMatch(/X-Amz-(Signature|Credential)/i);
  expect(output).not.toContain(DEVELOPMENT_MASTER_SECRET);
}

describe("ferry start", () => {
  it(
    "shows the three devices uploading, then the bucket, and stops by itself after --seconds",
    async () => {
      const start = ferry("start", "--seconds", "20");
      expect(await start.exited).toBe(0);
      const output = start.output;
      for (const device of DEVICES) {
        expect(output).toMatch(new RegExp(`^ferry: ${device} booted with \\d+ sample log files`, "m"));
        expect(output).toContain(`${device} stored /logs/00000001.log as `);
        expect(output).toMatch(new RegExp(`^  devices/${device}/ +\\d+ objects +[\\d,]+ bytes  all \\d+ sample files match their SD files byte for byte$`, "m"));
      }
      expect(output).toMatch(/all \d+ sample files stored [\d.]+ s after the first device booted/);
      expect(output).toMatch(/^  total +\d+ objects +[\d,]+ bytes$/m);
      expect(output).toContain("ferry: stopped");
      expectNoSecrets(output);
      expect(existsSync(join(folder, ".ferry/stack.json"))).toBe(false);
    },
    60_000,
  );

  it(
    "lets `ferry sim device` join from another process, refuses a second stack in the folder, and stops on Ctrl-C",
    async () => {
      const start = ferry("start", "--seconds", "120");
      await start.waitFor("s after the first device booted");
      const second = ferry("start", "--seconds", "5");
      expect(await second.exited).toBe(1);
      expect(second.output).toContain("a local stack already runs in this folder");
      const sim = ferry("sim", "device", "--seconds", "10");
      expect(await sim.exited).toBe(0);
      expect(sim.output).toContain("sim-4 joined the stack");
      expect(sim.output).toMatch(/all \d+ sample files of sim-4 stored/);
      expect(sim.output).toMatch(/^  devices\/sim-4\/ +\d+ objects +[\d,]+ bytes  all \d+ sample files match their SD files byte for byte$/m);
      expectNoSecrets(sim.output);
      // The stack's own view follows the device that joined.
      await start.waitFor("sim-4 stored /logs/00000001.log");
      start.interrupt();
      expect(await start.exited).toBe(0);
      expect(start.output).toContain("ferry: stopped");
      expect(existsSync(join(folder, ".ferry/stack.json"))).toBe(false);
    },
    90_000,
  );

  it("refuses to join when no stack is running, and says how to start one", async () => {
    const sim = ferry("sim", "device", "--seconds", "5");
    expect(await sim.exited).toBe(1);
    expect(sim.output).toContain("no local stack is running here");
    expect(sim.output).toContain("npm start");
  }, 30_000);
});

describe("ferry build, compiled", () => {
  it("exits with status 1 when the source does not type-check, instead of hanging", async () => {
    const source = join(folder, "bad.ts");
    await writeFile(source, "const n: number = 'one';\nexport {};\n");
    const run = ferry("build", source, "-o", join(folder, "bad.js"));
    expect(await run.exited).toBe(1);
    expect(run.output).toContain("TS2322");
  });
});
