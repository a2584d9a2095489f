// The `ferry` entry: every command's usage errors end the same way, with
// the command's usage and exit status 2 (docs/cli.md).
import { describe, expect, it } from "vitest";
import { main } from "../../host-tools/src/cli/main.js";
import { captureCli, type Captured } from "../support/console-capture.js";

function ferry(args: string[]): Promise<Captured> {
  return captureCli(() => main(args));
}

describe("ferry usage errors", () => {
  it("exits 2 with the command's usage for a wrong word or an unknown option, whichever command", async () => {
    for (const args of [
      ["presigner", "serve"],
      ["presigner", "--apply"],
      ["presigner", "--no-such-option"],
      ["build", "--no-such-option"],
      ["build", "one.ts", "two.ts"],
      ["start", "--devices", "0"],
      ["sim", "phone"],
    ]) {
      const result = await ferry(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toContain(`ferry ${args[0]}: `);
      expect(result.stderr, args.join(" ")).toContain("Usage: ferry " + args[0]);
    }
  });

  it("exits 2 for an unknown command and names it", async () => {
    const result = await ferry(["flash-everything"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "flash-everything"');
  });
});
