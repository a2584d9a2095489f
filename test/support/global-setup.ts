/**
 * vitest globalSetup: starts the run's Ceph RGW once (about 2 s) and hands its
 * endpoint and credentials to every test file through `suiteRgw()`
 * (suite-rgw.ts). Mosquitto is started per test file instead: it takes
 * milliseconds, and each file gets a broker of its own.
 */
import type { TestProject } from "vitest/node";
import { startRgw } from "./rgw.js";
import type {} from "./suite-rgw.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { stop, ...connection } = await startRgw();
  project.provide("rgw", connection);
  return stop;
}
