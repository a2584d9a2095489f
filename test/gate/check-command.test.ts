import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckCommand } from "../../host-tools/src/cli/commands/check.js";

describe("ferry check", () => {
  let dir: string;
  const good = "var total = 0;\nfunction add(n) { total += n; }\nadd(2);\n";
  const bad = "start();\nfunction start() { return new Map(); }\n";

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-check-"));
    await writeFile(join(dir, "good.js"), good);
    await writeFile(join(dir, "bad.js"), bad);
    await mkdir(join(dir, "folder"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(...args: string[]) {
    let stdout = "";
    let stderr = "";
    const command = createCheckCommand({
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    });
    const code = await command.run(args);
    return { code, stdout, stderr };
  }

  it("exits 0 and says the bundle passes, with its size", async () => {
    const file = join(dir, "good.js");
    const result = await run(file);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${file}: passes the Espruino gate (${Buffer.byteLength(good)} bytes)\n`);
  });

  it("exits 1 and prints each finding, then a count", async () => {
    const file = join(dir, "bad.js");
    const result = await run(file);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^${escape(file)}:1:1 use-before-declaration: \`start\` is used before`));
    expect(lines[1]).toMatch(new RegExp(`^${escape(file)}:2:31 missing-builtin: \`Map\``));
    expect(lines[2]).toBe(`${file}: 2 problems`);
  });

  it("checks every bundle named and fails if any fails", async () => {
    const result = await run(join(dir, "good.js"), join(dir, "bad.js"));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("good.js: passes the Espruino gate");
    expect(result.stdout).toContain("bad.js: 2 problems");
  });

  it("exits 2 with a clear message for a missing file", async () => {
    const file = join(dir, "missing.js");
    const result = await run(file);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`ferry check: cannot read ${file}: no such file. Build the bundle first (\`ferry build\`) or check the path.\n`);
    expect(result.stdout).toBe("");
  });

  it("exits 2 for a directory", async () => {
    const result = await run(join(dir, "folder"));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("it is a directory");
  });

  it("exits 2 without a bundle or with an unknown option", async () => {
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("name at least one bundle");
    const unknown = await run("--fast", join(dir, "good.js"));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--fast");
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
