/**
 * The presigner as `ferry presigner --config <file>` runs it (same config
 * loading, same service, logs at info to stdout), in a process of its own
 * that tells the benchmark when it is ready and ends with it.
 *
 * argv: config file. Secrets come from the environment, as in production.
 */
import { loadConfig } from "../../host-tools/src/presigner/config-source.js";
import { Logger } from "../../host-tools/src/presigner/log.js";
import { startPresigner } from "../../host-tools/src/presigner/presigner.js";
import { fromParent, toParent } from "../support/child.js";
import type { Ready } from "./messages.js";

const config = await loadConfig(process.argv[2]);
await startPresigner(config, { log: new Logger(process.stdout, config.log.level) });
fromParent(() => undefined);
toParent({ type: "ready" } satisfies Ready);
