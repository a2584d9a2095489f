import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../../presigner/config-source.js";
import { LOCAL } from "../../presigner/config.js";
import { Logger } from "../../presigner/log.js";
import { startPresigner } from "../../presigner/presigner.js";
import { corsRule, S3Signer } from "../../presigner/signer.js";
import { UsageError, type Command } from "../command.js";

export const command: Command = {
  summary: "vend S3 presigned URLs to devices over MQTT and HTTP",
  usage: `Usage: ferry presigner [--config file]
       ferry presigner cors [--config file] [--apply]

Runs the presigner: it answers devices' requests on <prefix>/+/presign with
presigned S3 URLs sealed with each device's key, and serves the same over
HTTP. Without a config it runs fully local: an in-process MQTT broker on
port 1883 and an in-process S3 store on port 4569 (development only).

FERRY_* environment variables override the config file (docs/presigner.md
lists them); secrets are best passed that way: FERRY_MASTER_SECRET,
FERRY_HTTP_TOKEN. AWS credentials come from the AWS SDK's default chain.

\`cors\` prints the bucket CORS rule that lets browsers on http.corsOrigins
POST uploads; with --apply it sets that rule on the bucket.

Options:
  -c, --config <file>  JSON config file
      --apply          (cors) set the rule on the bucket instead of printing it
`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: "string", short: "c" },
        apply: { type: "boolean", default: false },
      },
    });
    const file = values.config === undefined ? undefined : resolve(values.config);
    if (positionals.length === 1 && positionals[0] === "cors") return cors(file, values.apply);
    if (positionals.length > 0) throw new UsageError(`unexpected "${positionals.join(" ")}": the only subcommand is \`cors\``);
    if (values.apply) throw new UsageError("--apply belongs to `ferry presigner cors`");
    return serve(file);
  },
};

async function serve(file: string | undefined): Promise<number> {
  const config = await loadConfig(file);
  const log = new Logger(process.stdout, config.log.level);
  const presigner = await startPresigner(config, { log });
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      log.info("stopping", { signal });
      done();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await presigner.close();
  return 0;
}

async function cors(file: string | undefined, apply: boolean): Promise<number> {
  const config = await loadConfig(file);
  const origins = config.http?.corsOrigins ?? [];
  if (origins.length === 0) throw new UsageError("http.corsOrigins is empty: list the browser origins that may upload, e.g. [\"https://app.example.com\"]");
  const rule = corsRule(origins);
  if (!apply) {
    process.stdout.write(`${JSON.stringify({ CORSRules: [rule] }, null, 2)}\n`);
    return 0;
  }
  if (config.s3.endpoint === LOCAL) throw new UsageError("s3.endpoint is \"local\": the in-process store lives only while the presigner runs; apply CORS to a real bucket");
  const signer = new S3Signer({
    bucket: config.s3.bucket,
    endpoint: config.s3.endpoint === "aws" ? undefined : config.s3.endpoint,
    region: config.s3.region,
    forcePathStyle: config.s3.forcePathStyle,
  });
  try {
    await signer.ready();
    await signer.applyCors(origins);
  } finally {
    signer.close();
  }
  process.stdout.write(`set the CORS rule on bucket ${config.s3.bucket}: ${origins.join(", ")} may ${rule.AllowedMethods!.join(", ")}\n`);
  return 0;
}
