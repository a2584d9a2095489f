// The HTTP client's share of the device's 16 KB bundle budget (design.md).
import { join } from "node:path";
import { expect, it } from "vitest";
import { buildFirmware } from "../../../host-tools/src/build/firmware.js";

const MINIMAL_APP = join(import.meta.dirname, "../../fixtures/firmware/http-minimal.ts");

it("a bundle with only the HTTP client, the S3 error reader and the engine connector stays within 4,200 bytes", async () => {
  const build = await buildFirmware({ entry: MINIMAL_APP });
  expect(build.gate.findings).toEqual([]);
  expect(build.bytes).toBeLessThanOrEqual(4200);
});
