// The build shortens property names only where no code outside the bundle
// sees them: Storage JSON, printed JSON, the engine's objects and @wire
// types keep theirs, and the app still runs the same.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildFirmware } from "../../host-tools/src/build/firmware.js";
import { Device } from "../../host-tools/src/emulator/index.js";

const APP = join(import.meta.dirname, "../fixtures/firmware/property-names.ts");

async function run(code: string): Promise<{ output: string[]; stored: string }> {
  const device = await Device.create({ sdPath: null });
  try {
    device.install(code);
    device.boot();
    await device.waitForOutput((out) => out.includes("epsilonField") || out.includes("Uncaught"), 10_000);
    return {
      output: device.output.split("\n").filter((line) => line.startsWith("{") || line.startsWith("[")),
      stored: device.eval('JSON.stringify(require("Storage").readJSON("props.json"))') as string,
    };
  } finally {
    await device.close();
  }
}

describe("property names in the bundle", () => {
  it("shortens the names that stay inside and keeps the ones that cross the edge", async () => {
    const { code } = await buildFirmware({ entry: APP });
    for (const inside of ["currentTotal", "incrementBy"]) expect(code).not.toContain(inside);
    for (const edge of ["greeting", "repeatCount", "summaryLine", "memoryKnown", "beaconLabel", ".free", ".usage", ".alphaField", ".betaField", ".gammaField", ".deltaField", "epsilonField"]) {
      expect(code).toContain(edge);
    }
  });

  it("runs the same shortened as unshortened", async () => {
    const shortened = await run((await buildFirmware({ entry: APP })).code);
    const whole = await run((await buildFirmware({ entry: APP, shortenProperties: false })).code);
    expect(shortened.output).toEqual(['{"summaryLine":"hi","total":3,"memoryKnown":true}', '{"beaconLabel":"b3"}', '[1,2,3,4,{"k":{"epsilonField":5}}]']);
    expect(shortened).toEqual(whole);
    expect(JSON.parse(shortened.stored)).toEqual({ greeting: "hi!", repeatCount: 3 });
  });
});
