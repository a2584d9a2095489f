// The shared protocol module is device code too: bundled by `ferry build`
// (ES5, through the Espruino gate) and run on the emulated engine, it must
// give exactly the results it gives in Node.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildFirmware } from "../../host-tools/src/build/firmware.js";
import { Device } from "../../host-tools/src/emulator/index.js";
import { protocolResults } from "./fixtures/protocol-cases.js";

const ENTRY = join(import.meta.dirname, "fixtures/protocol-on-device.ts");

describe("the protocol module on the engine", () => {
  it("builds through the gate and computes what Node computes", async () => {
    const build = await buildFirmware({ entry: ENTRY });
    expect(build.gate.findings).toEqual([]);
    const device = await Device.create({ sdPath: null });
    try {
      device.install(build.code);
      device.boot();
      await device.waitForOutput("PROTOCOL ", 10_000);
      await device.waitForOutput((out) => out.includes("\n", out.indexOf("PROTOCOL ")), 10_000);
      const line = device.output.slice(device.output.indexOf("PROTOCOL ") + "PROTOCOL ".length).split("\n")[0]!;
      expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(protocolResults())));
      expect(device.outOfMemory).toBe(false);
    } finally {
      await device.close();
    }
  });
});
