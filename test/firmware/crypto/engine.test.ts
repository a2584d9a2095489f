// The HMAC on the emulated engine: built by `ferry build`, hashing with the
// engine's `require("crypto").SHA256` (an ArrayBuffer) and binary strings,
// it must give node:crypto's MACs and accept the real presigner's replies.
import { createHmac, randomBytes } from "node:crypto";
import { join } from "node:path";
import { expect, it } from "vitest";
import { buildFirmware } from "../../../host-tools/src/build/firmware.js";
import { Device } from "../../../host-tools/src/emulator/index.js";
import { deviceKeyOf, presignerReplies } from "./presigner-replies.js";

const FIXTURE = join(import.meta.dirname, "../../fixtures/firmware/hmac-device.ts");
const MINIMAL = join(import.meta.dirname, "../../fixtures/firmware/hmac-minimal.ts");

it("computes node:crypto's MACs and verifies the presigner's replies on the engine", async () => {
  const build = await buildFirmware({ entry: FIXTURE });
  expect(build.gate.findings).toEqual([]);
  // Every byte value in keys and messages, keys on both sides of the block size.
  const cases = [0, 20, 64, 65, 200].map((keyLength, index) => {
    const key = randomBytes(keyLength);
    const message = index === 0 ? Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i)) : randomBytes(index * 300);
    return { key, message };
  });
  const device = "dev-0001";
  const payloads = await presignerReplies(device, [
    { id: "e1", op: "put", key: "logs/00000007.log", size: 65536 },
    { id: "e2", op: "head", key: "app/2.0.1.json" },
    { id: "e3", op: "put", key: "/abs", size: 1 },
  ]);
  const emulated = await Device.create({ sdPath: null });
  try {
    emulated.storage.write("hmac-cases.json", JSON.stringify(cases.map((c) => ({ key: c.key.toString("hex"), message: c.message.toString("hex") }))));
    emulated.storage.write("reply.json", JSON.stringify({ device, payloads }));
    emulated.storage.write("device.key", deviceKeyOf(device));
    emulated.install(build.code);
    emulated.boot();
    const output = await emulated.waitForOutput("HMAC DONE");
    const lines = output.split("\n");
    cases.forEach((c, index) => {
      expect(lines, `case ${index}`).toContain(`HMAC ${index} ${createHmac("sha256", c.key).update(c.message).digest("hex")}`);
    });
    expect(lines.filter((line) => line.startsWith("REPLY "))).toEqual(["REPLY 0 true", "REPLY 0-tampered false", "REPLY 1 true", "REPLY 2 true"]);
    expect(emulated.outOfMemory).toBe(false);
  } finally {
    await emulated.close();
  }
});

it("a bundle with only the reply check and the engine's hash stays under 1 KB", async () => {
  const build = await buildFirmware({ entry: MINIMAL });
  expect(build.gate.findings).toEqual([]);
  expect(build.bytes).toBeLessThan(1024);
});
