// The presigner's configuration: local defaults, production requirements,
// environment overrides, and errors that name the field and never a secret.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../host-tools/src/presigner/config-fields.js";
import { loadConfig } from "../../host-tools/src/presigner/config-source.js";
import { DEVELOPMENT_MASTER_SECRET, validateConfig } from "../../host-tools/src/presigner/config.js";

const PRODUCTION = {
  masterSecret: "p".repeat(40),
  mqtt: { url: "mqtts://broker.example:8883", ca: "/etc/ferry/ca.pem", cert: "/etc/ferry/presigner.pem", key: "/etc/ferry/presigner.key" },
  s3: { endpoint: "aws", bucket: "fleet-logs", region: "eu-west-1" },
  http: { token: "t".repeat(20), host: "0.0.0.0" },
};

function problemsOf(raw: unknown): string[] {
  try {
    validateConfig(raw, "test.json");
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe("presigner config", () => {
  it("defaults to a fully local development setup", () => {
    const config = validateConfig({}, "defaults");
    expect(config).toMatchObject({
      development: true,
      topicPrefix: "ferry",
      devices: "*",
      masterSecret: DEVELOPMENT_MASTER_SECRET,
      mqtt: { url: "local", shared: "auto", group: "ferry-presigner", rejectUnauthorized: true },
      s3: { endpoint: "local", bucket: "ferry", forcePathStyle: true, devicesPrefix: "devices", releasesPrefix: "releases" },
      limits: { expirySeconds: 300, maxPayloadBytes: 1024, recentIdsPerDevice: 256 },
      http: { host: "127.0.0.1", port: 8080, anonymous: true, clientId: "http" },
    });
    expect(config.mqtt.clientId).toMatch(/^ferry-presigner-[0-9a-f]{8}$/);
  });

  it("takes a production config, with AWS S3 addressed virtual-host style", () => {
    const config = validateConfig(PRODUCTION, "prod.json");
    expect(config.development).toBe(false);
    expect(config.s3.forcePathStyle).toBe(false);
    expect(config.http?.anonymous).toBe(false);
  });

  it("requires a master secret, a bucket and an HTTP token once anything is not local", () => {
    const problems = problemsOf({ mqtt: { url: "mqtts://broker.example:8883" }, s3: { endpoint: "https://s3.example" } });
    expect(problems).toEqual([
      expect.stringMatching(/^s3\.bucket is missing/),
      expect.stringMatching(/^http\.token is missing: set FERRY_HTTP_TOKEN/),
      expect.stringMatching(/^masterSecret is missing: set FERRY_MASTER_SECRET/),
    ]);
    expect(problemsOf({ ...PRODUCTION, http: false })).toEqual([]);
    expect(problemsOf({ ...PRODUCTION, http: { anonymous: true } })).toEqual([]);
  });

  it("names every problem with its field, and never quotes a secret", () => {
    const secret = "short-secret-value";
    const problems = problemsOf({
      ...PRODUCTION,
      masterSecret: secret,
      topicPrefix: "ferry/+",
      devices: ["dev-a", "bad/id"],
      mqtt: { ...PRODUCTION.mqtt, shared: "yes", url: "http://x", passwd: "x" },
      s3: { ...PRODUCTION.s3, bucket: "Bad_Bucket", releasesPrefix: "devices/rel" },
      limits: { expirySeconds: 86400, maxUploadBytes: -1 },
      http: { token: "tiny", port: "8080" },
      log: { level: "loud" },
    });
    const text = problems.join("\n");
    for (const field of [
      "topicPrefix",
      "devices[1]",
      "masterSecret",
      "mqtt.shared",
      "mqtt.url",
      "mqtt.passwd is not a known field",
      "s3.bucket",
      "s3.releasesPrefix",
      "limits.expirySeconds must be a whole number from 1 to 3600, got 86400",
      "limits.maxUploadBytes",
      "http.token",
      "http.port",
      "log.level",
    ]) {
      expect(text).toContain(field);
    }
    expect(text).not.toContain(secret);
    expect(text).not.toContain("tiny");
  });

  it("refuses shared \"on\" with the local broker, which has no MQTT 5", () => {
    expect(problemsOf({ mqtt: { shared: "on" } })).toEqual([expect.stringMatching(/^mqtt\.shared is "on", but the local broker/)]);
  });

  it("refuses a client certificate without its key", () => {
    expect(problemsOf({ ...PRODUCTION, mqtt: { url: "mqtts://b:8883", cert: "/c.pem" } })).toEqual([expect.stringMatching(/^mqtt\.key is missing/)]);
  });
});

describe("config file and environment", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-config-"));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("lets FERRY_* variables override the file", async () => {
    const file = join(dir, "presigner.json");
    await writeFile(file, JSON.stringify({ ...PRODUCTION, topicPrefix: "fleet" }));
    const config = await loadConfig(file, {
      FERRY_TOPIC_PREFIX: "override",
      FERRY_DEVICES: "dev-1, dev-2",
      FERRY_HTTP_PORT: "9090",
      FERRY_EXPIRY_SECONDS: "60",
      FERRY_MQTT_SHARED: "on",
      FERRY_S3_FORCE_PATH_STYLE: "true",
    });
    expect(config).toMatchObject({
      topicPrefix: "override",
      devices: ["dev-1", "dev-2"],
      http: { port: 9090 },
      limits: { expirySeconds: 60 },
      mqtt: { shared: "on" },
      s3: { forcePathStyle: true, bucket: "fleet-logs" },
    });
  });

  it("reads the master secret from a file", async () => {
    const secretFile = join(dir, "secret");
    await writeFile(secretFile, `${"s".repeat(48)}\n`);
    const config = await loadConfig(undefined, { FERRY_MASTER_SECRET_FILE: secretFile });
    expect(config.masterSecret).toBe("s".repeat(48));
  });

  it("explains a missing file, bad JSON and a malformed variable", async () => {
    await expect(loadConfig(join(dir, "absent.json"), {})).rejects.toThrow(/absent\.json has a problem:\n {2}cannot be read \(ENOENT\): check the path given to --config/);
    const broken = join(dir, "broken.json");
    await writeFile(broken, "{ not json");
    await expect(loadConfig(broken, {})).rejects.toThrow(/broken\.json has a problem:\n {2}is not valid JSON/);
    await expect(loadConfig(undefined, { FERRY_HTTP_PORT: "eighty" })).rejects.toThrow(/FERRY_HTTP_PORT must be a whole number, got "eighty"/);
  });
});
