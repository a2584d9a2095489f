import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFirmware, compileFirmware, FirmwareBuildError } from "../../host-tools/src/build/firmware.js";
import { Device } from "../../host-tools/src/emulator/index.js";
import { FIRMWARE_DIR } from "../../host-tools/src/paths.js";

const HELLO = join(FIRMWARE_DIR, "samples/hello/main.ts");
const ASYNC_TRACE = join(import.meta.dirname, "../fixtures/firmware/async-trace.ts");

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "ferry-build-test-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function runOnDevice(code: string, until: string): Promise<Device> {
  const device = await Device.create({ sdPath: null });
  device.install(code);
  device.boot();
  await device.waitForOutput(until, 10_000);
  return device;
}

describe("the firmware build", () => {
  it("builds the sample app into a small ES5 bundle that passes the gate", async () => {
    const outFile = join(scratch, "hello.js");
    const build = await buildFirmware({ entry: HELLO, outFile });
    expect(build.gate.findings).toEqual([]);
    expect(build.bytes).toBe(Buffer.byteLength(await readFile(outFile, "utf8")));
    expect(build.bytes).toBeLessThan(6000);
    expect(/^[\x00-\x7f]*$/.test(build.code)).toBe(true);
    // One function expression: nothing leaks into the engine's globals.
    expect(build.code.startsWith("!function(){")).toBe(true);
    expect(build.code).not.toContain("Array.prototype");
  });

  it("runs the sample app on the emulated engine: async/await, classes, for-of, spread, destructuring", async () => {
    const { code } = await buildFirmware({ entry: HELLO });
    const device = await runOnDevice(code, "hello: done");
    try {
      const lines = device.output.split("\n").filter((line) => line.startsWith("hello:"));
      expect(lines).toEqual([
        "hello: boot 1",
        "hello: 1 boot and 3 steps to go",
        "hello: countdown 3 then 2,1",
        "hello: caught expected",
        "hello: phases 1>2>3",
        "hello: done",
      ]);
      expect(device.outOfMemory).toBe(false);
      expect(device.eval('JSON.stringify(require("Storage").readJSON("hello.json"))')).toBe(JSON.stringify({ boots: 1, lastPhase: 3 }));
      device.eval("load()");
      await device.waitForOutput((out) => out.includes("hello: boot 2"), 10_000);
    } finally {
      await device.close();
    }
  });

  it("gives async control flow the same meaning on the engine as in Node", async () => {
    const { code } = await buildFirmware({ entry: ASYNC_TRACE });
    const device = await runOnDevice(code, "TRACE");
    let onEngine: string;
    try {
      await device.waitForOutput((out) => out.includes("\n", out.indexOf("TRACE")), 10_000);
      onEngine = device.output.slice(device.output.indexOf("TRACE")).split("\n")[0];
    } finally {
      await device.close();
    }
    const native = ts.transpileModule(await readFile(ASYNC_TRACE, "utf8"), {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None },
    }).outputText;
    const printed: string[] = [];
    await new Promise<void>((resolve) => {
      runInNewContext(native, {
        setTimeout,
        print: (line: string) => {
          printed.push(line);
          resolve();
        },
      });
    });
    expect(printed[0]).toMatch(/^TRACE loop 1 1 \| loop 3 4 \| loop 4 8 \| while 3 \| loops 8 \| try \| catch first/);
    expect(onEngine).toBe(printed[0]);
  });

  it("is rejected by the gate when built without the hoisting options", async () => {
    const build = await compileFirmware({ entry: HELLO, hoist: false });
    expect(build.gate.ok).toBe(false);
    expect(build.gate.findings.map((f) => f.rule)).toContain("use-before-declaration");
  });

  it("is rejected by the gate when built with tslib's helpers", async () => {
    const hoisted = await compileFirmware({ entry: HELLO, helpers: "tslib" });
    expect(hoisted.gate.ok).toBe(false);
    const prototypeReads = hoisted.gate.findings.filter((f) => f.rule === "prototype-builtin");
    expect(prototypeReads.map((f) => f.message).join("\n")).toContain("Array.prototype.slice");

    // Readable output keeps tslib's names, so the finding can be matched to `verb`.
    const unhoisted = await compileFirmware({ entry: HELLO, helpers: "tslib", hoist: false, minify: false });
    const early = unhoisted.gate.findings.filter((f) => f.rule === "use-before-declaration");
    expect(early.map((f) => f.message).join("\n")).toContain("verb");
  });

  it("refuses to write a bundle the gate rejects, and says why", async () => {
    const source = join(scratch, "labelled.ts");
    await writeFile(source, "declare function print(x: unknown): void;\nouter: for (const a of [1, 2]) { for (const b of [3]) { if (a === b) continue outer; print(a); } }\n");
    const outFile = join(scratch, "labelled.js");
    const error = await buildFirmware({ entry: source, outFile }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(FirmwareBuildError);
    expect((error as Error).message).toContain("labelled-statement");
    await expect(readFile(outFile)).rejects.toThrow(/ENOENT/);
  });

  it("fails on built-ins the engine lacks before anything is bundled", async () => {
    const source = join(scratch, "map.ts");
    await writeFile(source, "const seen = new Map<string, number>();\nseen.set('a', 1);\n");
    const error = await buildFirmware({ entry: source }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(FirmwareBuildError);
    expect((error as Error).message).toMatch(/map\.ts.*Map/s);
  });
});

describe("array literals with empty slots", () => {
  it("are filled by the build, so try/catch in async code parses on the engine", async () => {
    const filled = await compileFirmware({ entry: ASYNC_TRACE });
    expect(filled.gate.findings.filter((f) => f.rule === "array-hole")).toEqual([]);
    const raw = await compileFirmware({ entry: ASYNC_TRACE, fillHoles: false });
    expect(raw.gate.findings.filter((f) => f.rule === "array-hole").length).toBeGreaterThan(0);
  });
});
