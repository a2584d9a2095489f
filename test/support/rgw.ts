/**
 * A real Ceph RADOS Gateway (production S3) on loopback, started by
 * scripts/rgw/start.sh. docs/testing.md says what it checks that the
 * in-process S3 does not.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PACKAGE_ROOT } from "../../host-tools/src/paths.js";
import { createPki, type Pki } from "./pki.js";
import { freePorts } from "./ports.js";

const run = promisify(execFile);

// From the package root, not this file: benchmarks run this module compiled, from dist/bench.
const START_SCRIPT = join(PACKAGE_ROOT, "scripts/rgw/start.sh");
const STOP_SCRIPT = join(PACKAGE_ROOT, "scripts/rgw/stop.sh");
// Exit status of start.sh when a Ceph program is not installed.
const NOT_INSTALLED = 3;
export const RGW_INSTALL_COMMAND = "apt-get install -y radosgw ceph-mon ceph-osd ceph-mgr";

/** What a test needs to reach the gateway; plain data, so vitest can `provide` it. */
export interface RgwConnection {
  /** `http://127.0.0.1:<port>`; use path-style addressing. */
  readonly endpoint: string;
  /** `https://127.0.0.1:<port>` with a certificate for 127.0.0.1 and localhost signed by `ca`. */
  readonly tlsEndpoint?: string;
  /** PEM of the CA behind `tlsEndpoint`. */
  readonly ca?: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: "us-east-1";
  /** Daemon logs (client.rgw.log is the gateway's). */
  readonly logDir: string;
}

export interface Rgw extends RgwConnection {
  /** Kills every Ceph daemon of this gateway and removes its files. */
  stop(): Promise<void>;
}

export interface RgwOptions {
  /** Serve HTTPS too, on a second port (default true). */
  readonly tls?: boolean;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** Keep the cluster's directory (config, logs) after stop, for debugging. */
  readonly keepFiles?: boolean;
}

/**
 * Starts a one-node Ceph cluster with a gateway and one S3 user, in 2 to 3 s
 * and about 410 MB. The cluster is also stopped by a watchdog when this process
 * exits without calling `stop` (a killed test run).
 */
export async function startRgw(options: RgwOptions = {}): Promise<Rgw> {
  const tls = options.tls ?? true;
  const accessKeyId = options.accessKeyId ?? `FERRY${randomBytes(8).toString("hex").toUpperCase()}`;
  const secretAccessKey = options.secretAccessKey ?? randomBytes(30).toString("base64url");
  const dir = await mkdtemp(join(tmpdir(), "ferry-rgw-"));
  // Inside the cluster's directory, so that the watchdog removes it too.
  const pki: Pki | undefined = tls ? await createPki({ parentDir: dir }) : undefined;

  const [monPort, port, sslPort] = (await freePorts(3)) as [number, number, number];
  const args = [
    START_SCRIPT, "--dir", dir, "--mon-port", String(monPort), "--port", String(port),
    "--access-key", accessKeyId, "--secret-key", secretAccessKey, "--owner-pid", String(process.pid),
  ];
  if (pki !== undefined) args.push("--ssl-port", String(sslPort), "--ssl-certificate", pki.server.bundlePath);

  let printed: Map<string, string>;
  try {
    const { stdout } = await run("bash", args, { timeout: 120_000 });
    printed = new Map(stdout.split("\n").filter(Boolean).map((line) => splitOnce(line, "=")));
  } catch (error) {
    // start.sh has stopped what it started; its directory stays for the logs.
    if ((error as { code?: unknown }).code === NOT_INSTALLED) await rm(dir, { recursive: true, force: true });
    throw startError(error, dir);
  }

  const logDir = join(dir, "log");
  const tlsEndpoint = printed.get("tls_endpoint");
  return {
    endpoint: printed.get("endpoint") ?? `http://127.0.0.1:${port}`,
    ...(tlsEndpoint !== undefined && pki !== undefined ? { tlsEndpoint, ca: pki.ca.cert } : {}),
    accessKeyId,
    secretAccessKey,
    region: "us-east-1",
    logDir,
    stop: async () => {
      await run("bash", [STOP_SCRIPT, "--dir", dir]);
      if (!options.keepFiles) await rm(dir, { recursive: true, force: true });
    },
  };
}

function startError(error: unknown, dir: string): Error {
  const { code, stderr } = error as { code?: number | string; stderr?: string };
  if (code === NOT_INSTALLED) {
    // start.sh's message names the missing program and the install command.
    return new Error(`The test suite needs Ceph RGW: ${stderr?.trim() || `install it with ${RGW_INSTALL_COMMAND}`}`);
  }
  return new Error(`Ceph RGW did not start; its config and logs are kept in ${dir}:\n${stderr ?? String(error)}`);
}

function splitOnce(line: string, separator: string): [string, string] {
  const at = line.indexOf(separator);
  return at < 0 ? [line, ""] : [line.slice(0, at), line.slice(at + 1)];
}
