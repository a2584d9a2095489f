// The logger on the emulated engine, with a host folder as the SD card: the
// files, their names and their bytes are checked on the host, across a power
// cut; and what closedFiles holds when hundreds of files wait on the card.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it, onTestFinished } from "vitest";
import { buildFirmware } from "../../../host-tools/src/build/firmware.js";
import { Device } from "../../../host-tools/src/emulator/index.js";
import { logFileName } from "../../../firmware/src/logger/file-names.js";
import { NUMBER_BLOCK } from "../../../firmware/src/logger/logger.js";

const FIXTURE = join(import.meta.dirname, "../../fixtures/firmware/logger-device.ts");
const MINIMAL = join(import.meta.dirname, "../../fixtures/firmware/logger-minimal.ts");
const MAX_FILE_BYTES = 600;

interface ClosedFiles {
  files: { path: string; size: number }[];
  count: number;
}

interface Report {
  atBoot: ClosedFiles;
  atBootStats: number;
  atBootVariables: number;
  closed: ClosedFiles;
  readBack: number[];
  listing: string[];
}

async function runBoot(device: Device, tag: string, lines: number, max = 100): Promise<Report> {
  device.storage.write("logger-job.json", JSON.stringify({ tag, lines, maxFileBytes: MAX_FILE_BYTES, flushMs: 50, max }));
  const start = device.output.length;
  device.boot();
  await device.waitForOutput((output) => output.indexOf("LOG TIMER", start) >= 0);
  const line = device.output.slice(device.output.indexOf("LOG {", start) + 4).split("\n")[0]!;
  return JSON.parse(line) as Report;
}

function cardFiles(card: string): Map<string, string> {
  const dir = join(card, "logs");
  return new Map(readdirSync(dir).sort().map((name) => [`/logs/${name}`, readFileSync(join(dir, name), "latin1")]));
}

function temporaryCard(): string {
  const card = mkdtempSync(join(tmpdir(), "ferry-logger-card-"));
  onTestFinished(() => rmSync(card, { recursive: true, force: true }));
  return card;
}

it("writes rotated, never-rewritten files to the card and starts a new file after a power cut", async () => {
  const build = await buildFirmware({ entry: FIXTURE });
  expect(build.gate.findings).toEqual([]);
  const card = temporaryCard();
  const device = await Device.create({ sdPath: card });
  onTestFinished(() => device.close());
  device.install(build.code);

  const first = await runBoot(device, "boot1", 60);
  // One Storage write for the whole boot, the block of numbers it reserved; none replaced.
  expect(device.storage.read("ferry.logseq")).toBe(`{next:${1 + NUMBER_BLOCK}}`);
  expect(device.storage.getStats().trashCount).toBe(0);
  const afterFirst = cardFiles(card);
  const paths = [...afterFirst.keys()];
  // 60 lines of 40-50 bytes in files of at most 600: several files, plus the one left open.
  expect(paths.length).toBeGreaterThan(4);
  expect(paths).toEqual(paths.map((_, i) => `/logs/${String(i + 1).padStart(8, "0")}.log`));
  expect(first.atBoot).toEqual({ files: [], count: 0 });
  expect(first.closed.files.map((file) => file.path)).toEqual(paths.slice(0, -1));
  expect(first.closed.count).toBe(paths.length - 1);
  for (const [index, file] of first.closed.files.entries()) {
    expect(file.size).toBe(afterFirst.get(file.path)!.length);
    expect(first.readBack[index]).toBe(file.size);
    expect(file.size).toBeLessThanOrEqual(MAX_FILE_BYTES);
  }
  // The engine lists "." and ".." too, and the facade hands its array on as it is (no copy). The last file did not exist yet.
  expect(first.listing).toEqual([".", "..", ...first.closed.files.map((file) => file.path.slice("/logs/".length))]);
  const lines = [...afterFirst.values()].join("").split("\n").slice(0, -1);
  expect(lines).toHaveLength(61);
  lines.slice(0, 60).forEach((line, i) => {
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO boot1 \d+ x*$/);
    expect(line.endsWith(` INFO boot1 ${i} ${"x".repeat(i % 13)}`)).toBe(true);
  });
  expect(lines[60]).toMatch(/ WARN boot1 left open$/);
  expect(device.output).toContain(" INFO boot1 59 xxxxxxx\n");

  device.powerCut();
  const second = await runBoot(device, "boot2", 20);
  const afterSecond = cardFiles(card);
  // The file left open at the power cut is closed now, and nothing of boot 1 changed.
  expect(second.atBoot.files.map((file) => file.path)).toEqual(paths);
  for (const [path, content] of afterFirst) expect(afterSecond.get(path), path).toBe(content);
  // The new boot starts past the block the first one reserved.
  const added = [...afterSecond.keys()].filter((path) => !afterFirst.has(path));
  expect(added[0]).toBe(`/logs/${logFileName(1 + NUMBER_BLOCK)}`);
  expect(device.storage.read("ferry.logseq")).toBe(`{next:${1 + 2 * NUMBER_BLOCK}}`);
  expect(added.map((path) => afterSecond.get(path)).join("")).toContain(" INFO boot2 19 xxxxxx\n");
  expect(device.outOfMemory).toBe(false);
});

it("holds as much for 400 waiting files as for 20: only the files asked for are stat'ed and kept", async () => {
  // The emulator charges only TLS sessions and unsent socket output to the
  // variable store (docs/emulator.md), not the app's objects: so the bound
  // is shown by the engine's own count of the answer's variables
  // (E.getSizeOf) and by the stat calls the card saw.
  const build = await buildFirmware({ entry: FIXTURE });
  const reports: Report[] = [];
  for (const waiting of [20, 400]) {
    const card = temporaryCard();
    mkdirSync(join(card, "logs"));
    // Written newest first, so the folder does not list them in order.
    for (let i = waiting; i >= 1; i--) writeFileSync(join(card, "logs", logFileName(i)), `line of file ${i}\n`);
    const device = await Device.create({ sdPath: card });
    onTestFinished(() => device.close());
    device.install(build.code);
    reports.push(await runBoot(device, "few", 1, 4));
    expect(device.outOfMemory).toBe(false);
  }
  const [few, many] = reports as [Report, Report];
  const oldest = [1, 2, 3, 4].map((i) => ({ path: `/logs/${logFileName(i)}`, size: `line of file ${i}\n`.length }));
  expect(few.atBoot).toEqual({ files: oldest, count: 20 });
  expect(many.atBoot).toEqual({ files: oldest, count: 400 });
  // The four files returned and the folder, when the numbers were reserved.
  expect(few.atBootStats).toBe(5);
  expect(many.atBootStats).toBe(5);
  expect(many.atBootVariables).toBe(few.atBootVariables);
});

it("a bundle with only the logger and the engine's file system, clock and Storage record stays at 2,400 bytes or less", async () => {
  const build = await buildFirmware({ entry: MINIMAL });
  expect(build.gate.findings).toEqual([]);
  expect(build.bytes).toBeLessThanOrEqual(2400);
});
