// The MQTT client's share of the device's 16 KB bundle budget: the smallest
// app that uses it (client, codec, the engine connector and a few lines of
// glue) must stay within this many bytes.
import { join } from "node:path";
import { expect, it } from "vitest";
import { buildFirmware } from "../../../host-tools/src/build/firmware.js";

const MINIMAL_APP = join(import.meta.dirname, "../../fixtures/firmware/mqtt-minimal.ts");
const BUDGET_BYTES = 3400;

it(`a bundle with only the MQTT client and the engine connector stays under ${BUDGET_BYTES} bytes`, async () => {
  const build = await buildFirmware({ entry: MINIMAL_APP });
  expect(build.gate.findings).toEqual([]);
  expect(build.bytes).toBeLessThanOrEqual(BUDGET_BYTES);
});
