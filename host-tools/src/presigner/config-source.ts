// Where the presigner's configuration comes from: an optional JSON file,
// then FERRY_* environment variables on top (the usual way to pass secrets
// and per-instance settings to a container), then validateConfig().
import { readFile } from "node:fs/promises";
import { ConfigError, isObject, type Json } from "./config-fields.js";
import { validateConfig, type PresignerConfig } from "./config.js";

type Kind = "string" | "integer" | "boolean" | "list";

/** Every environment variable the presigner reads, and the config field it sets. */
export const ENVIRONMENT: readonly { name: string; field: string; kind: Kind }[] = [
  { name: "FERRY_TOPIC_PREFIX", field: "topicPrefix", kind: "string" },
  { name: "FERRY_DEVICES", field: "devices", kind: "list" },
  { name: "FERRY_MASTER_SECRET", field: "masterSecret", kind: "string" },
  { name: "FERRY_MASTER_SECRET_FILE", field: "masterSecretFile", kind: "string" },
  { name: "FERRY_MQTT_URL", field: "mqtt.url", kind: "string" },
  { name: "FERRY_MQTT_CA", field: "mqtt.ca", kind: "string" },
  { name: "FERRY_MQTT_CERT", field: "mqtt.cert", kind: "string" },
  { name: "FERRY_MQTT_KEY", field: "mqtt.key", kind: "string" },
  { name: "FERRY_MQTT_USERNAME", field: "mqtt.username", kind: "string" },
  { name: "FERRY_MQTT_PASSWORD", field: "mqtt.password", kind: "string" },
  { name: "FERRY_MQTT_CLIENT_ID", field: "mqtt.clientId", kind: "string" },
  { name: "FERRY_MQTT_SHARED", field: "mqtt.shared", kind: "string" },
  { name: "FERRY_MQTT_GROUP", field: "mqtt.group", kind: "string" },
  { name: "FERRY_S3_ENDPOINT", field: "s3.endpoint", kind: "string" },
  { name: "FERRY_S3_REGION", field: "s3.region", kind: "string" },
  { name: "FERRY_S3_BUCKET", field: "s3.bucket", kind: "string" },
  { name: "FERRY_S3_FORCE_PATH_STYLE", field: "s3.forcePathStyle", kind: "boolean" },
  { name: "FERRY_EXPIRY_SECONDS", field: "limits.expirySeconds", kind: "integer" },
  { name: "FERRY_MAX_UPLOAD_BYTES", field: "limits.maxUploadBytes", kind: "integer" },
  { name: "FERRY_HTTP_HOST", field: "http.host", kind: "string" },
  { name: "FERRY_HTTP_PORT", field: "http.port", kind: "integer" },
  { name: "FERRY_HTTP_TOKEN", field: "http.token", kind: "string" },
  { name: "FERRY_HTTP_ANONYMOUS", field: "http.anonymous", kind: "boolean" },
  { name: "FERRY_LOG_LEVEL", field: "log.level", kind: "string" },
];

/** Reads `file` (if given) and the environment, and checks the result. */
export async function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<PresignerConfig> {
  const raw = file === undefined ? {} : await readConfigFile(file);
  const source = file ?? "the presigner configuration";
  const problems: string[] = [];
  for (const variable of ENVIRONMENT) {
    const text = env[variable.name];
    if (text === undefined || text === "") continue;
    const value = convert(text, variable.kind);
    if (value === undefined) problems.push(`${variable.name} must be ${variable.kind === "integer" ? "a whole number" : "true or false"}, got "${text}"`);
    else setField(raw, variable.field, value);
  }
  await readSecretFile(raw, problems);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return validateConfig(raw, source);
}

async function readConfigFile(file: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [`cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"}): check the path given to --config`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [`is not valid JSON: ${(err as Error).message}`]);
  }
  if (!isObject(value)) throw new ConfigError(file, ["must hold one JSON object"]);
  return value;
}

/** masterSecretFile becomes masterSecret, so the secret itself need not sit in the config. */
async function readSecretFile(raw: Json, problems: string[]): Promise<void> {
  const path = raw["masterSecretFile"];
  delete raw["masterSecretFile"];
  if (path === undefined) return;
  if (typeof path !== "string") {
    problems.push("masterSecretFile must be the path of a file holding the master secret");
    return;
  }
  if (raw["masterSecret"] !== undefined) {
    problems.push("masterSecret and masterSecretFile are both set: keep one");
    return;
  }
  try {
    raw["masterSecret"] = (await readFile(path, "utf8")).replace(/\r?\n$/, "");
  } catch (err) {
    problems.push(`masterSecretFile ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

function convert(text: string, kind: Kind): unknown {
  switch (kind) {
    case "string":
      return text;
    case "integer":
      return /^[0-9]+$/.test(text) ? Number(text) : undefined;
    case "boolean":
      return text === "true" ? true : text === "false" ? false : undefined;
    case "list":
      return text === "*" ? "*" : text.split(",").map((item) => item.trim()).filter((item) => item !== "");
  }
}

function setField(raw: Json, field: string, value: unknown): void {
  const path = field.split(".");
  let target = raw;
  for (const name of path.slice(0, -1)) {
    const next = target[name];
    if (!isObject(next)) target[name] = {};
    target = target[name] as Json;
  }
  target[path[path.length - 1]!] = value;
}
