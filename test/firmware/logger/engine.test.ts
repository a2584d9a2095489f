// The logger on the emulated engine, with a host folder as the SD card: the
// files, their names and their bytes are checked on the host, across a power
// cut.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it, onTestFinished } from "vitest";
import { buildFirmware } from "../../../host-tools/src/build/firmware.js";
import { Device } from "../../../host-tools/src/emulator/index.js";

const FIXTURE = join(import.meta.dirname, "../../fixtures/firmware/logger-device.ts");
const MINIMAL = join(import.meta.dirname, "../../fixtures/firmware/logger-minimal.ts");
const MAX_FILE_BYTES = 600;

interface Report {
  atBoot: { path: string; size: number }[];
  closed: { path: string; size: number }[];
  readBack: number[];
  listing: string[];
  status: { dropped: number; lastError?: string };
}

async function runBoot(device: Device, tag: string, lines: number): Promise<Report> {
  device.storage.write("logger-job.json", JSON.stringify({ tag, lines, maxFileBytes: MAX_FILE_BYTES, flushMs: 50 }));
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

it("writes rotated, never-rewritten files to the card and starts a new file after a power cut", async () => {
  const build = await buildFirmware({ entry: FIXTURE });
  expect(build.gate.findings).toEqual([]);
  const card = mkdtempSync(join(tmpdir(), "ferry-logger-card-"));
  onTestFinished(() => rmSync(card, { recursive: true, force: true }));
  const device = await Device.create({ sdPath: card });
  onTestFinished(() => device.close());
  device.install(build.code);

  const first = await runBoot(device, "boot1", 60);
  const afterFirst = cardFiles(card);
  const paths = [...afterFirst.keys()];
  // 60 lines of 40-50 bytes in files of at most 600: several files, plus the one left open.
  expect(paths.length).toBeGreaterThan(4);
  expect(paths).toEqual(paths.map((_, i) => `/logs/${String(i + 1).padStart(8, "0")}.log`));
  expect(first.atBoot).toEqual([]);
  expect(first.closed.map((file) => file.path)).toEqual(paths.slice(0, -1));
  for (const [index, file] of first.closed.entries()) {
    expect(file.size).toBe(afterFirst.get(file.path)!.length);
    expect(first.readBack[index]).toBe(file.size);
    expect(file.size).toBeLessThanOrEqual(MAX_FILE_BYTES);
  }
  // The engine lists "." and ".." too; the facade leaves them out. The last file did not exist yet.
  expect(first.listing).toEqual(first.closed.map((file) => file.path.slice("/logs/".length)));
  expect(first.status).toEqual({ dropped: 0 });
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
  expect(second.atBoot.map((file) => file.path)).toEqual(paths);
  for (const [path, content] of afterFirst) expect(afterSecond.get(path), path).toBe(content);
  const added = [...afterSecond.keys()].filter((path) => !afterFirst.has(path));
  expect(added[0]).toBe(`/logs/${String(paths.length + 1).padStart(8, "0")}.log`);
  expect(added.map((path) => afterSecond.get(path)).join("")).toContain(" INFO boot2 19 xxxxxx\n");
  expect(device.outOfMemory).toBe(false);
});

it("a bundle with only the logger and the engine's file system, clock and Storage record stays under 3 KB", async () => {
  const build = await buildFirmware({ entry: MINIMAL });
  expect(build.gate.findings).toEqual([]);
  expect(build.bytes).toBeLessThan(3072);
});
