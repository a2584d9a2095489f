/**
 * The one Ceph RGW the whole test run shares, started by global-setup.ts.
 */
import { inject } from "vitest";
import type { RgwConnection } from "./rgw.js";

declare module "vitest" {
  export interface ProvidedContext {
    rgw: RgwConnection;
  }
}

/** Endpoint, TLS endpoint, CA and credentials of the run's gateway. */
export function suiteRgw(): RgwConnection {
  const rgw = inject("rgw");
  if (rgw === undefined) {
    throw new Error("no Ceph RGW was provided: run the tests through vitest.config.ts, whose globalSetup starts it");
  }
  return rgw;
}
