/**
 * A real Mosquitto broker (the Debian package) for one test file or benchmark:
 * a plain listener and a mutual-TLS listener on free loopback ports.
 */
import { constants } from "node:fs";
import { access, chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChildDaemon } from "./child-daemon.js";
import { renderAcl, renderBrokerConfig, type BrokerFiles } from "./mosquitto-config.js";
import { createPki, type Pki } from "./pki.js";
import { freePorts, waitForPort } from "./ports.js";
import { assertReadableAs } from "./readable-as.js";

export interface MosquittoOptions {
  /** CA and server certificate to use; a fresh one is made (and removed on stop) when absent. */
  readonly pki?: Pki;
  /** First topic level of the device contract (design.md). */
  readonly topicPrefix?: string;
  /** Client certificate CN of the service, allowed `<prefix>/#` and its shared subscriptions. */
  readonly serviceIdentity?: string;
  /** Log every packet (`log_type all`), for debugging a test. */
  readonly verbose?: boolean;
  /** The broker executable. */
  readonly binary?: string;
}

export interface Mosquitto {
  /** Plain MQTT, anonymous clients allowed, no ACL. */
  readonly port: number;
  /** MQTT over TLS; a client certificate from `pki` is required and its CN is the username. */
  readonly tlsPort: number;
  readonly url: string;
  readonly tlsUrl: string;
  /** PEM of the CA that signed the server and client certificates. */
  readonly ca: string;
  /** Issue device and service certificates with `pki.issueClient(cn)`. */
  readonly pki: Pki;
  readonly topicPrefix: string;
  readonly serviceIdentity: string;
  /** The broker's process id. */
  readonly pid: number;
  /** What the broker has logged so far (last 500 lines). */
  log(): string;
  /** Kills the broker and removes its files; safe to call twice. */
  stop(): Promise<void>;
}

export const MOSQUITTO_BINARY = "/usr/sbin/mosquitto";
// Mosquitto started as root switches to this user before reading its files.
const BROKER_USER = "mosquitto";
// A port can be taken between choosing it and the broker binding it.
const START_ATTEMPTS = 3;

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const binary = options.binary ?? MOSQUITTO_BINARY;
  await assertExecutable(binary);
  const topicPrefix = options.topicPrefix ?? "ferry";
  const serviceIdentity = options.serviceIdentity ?? "ferry-presigner";
  const dir = await mkdtemp(join(tmpdir(), "ferry-mosquitto-"));
  const cleanUp = () => rm(dir, { recursive: true, force: true });

  try {
    await chmod(dir, 0o755);
    // An own PKI lives in the broker's directory and goes with it.
    const pki = options.pki ?? (await createPki({ parentDir: dir }));
    const files = {
      caPath: pki.ca.certPath,
      certPath: pki.server.certPath,
      keyPath: pki.server.keyPath,
      aclPath: join(dir, "acl"),
    };
    await writeFile(files.aclPath, renderAcl({ topicPrefix, serviceIdentity }), { mode: 0o644 });
    await assertReadableAs(BROKER_USER, [files.caPath, files.certPath, files.keyPath, files.aclPath]);

    const { broker, port, tlsPort } = await launch(binary, dir, files, options.verbose ?? false);
    return {
      port,
      tlsPort,
      url: `mqtt://127.0.0.1:${port}`,
      tlsUrl: `mqtts://127.0.0.1:${tlsPort}`,
      ca: pki.ca.cert,
      pki,
      topicPrefix,
      serviceIdentity,
      pid: broker.pid ?? -1,
      log: () => broker.output(),
      stop: async () => {
        await broker.stop();
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

interface LaunchedBroker {
  readonly broker: ChildDaemon;
  readonly port: number;
  readonly tlsPort: number;
}

async function launch(binary: string, dir: string, files: BrokerFiles, verbose: boolean): Promise<LaunchedBroker> {
  const configPath = join(dir, "mosquitto.conf");
  for (let attempt = 1; ; attempt++) {
    const [port, tlsPort] = (await freePorts(2)) as [number, number];
    await writeFile(configPath, renderBrokerConfig({ port, tlsPort, files, verbose }), { mode: 0o644 });
    const broker = new ChildDaemon(binary, ["-c", configPath], { ownedPaths: [dir] });
    try {
      await whenListening(broker, [port, tlsPort]);
      return { broker, port, tlsPort };
    } catch (error) {
      await broker.stop();
      if (attempt < START_ATTEMPTS && /Address already in use/.test(broker.output())) continue;
      throw error;
    }
  }
}

async function assertExecutable(binary: string): Promise<void> {
  try {
    await access(binary, constants.X_OK);
  } catch {
    throw new Error(`Mosquitto is not installed (${binary} not found): apt-get install -y mosquitto`);
  }
}

async function whenListening(broker: ChildDaemon, ports: readonly number[]): Promise<void> {
  const stopWaiting = new AbortController();
  void broker.exited.then(() => stopWaiting.abort());
  try {
    await Promise.all(ports.map((port) => waitForPort(port, { signal: stopWaiting.signal })));
  } catch (error) {
    const reason = broker.hasExited ? "exited during start-up" : `did not listen (${String(error)})`;
    throw new Error(`mosquitto ${reason}; its log:\n${broker.output()}`);
  }
}
