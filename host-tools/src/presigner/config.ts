// The presigner's configuration: its shape, its defaults and its checks.
// Defaults run everything in-process (aedes and s3rver) for `npm start` and
// tests; a production config names the broker, the bucket and the secrets.
// config-source.ts reads the file and the FERRY_* environment.
import { randomBytes } from "node:crypto";
import { DEFAULT_DEVICES_PREFIX, DEFAULT_RELEASES_PREFIX, pathProblem, startsWithFolder } from "../../../firmware/src/protocol/keys.js";
import { DEFAULT_TOPIC_PREFIX, isDeviceId, isTopicPrefix } from "../../../firmware/src/protocol/topics.js";
import { ConfigError, ConfigSection, type Json } from "./config-fields.js";
import type { PresignLimits } from "./desk.js";
import type { HttpSettings } from "./http.js";
import { LOG_LEVELS, type LogLevel } from "./log.js";
import type { MqttSettings } from "./service.js";

/** `mqtt.url` and `s3.endpoint` value that starts the in-process stand-in. */
export const LOCAL = "local";
/** `s3.endpoint` value for AWS S3 itself (the SDK picks the regional endpoint). */
export const AWS = "aws";

/**
 * The master secret of local development. Anyone can read it here, which is
 * the point: it is refused unless both broker and store are in-process.
 */
export const DEVELOPMENT_MASTER_SECRET = "ferry-local-development-master-secret-not-for-production";

export const MIN_SECRET_LENGTH = 32;
export const MIN_TOKEN_LENGTH = 16;

export interface S3Settings {
  /** "local", "aws", or the base URL of an S3-compatible store. */
  endpoint: string;
  region?: string;
  bucket: string;
  forcePathStyle: boolean;
  devicesPrefix: string;
  releasesPrefix: string;
}

export interface PresignerConfig {
  /** Both broker and store in-process: development defaults are allowed. */
  development: boolean;
  topicPrefix: string;
  devices: "*" | string[];
  masterSecret: string;
  mqtt: MqttSettings;
  s3: S3Settings;
  limits: PresignLimits;
  /** Undefined when the HTTP endpoint is turned off (`"http": false`). */
  http?: HttpSettings;
  local: { mqttPort: number; s3Port: number; directory?: string };
  log: { level: LogLevel };
}

const MIB = 1024 * 1024;
/** S3's limit for one PUT. */
const MAX_SINGLE_PUT = 5 * 1024 * MIB;

/** Checks a parsed config (file and environment merged) and fills in defaults. */
export function validateConfig(raw: unknown, source: string): PresignerConfig {
  const problems: string[] = [];
  const root = new ConfigSection(isJson(raw) ? raw : {}, "", problems);
  if (!isJson(raw)) problems.push("the config must be a JSON object");

  const topicPrefix = root.string("topicPrefix", DEFAULT_TOPIC_PREFIX, (value) =>
    isTopicPrefix(value) ? undefined : `must be topic segments without "+", "#" or a leading "$", got "${value}"`,
  );
  const devices = readDevices(root);
  const suppliedSecret = root.secret("masterSecret", MIN_SECRET_LENGTH);

  const mqttSection = root.section("mqtt");
  const mqttUrl = mqttSection.string("url", LOCAL, (value) =>
    value === LOCAL || /^(mqtts?|wss?):\/\/./.test(value) ? undefined : `must be "local" or an mqtt://, mqtts://, ws:// or wss:// URL`,
  );
  const mqtt: MqttSettings = {
    url: mqttUrl,
    ca: mqttSection.optionalString("ca"),
    cert: mqttSection.optionalString("cert"),
    key: mqttSection.optionalString("key"),
    username: mqttSection.optionalString("username"),
    password: mqttSection.secret("password", 1),
    clientId: mqttSection.string("clientId", `ferry-presigner-${randomBytes(4).toString("hex")}`),
    shared: mqttSection.oneOf("shared", ["auto", "on", "off"], "auto"),
    group: mqttSection.string("group", "ferry-presigner", (value) => (/^[^/+#]+$/.test(value) ? undefined : `must not contain "/", "+" or "#"`)),
    rejectUnauthorized: mqttSection.boolean("rejectUnauthorized", true),
  };
  if ((mqtt.cert === undefined) !== (mqtt.key === undefined)) mqttSection.problem(mqtt.cert === undefined ? "cert" : "key", "is missing: a client certificate needs both cert and key");
  if (mqtt.url === LOCAL && mqtt.shared === "on") mqttSection.problem("shared", `is "on", but the local broker (aedes) speaks MQTT 3.1.1 only: use "auto"`);
  mqttSection.finish();

  const s3 = readS3(root.section("s3"));
  const development = mqtt.url === LOCAL && s3.endpoint === LOCAL;

  const limitsSection = root.section("limits");
  const limits: PresignLimits = {
    expirySeconds: limitsSection.integer("expirySeconds", 1, 3600, 300),
    maxUploadBytes: limitsSection.integer("maxUploadBytes", 0, MAX_SINGLE_PUT, 100 * MIB),
    maxPayloadBytes: limitsSection.integer("maxPayloadBytes", 64, 65536, 1024),
    recentIdsPerDevice: limitsSection.integer("recentIdsPerDevice", 1, 100_000, 256),
  };
  limitsSection.finish();

  const http = root.raw("http") === false ? undefined : readHttp(root.section("http"), development);

  const localSection = root.section("local");
  const local = {
    mqttPort: localSection.integer("mqttPort", 0, 65535, 1883),
    s3Port: localSection.integer("s3Port", 0, 65535, 4569),
    directory: localSection.optionalString("directory"),
  };
  localSection.finish();

  const logSection = root.section("log");
  const log = { level: logSection.oneOf("level", LOG_LEVELS, "info") };
  logSection.finish();

  if (suppliedSecret === undefined && !development && !problems.some((problem) => problem.startsWith("masterSecret"))) {
    problems.push("masterSecret is missing: set FERRY_MASTER_SECRET or FERRY_MASTER_SECRET_FILE (at least 32 characters, e.g. from `openssl rand -hex 32`); only a fully local setup may run without one");
  }
  root.finish();
  if (problems.length > 0) throw new ConfigError(source, problems);
  return {
    development,
    topicPrefix,
    devices,
    masterSecret: suppliedSecret ?? DEVELOPMENT_MASTER_SECRET,
    mqtt,
    s3,
    limits,
    http,
    local,
    log,
  };
}

function readDevices(root: ConfigSection): "*" | string[] {
  const value = root.raw("devices");
  if (value === undefined || value === "*") return "*";
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
    value.forEach((id: string, i) => {
      if (!isDeviceId(id)) root.problem(`devices[${i}]`, `must be 1 to 64 characters of A-Z a-z 0-9 _ -, got "${id}"`);
    });
    return value as string[];
  }
  root.problem("devices", `must be "*" (any device the broker lets in) or a list of device ids`);
  return "*";
}

function readS3(section: ConfigSection): S3Settings {
  const endpoint = section.string("endpoint", LOCAL, (value) =>
    value === LOCAL || value === AWS || /^https?:\/\/./.test(value) ? undefined : `must be "local", "aws" or an http:// or https:// URL`,
  );
  const bucket = section.optionalString("bucket", (value) =>
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) ? undefined : `must be an S3 bucket name (3-63 of a-z 0-9 . -), got "${value}"`,
  );
  if (bucket === undefined && endpoint !== LOCAL) section.problem("bucket", "is missing: name the bucket the presigned URLs are for");
  const folder = (value: string) => pathProblem(value)?.replace("the key", "the folder");
  const settings: S3Settings = {
    endpoint,
    region: section.optionalString("region"),
    bucket: bucket ?? "ferry",
    forcePathStyle: section.boolean("forcePathStyle", endpoint !== AWS),
    devicesPrefix: section.string("devicesPrefix", DEFAULT_DEVICES_PREFIX, folder),
    releasesPrefix: section.string("releasesPrefix", DEFAULT_RELEASES_PREFIX, folder),
  };
  if (startsWithFolder(settings.devicesPrefix, settings.releasesPrefix) || startsWithFolder(settings.releasesPrefix, settings.devicesPrefix)) {
    section.problem("releasesPrefix", `and devicesPrefix must be separate folders, got "${settings.releasesPrefix}" and "${settings.devicesPrefix}"`);
  }
  section.finish();
  return settings;
}

function readHttp(section: ConfigSection, development: boolean): HttpSettings {
  const http: HttpSettings = {
    host: section.string("host", "127.0.0.1"),
    port: section.integer("port", 0, 65535, 8080),
    token: section.secret("token", MIN_TOKEN_LENGTH),
    anonymous: section.boolean("anonymous", development),
    clientId: section.string("clientId", "http", (value) => (isDeviceId(value) ? undefined : "must be a device id: 1 to 64 characters of A-Z a-z 0-9 _ -")),
    corsOrigins: section.strings("corsOrigins", [], (value) => (value === "*" || /^https?:\/\/[^/]+$/.test(value) ? undefined : `must be an origin such as "https://app.example.com", got "${value}"`)),
  };
  if (http.token === undefined && !http.anonymous && section.raw("token") === undefined) {
    section.problem("token", "is missing: set FERRY_HTTP_TOKEN (16 characters or more), set http.anonymous to true to serve without one, or set \"http\": false");
  }
  section.finish();
  return http;
}

function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
