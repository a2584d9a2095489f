// The SD card: a host directory standing for the card's FAT volume. Paths
// are card-absolute (`/logs/a.txt` and `logs/a.txt` name the same file) and
// resolve the way FatFs does with relative paths enabled (_FS_RPATH 2 in
// libs/filesystem/fat_sd/ffconf.h): `..` at the root stays at the root, so
// no path leaves the card's directory.
import { join } from "node:path";
import { MAX_PATH_LENGTH } from "../engine/profile.js";

/** FatFs result names the engine prints after its own message ("Could not open file : NO_FILE"). */
export type FatResult = "NO_FILE" | "NO_PATH" | "INVALID_NAME" | "DENIED" | "EXIST" | "NOT_READY" | "DISK_ERR";

/** A file-system error with the engine's text: `<what failed> : <FatFs result>`. */
export class FatError extends Error {
  constructor(
    readonly operation: string,
    readonly result: FatResult,
  ) {
    super(`${operation} : ${result}`);
  }
}

/** Characters FatFs refuses in a name (create_name in ff.c). */
const INVALID_NAME_CHARS = /["*:<>?|\x00-\x1f\x7f]/;

export class SdCard {
  /** @param root the host directory holding the card's files; null when no card is inserted. */
  constructor(readonly root: string | null) {}

  get inserted(): boolean {
    return this.root !== null;
  }

  /**
   * The host path for a card path. The engine copies paths into a
   * MAX_PATH_LENGTH-byte buffer that also holds the terminating zero, so a
   * path must be shorter than that ("File path too long").
   */
  resolve(cardPath: string, operation: string): string {
    if (this.root === null) throw new FatError(operation, "NOT_READY");
    if (cardPath.length >= MAX_PATH_LENGTH) throw new Error("File path too long");
    const segments: string[] = [];
    for (const segment of cardPath.split(/[/\\]/)) {
      if (segment === "" || segment === ".") continue;
      if (segment === "..") {
        segments.pop();
        continue;
      }
      if (INVALID_NAME_CHARS.test(segment)) throw new FatError(operation, "INVALID_NAME");
      segments.push(segment);
    }
    return join(this.root, ...segments);
  }
}

/** The FatFs result a Node file-system error stands for. */
export function fatResultOf(error: unknown, parentExists: boolean): FatResult {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return parentExists ? "NO_FILE" : "NO_PATH";
    case "ENOTDIR":
      return "NO_PATH";
    case "EEXIST":
      return "EXIST";
    case "EACCES":
    case "EPERM":
    case "EISDIR":
    case "ENOTEMPTY":
      return "DENIED";
    default:
      return "DISK_ERR";
  }
}
