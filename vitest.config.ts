import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Starts the Ceph RGW that S3 tests share (docs/testing.md).
    globalSetup: ["test/support/global-setup.ts"],
  },
});
