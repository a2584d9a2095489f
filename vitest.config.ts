import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Starts the Ceph RGW that S3 tests share (docs/testing.md).
    globalSetup: ["test/support/global-setup.ts"],
    // As host-tools/bin/ferry.js: the AWS SDK's notice that its releases
    // after January 2027 need Node 22 would otherwise fill the test log.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
