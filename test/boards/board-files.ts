// The shipped board files as parsed JSON, fresh on every call, so a test can
// break one field and hand the result to the validator.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BOARDS_DIR } from "../../host-tools/src/paths.js";

export type Json = Record<string, any>;

export function boardJson(id: string): Json {
  return JSON.parse(readFileSync(join(BOARDS_DIR, `${id}.json`), "utf8")) as Json;
}

export function schemaJson(): Json {
  return JSON.parse(readFileSync(join(BOARDS_DIR, "schema.json"), "utf8")) as Json;
}
