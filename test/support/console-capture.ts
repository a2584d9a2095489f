// Runs a CLI entry in-process and collects what it writes to stdout and
// stderr, with its exit code.
import { vi } from "vitest";

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export async function captureCli(run: () => Promise<number>): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((text) => ((stdout += String(text)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((text) => ((stderr += String(text)), true));
  try {
    return { code: await run(), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
