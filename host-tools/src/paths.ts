// Where ferry's own files are, whether the code runs compiled
// (dist/host-tools/...) or from source under vitest (host-tools/src/...).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "firmware"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`ferry: cannot find the ferry package folder above ${start}`);
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const FIRMWARE_DIR = join(PACKAGE_ROOT, "firmware");
export const BOARDS_DIR = join(PACKAGE_ROOT, "boards");
export const DEFAULT_APP_ENTRY = join(FIRMWARE_DIR, "src/main.ts");
export const DEFAULT_BUNDLE = join(PACKAGE_ROOT, "dist/firmware/app.js");
