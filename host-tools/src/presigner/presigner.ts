// Starts the whole presigner from a checked config: the local stand-ins when
// asked for, the signer, the MQTT service and the HTTP endpoint.
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import { startLocalBroker, type LocalBroker } from "../local/broker.js";
import { startLocalStore, type LocalStore } from "../local/store.js";
import { AWS, DEVELOPMENT_MASTER_SECRET, LOCAL, type PresignerConfig } from "./config.js";
import { PresignDesk } from "./desk.js";
import { PresignHttpServer } from "./http.js";
import { Logger } from "./log.js";
import { PresignMetrics } from "./metrics.js";
import { PresignService, type SubscriptionMode } from "./service.js";
import { S3Signer } from "./signer.js";

export interface PresignerOptions {
  log?: Logger;
  metrics?: PresignMetrics;
  /** Fixed S3 credentials instead of the SDK's default chain (tests against a store with its own users). */
  credentials?: S3ClientConfig["credentials"];
}

export interface RunningPresigner {
  readonly mqttMode: SubscriptionMode;
  /** The broker actually used (the local one's URL when `mqtt.url` is "local"). */
  readonly mqttUrl: string;
  readonly httpUrl?: string;
  readonly localBroker?: LocalBroker;
  readonly localStore?: LocalStore;
  readonly signer: S3Signer;
  readonly metrics: PresignMetrics;
  close(): Promise<void>;
}

export async function startPresigner(config: PresignerConfig, options: PresignerOptions = {}): Promise<RunningPresigner> {
  const log = options.log ?? new Logger(process.stdout, config.log.level);
  const metrics = options.metrics ?? new PresignMetrics();
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (let closer = closers.pop(); closer; closer = closers.pop()) await closer();
  };
  try {
    const localBroker = config.mqtt.url === LOCAL ? await startLocalBroker({ port: config.local.mqttPort }) : undefined;
    if (localBroker) {
      closers.push(() => localBroker.close());
      log.info("started the in-process MQTT broker (aedes)", { url: localBroker.url });
    }
    const localStore =
      config.s3.endpoint === LOCAL
        ? await startLocalStore({ port: config.local.s3Port, bucket: config.s3.bucket, directory: config.local.directory })
        : undefined;
    if (localStore) {
      closers.push(() => localStore.close());
      log.info("started the in-process S3 store (s3rver)", { endpoint: localStore.endpoint, bucket: localStore.bucket });
    }
    const signer = new S3Signer({
      bucket: config.s3.bucket,
      endpoint: localStore?.endpoint ?? (config.s3.endpoint === AWS ? undefined : config.s3.endpoint),
      region: config.s3.region ?? localStore?.region,
      forcePathStyle: config.s3.forcePathStyle,
      credentials: options.credentials ?? localStore?.credentials,
    });
    closers.push(() => signer.close());
    await signer.ready();
    if (signer.mode.kind === "sdk") {
      log.warn("signing every URL with the AWS SDK, which takes about 40 times as long per URL as the in-process signer (docs/benchmarks.md)", { reason: signer.mode.reason });
    }
    const layout = { devicesPrefix: config.s3.devicesPrefix, releasesPrefix: config.s3.releasesPrefix };
    const desk = new PresignDesk({ layout, limits: config.limits, devices: config.devices, masterSecret: config.masterSecret, signer, log, metrics });
    closers.push(() => desk.close());
    const mqttUrl = localBroker?.url ?? config.mqtt.url;
    const service = await PresignService.start({ ...config.mqtt, url: mqttUrl }, config.topicPrefix, desk, log, metrics);
    closers.push(() => service.close());
    const http = config.http ? await PresignHttpServer.start(config.http, { desk, signer, layout, limits: config.limits, metrics, log }) : undefined;
    if (http) closers.push(() => http.close());
    warnAboutDefaults(config, log, http?.url);
    log.info("presigner ready", {
      mqtt: service.mode,
      bucket: config.s3.bucket,
      store: config.s3.endpoint === LOCAL ? "local" : config.s3.endpoint === AWS ? "aws" : new URL(config.s3.endpoint).host,
      http: http?.url ?? "off",
      signing: signer.mode.kind,
      expirySeconds: config.limits.expirySeconds,
      maxUploadBytes: config.limits.maxUploadBytes,
    });
    return { mqttMode: service.mode, mqttUrl, httpUrl: http?.url, localBroker, localStore, signer, metrics, close };
  } catch (err) {
    await close();
    throw err;
  }
}

function warnAboutDefaults(config: PresignerConfig, log: Logger, httpUrl: string | undefined): void {
  if (config.development) log.warn("development mode: in-process broker and store; not for real devices");
  if (config.masterSecret === DEVELOPMENT_MASTER_SECRET) {
    log.warn("using the built-in development master secret: set FERRY_MASTER_SECRET before provisioning real devices");
  }
  if (config.http && config.http.token === undefined) {
    log.warn("the HTTP endpoint answers without a token (http.anonymous): anyone who can reach it can get upload URLs", { http: httpUrl });
  }
  if (config.devices === "*") log.info("answering any device id the broker lets publish (devices: \"*\")");
}
