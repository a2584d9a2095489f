// The real parts a presigner test runs against: a broker, a store, and a way
// to connect as a device. One flow suite (flows.ts) runs over each set.
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import mqtt from "mqtt";
import { startLocalBroker } from "../../host-tools/src/local/broker.js";
import { startLocalStore, type LocalStore } from "../../host-tools/src/local/store.js";
import { validateConfig, type PresignerConfig } from "../../host-tools/src/presigner/config.js";
import { Logger } from "../../host-tools/src/presigner/log.js";
import { startPresigner, type RunningPresigner } from "../../host-tools/src/presigner/presigner.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { connectWithCertificate } from "../support/mqtt-clients.js";
import { s3ClientFor, uniqueBucketName } from "../support/s3.js";
import { suiteRgw } from "../support/suite-rgw.js";
import { TestDevice } from "./device.js";

export const MASTER_SECRET = "test-master-secret-0123456789abcdef0123456789";
export const HTTP_TOKEN = "test-http-token-0123456789";
export const REGISTERED = ["dev-a", "dev-b"];
export const MAX_UPLOAD = 4096;

export interface Peers {
  label: string;
  /** The `mqtt` and `s3` config sections that point at these peers. */
  mqtt: Record<string, unknown>;
  s3: Record<string, unknown>;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Connects as a device whose identity the broker knows as `id`. */
  connectDevice(id: string): Promise<TestDevice>;
  /** Whether `Range: bytes=0-0` answers exactly `bytes 0-0/<size>` (s3rver answers the whole object). */
  exactRanges: boolean;
  stop(): Promise<void>;
}

export interface StartedPresigner {
  presigner: RunningPresigner;
  config: PresignerConfig;
  /** Every log line written, parsed. */
  logs: Record<string, unknown>[];
  logText(): string;
}

/** Starts a presigner against `peers`, with the test registry, secret and token. */
export async function presignerFor(peers: Peers, extra: Record<string, unknown> = {}): Promise<StartedPresigner> {
  const { limits, mqtt: mqttExtra, ...rest } = extra as { limits?: object; mqtt?: object };
  const config = validateConfig(
    {
      masterSecret: MASTER_SECRET,
      devices: REGISTERED,
      mqtt: { ...peers.mqtt, ...mqttExtra },
      s3: peers.s3,
      limits: { maxUploadBytes: MAX_UPLOAD, ...limits },
      http: { port: 0, token: HTTP_TOKEN },
      log: { level: "debug" },
      ...rest,
    },
    `${peers.label} test config`,
  );
  const lines: string[] = [];
  const log = new Logger({ write: (line: string) => lines.push(line) }, "debug");
  const presigner = await startPresigner(config, { log, credentials: peers.credentials });
  return {
    presigner,
    config,
    get logs() {
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    logText: () => lines.join(""),
  };
}

/** aedes and s3rver, in-process. */
export async function localPeers(): Promise<Peers> {
  const broker = await startLocalBroker();
  const store = await startLocalStore();
  return {
    label: "aedes + s3rver",
    mqtt: { url: broker.url },
    ...storeSections(store),
    async connectDevice(id) {
      return TestDevice.attach(id, await mqtt.connectAsync(broker.url, { clientId: id }));
    },
    exactRanges: false,
    async stop() {
      await broker.close();
      await store.close();
    },
  };
}

/** Mosquitto with mutual TLS and the per-device ACL, and Ceph RGW. */
export async function mosquittoRgwPeers(): Promise<Peers & { broker: Mosquitto }> {
  const broker = await startMosquitto();
  const service = await broker.pki.issueClient(broker.serviceIdentity);
  return {
    label: "Mosquitto (mTLS, ACL) + Ceph RGW",
    broker,
    mqtt: { url: broker.tlsUrl, ca: broker.pki.ca.certPath, cert: service.certPath, key: service.keyPath },
    ...(await rgwBucket("presigner")),
    async connectDevice(id) {
      return TestDevice.attach(id, await connectWithCertificate(broker, await broker.pki.issueClient(id)));
    },
    exactRanges: true,
    async stop() {
      await broker.stop();
    },
  };
}

/** aedes and Ceph RGW: for what needs a real store but nothing of the broker (POST policies, CORS). */
export async function aedesRgwPeers(): Promise<Peers> {
  const broker = await startLocalBroker();
  return {
    label: "aedes + Ceph RGW",
    mqtt: { url: broker.url },
    ...(await rgwBucket("post-policy")),
    async connectDevice(id) {
      return TestDevice.attach(id, await mqtt.connectAsync(broker.url, { clientId: id }));
    },
    exactRanges: true,
    stop: () => broker.close(),
  };
}

/** A fresh bucket on the run's shared gateway, as config sections. */
async function rgwBucket(purpose: string): Promise<Pick<Peers, "s3" | "credentials">> {
  const rgw = suiteRgw();
  const bucket = uniqueBucketName(purpose);
  const client = s3ClientFor(rgw);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return {
    s3: { endpoint: rgw.endpoint, bucket, region: rgw.region },
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
  };
}

function storeSections(store: LocalStore): Pick<Peers, "s3" | "credentials"> {
  return {
    s3: { endpoint: store.endpoint, bucket: store.bucket, region: store.region },
    credentials: store.credentials,
  };
}
