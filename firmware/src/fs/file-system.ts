// Files on the SD card, as the logic above the platform layer sees them.
// The engine's implementation is firmware/src/platform/fs.ts; tests hand in
// an in-memory one. Data is a binary string (bytes 0-255). Every call may
// throw when the card fails or is taken out, with the engine's message
// ("Could not open file : NOT_READY").

export interface FileStat {
  size: number;
  dir: boolean;
}

/** A file opened for reading, in chunks (an upload reads it on each `drain`). */
export interface FileReader {
  /** Up to `length` bytes; undefined at the end of the file. */
  read(length: number): string | undefined;
  close(): void;
}

export interface FileSystem {
  /** Appends to a file, creating it if needed. */
  append(path: string, data: string): void;
  /** Names in a directory; on the card a subdirectory lists "." and ".." too. */
  list(dir: string): string[];
  /** undefined when nothing is there. */
  stat(path: string): FileStat | undefined;
  /** Deletes a file (or an empty directory). */
  remove(path: string): void;
  makeDir(path: string): void;
  openReader(path: string): FileReader;
}
