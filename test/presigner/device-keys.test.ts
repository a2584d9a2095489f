// The service's kept device keys: always the derived key, never more than
// the capacity held.
import { describe, expect, it } from "vitest";
import { DeviceKeys, deriveDeviceKey } from "../../host-tools/src/presigner/keys.js";

const MASTER_SECRET = "device-keys-test-master-secret-0123456789";

describe("DeviceKeys", () => {
  it("gives each device its derived key, the first time and after", () => {
    const keys = new DeviceKeys(MASTER_SECRET, 10);
    for (const device of ["dev-a", "dev-b", "dev-a", "dev-b"]) {
      expect(keys.get(device).equals(deriveDeviceKey(MASTER_SECRET, device))).toBe(true);
    }
    expect(keys.get("dev-a").equals(keys.get("dev-b"))).toBe(false);
    expect(keys.size).toBe(2);
  });

  it("holds at most its capacity, and derives a dropped device's key again", () => {
    const keys = new DeviceKeys(MASTER_SECRET, 3);
    const devices = Array.from({ length: 8 }, (_, i) => `dev-${i}`);
    for (const device of [...devices, ...devices]) {
      expect(keys.get(device).equals(deriveDeviceKey(MASTER_SECRET, device))).toBe(true);
      expect(keys.size).toBeLessThanOrEqual(3);
    }
    expect(keys.size).toBe(3);
  });
});
