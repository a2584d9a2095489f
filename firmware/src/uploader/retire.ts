// What happens to a log file once the bucket holds all of it. The engine
// has no rename (docs/engine.md, "Files and flash"), so "move" copies the
// file into the sent folder, checks the copy's size, and only then deletes
// the original: a failure at any step leaves the original in place.
import type { FileSystem } from "../fs/file-system.js";

export const SENT_DIR = "/sent";

/**
 * Throws when the file could not be retired (the card's Error, or an
 * uploader failure string); the original is then still there.
 */
export function retireFile(files: FileSystem, path: string, size: number, mode: "delete" | "move" | undefined, chunkSize: number): void {
  if (mode === "move") {
    const copy = SENT_DIR + path.substring(path.lastIndexOf("/"));
    if (!files.stat(SENT_DIR)) files.makeDir(SENT_DIR);
    // A copy left by an earlier attempt that failed half-way.
    if (files.stat(copy)) files.remove(copy);
    const reader = files.openReader(path);
    try {
      for (let data = reader.read(chunkSize); data; data = reader.read(chunkSize)) files.append(copy, data);
    } finally {
      reader.close();
    }
    const stat = files.stat(copy);
    if ((stat && stat.size) !== size) throw "retire: the copy in " + SENT_DIR + " is short";
  }
  files.remove(path);
}
