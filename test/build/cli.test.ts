import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { command } from "../../host-tools/src/cli/commands/build.js";
import { FIRMWARE_DIR } from "../../host-tools/src/paths.js";
import { captureCli, type Captured } from "../support/console-capture.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "ferry-build-cli-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function runBuild(args: string[]): Promise<Captured> {
  return captureCli(() => command.run(args));
}

describe("ferry build", () => {
  it("writes the bundle and prints its size", async () => {
    const out = join(scratch, "hello.js");
    const result = await runBuild([join(FIRMWARE_DIR, "samples/hello/main.ts"), "-o", out]);
    expect(result.code).toBe(0);
    const bytes = Buffer.byteLength(await readFile(out, "utf8"));
    expect(result.stdout).toContain(`${bytes.toLocaleString("en-US")} bytes, passes the Espruino gate`);
  });

  it("fails with the gate's findings and the size, and writes nothing", async () => {
    const source = join(scratch, "finally.ts");
    await writeFile(source, "declare function print(x: unknown): void;\nconst p: any = Promise.resolve(1);\np.finally(() => print('done'));\n");
    const out = join(scratch, "finally.js");
    const result = await runBuild([source, "-o", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/finally\.js:\d+:\d+ missing-builtin: .*Promise#finally/);
    expect(result.stderr).toMatch(/bundle size: [\d,]+ bytes \(not written\)/);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  it("keeps every property name with --keep-properties, and shortens the app's own without it", async () => {
    const entry = join(import.meta.dirname, "../fixtures/firmware/property-names.ts");
    const shortened = join(scratch, "short.js");
    const kept = join(scratch, "kept.js");
    expect((await runBuild([entry, "-o", shortened])).code).toBe(0);
    expect((await runBuild([entry, "-o", kept, "--keep-properties"])).code).toBe(0);
    expect(await readFile(shortened, "utf8")).not.toContain("currentTotal");
    const whole = await readFile(kept, "utf8");
    expect(whole).toContain(".currentTotal");
    expect(whole).toContain(".incrementBy(");
    // Still minified: no layout, short local names.
    expect(whole.split("\n").length).toBeLessThan(3);
  });

  it("reports type errors with the file and line", async () => {
    const source = join(scratch, "typo.ts");
    await writeFile(source, "const n: number = 'one';\nexport {};\n");
    const result = await runBuild([source, "-o", join(scratch, "typo.js")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/typo\.ts:1:\d+ .*TS2322/);
  });
});
