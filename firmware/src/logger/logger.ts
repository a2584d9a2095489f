// The app's log: timestamped lines appended to numbered files in a folder on
// the SD card (docs/device-logger.md). A file is written only while it is
// the current one; once closed (rotated by size or age, or left behind by a
// reboot) it never changes again, so it can be uploaded as it is. Lines wait
// in a small RAM buffer to spare the card many tiny writes. Card failures
// never reach the caller: the lines are counted as lost and the next
// successful write says so in the file.
//
// State lives in closure variables rather than object fields: the minifier
// shortens those names, which keeps the logger's share of the bundle small.
import type { FileSystem } from "../fs/file-system.js";
import { LOG_NAME_LENGTH, logFileName, sequenceOf } from "./file-names.js";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogClock {
  /** Milliseconds; since 1970 once the device's clock is set, since boot before. */
  now(): number;
  /** Runs `task` once after `ms`; the returned function cancels it. */
  after(ms: number, task: () => void): () => void;
}

/** Where the next file number survives reboots (a StoredRecord in Storage on the device). */
export interface SequenceRecord {
  read(): { next: number } | undefined;
  write(value: { next: number }): void;
}

export interface LoggerOptions {
  files: FileSystem;
  clock: LogClock;
  sequence: SequenceRecord;
  /** Default "/logs". */
  dir?: string;
  /** A file is closed before a line would take it past this size. Default 64 KB. */
  maxFileBytes?: number;
  /** A file is closed once its first line is this old. Default 1 hour. */
  maxFileAgeMs?: number;
  /** Buffered bytes that trigger a write at once. Default 1 KB. */
  bufferBytes?: number;
  /** The longest a line waits in RAM. Default 5 s. */
  flushMs?: number;
  /** Lines below this level are left out. Default "info". */
  level?: LogLevel;
  /** Also sends every line here (the console), without its newline. */
  console?: (line: string) => void;
}

/** A closed log file: complete, and never written again. */
export interface LogFile {
  path: string;
  size: number;
}

export interface LogStatus {
  /** Lines lost since boot because the card failed. */
  dropped: number;
  /** The card's last error; undefined until one happens. */
  lastError?: string;
}

export interface Logger {
  debug(...parts: unknown[]): void;
  info(...parts: unknown[]): void;
  warn(...parts: unknown[]): void;
  /** Written to the card at once, with whatever is buffered. */
  error(...parts: unknown[]): void;
  /** Writes the buffered lines now (before a reboot, for instance). */
  flush(): void;
  /** Closes the current file now (before an upload round); the next line starts a new one. */
  rotate(): void;
  /** The files that will not change again, oldest first: all but the one being written. */
  closedFiles(): LogFile[];
  status(): LogStatus;
}

/** Upper case, as the lines show them; `LoggerOptions.level` names them in lower case. */
const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"];
const WARN = 2;
const ERROR = 3;
/** The engine's path buffer holds 64 bytes with the terminating zero (docs/engine.md). */
const MAX_PATH_LENGTH = 63;

export function createLogger(options: LoggerOptions): Logger {
  const files = options.files;
  const clock = options.clock;
  const sequence = options.sequence;
  const toConsole = options.console;
  // 0 is no sensible value for any of these, so || picks the default.
  const dir = options.dir || "/logs";
  const maxFileBytes = options.maxFileBytes || 65536;
  const maxFileAgeMs = options.maxFileAgeMs || 3600000;
  const bufferBytes = options.bufferBytes || 1024;
  const flushMs = options.flushMs || 5000;
  const minLevel = LEVELS.indexOf((options.level || "info").toUpperCase());
  if (dir.length + 1 + LOG_NAME_LENGTH > MAX_PATH_LENGTH) throw new Error("log dir too long: " + dir);

  let pending = "";
  let pendingLines = 0;
  let dropped = 0;
  let reported = 0;
  let lastError: string | undefined;
  // The file this boot appends to ("" when there is none): its name, its
  // size, and when its first line was written.
  let current = "";
  let currentSize = 0;
  let currentStarted = 0;
  /** The next file number; -1 until the card's folder has been read. */
  let next = -1;
  let cancelFlush: (() => void) | undefined;

  function line(level: number, text: string): string {
    // A line break in the text would split the entry in two.
    return new Date(clock.now()).toISOString() + " " + LEVELS[level] + " " + text.split("\n").join(" ") + "\n";
  }

  function aged(): boolean {
    return !!current && clock.now() - currentStarted >= maxFileAgeMs;
  }

  /**
   * Past every file on the card and the number kept in Storage, so a new
   * file never reuses a name: not after a reboot, and not after uploads
   * deleted the files with the highest numbers.
   */
  function firstFreeNumber(): number {
    if (!files.stat(dir)) files.makeDir(dir);
    const stored = sequence.read();
    const kept = (stored && stored.next) || 1;
    let first = kept;
    for (const name of files.list(dir)) first = Math.max(first, sequenceOf(name) + 1);
    // Kept at once: the files that set it may be uploaded and deleted before this logger creates one.
    if (first > kept) sequence.write({ next: first });
    return first;
  }

  function flush(): void {
    if (cancelFlush) cancelFlush();
    cancelFlush = undefined;
    if (!pending) return;
    let data = pending;
    const lines = pendingLines;
    pending = "";
    pendingLines = 0;
    if (dropped > reported) data = line(WARN, "log: " + (dropped - reported) + " lines lost: " + lastError) + data;
    try {
      if (next < 0) next = firstFreeNumber();
      const name = current || logFileName(next);
      files.append(dir + "/" + name, data);
      if (!current) {
        current = name;
        currentSize = 0;
        currentStarted = clock.now();
        sequence.write({ next: ++next });
      }
      currentSize += data.length;
      reported = dropped;
    } catch (err) {
      if (toConsole && dropped === reported) toConsole("log: cannot write to the card: " + err);
      dropped += lines;
      lastError = String(err);
      // The card may come back as another card: read its folder again first.
      current = "";
      next = -1;
    }
  }

  function rotate(): void {
    flush();
    current = "";
  }

  function writer(level: number): (...parts: unknown[]) => void {
    return function () {
      if (level < minLevel) return;
      let text = "";
      for (let i = 0; i < arguments.length; i++) text += (i ? " " : "") + describe(arguments[i]);
      const entry = line(level, text);
      if (toConsole) toConsole(entry.slice(0, -1));
      const used = (current ? currentSize : 0) + pending.length;
      if (used && (used + entry.length > maxFileBytes || aged())) rotate();
      pending += entry;
      pendingLines++;
      if (level === ERROR || pending.length >= bufferBytes) flush();
      else if (!cancelFlush) cancelFlush = clock.after(flushMs, flush);
    };
  }

  return {
    debug: writer(0),
    info: writer(1),
    warn: writer(WARN),
    error: writer(ERROR),
    flush: flush,
    rotate: rotate,
    closedFiles() {
      if (aged()) rotate();
      const found: LogFile[] = [];
      try {
        // No folder yet is no error: nothing has been logged on this card.
        if (!files.stat(dir)) return found;
        // Numbers are taken before the caller uploads and deletes any file.
        if (next < 0) next = firstFreeNumber();
        for (const name of files.list(dir)) {
          const path = dir + "/" + name;
          const stat = sequenceOf(name) < 0 || name === current ? undefined : files.stat(path);
          if (stat && !stat.dir) found.push({ path: path, size: stat.size });
        }
      } catch (err) {
        // No card: nothing to upload this round.
        lastError = String(err);
        return [];
      }
      return found.sort((a, b) => (a.path < b.path ? -1 : 1));
    },
    status: () => ({ dropped: dropped, lastError: lastError }),
  };
}

function describe(part: unknown): string {
  // Errors print as "TypeError: text" (JSON gives "{}" in Node); the engine's
  // TypeError is not instanceof Error (docs/engine.md), hence the duck test.
  if (typeof part === "string" || (part && typeof (part as { message?: unknown }).message === "string")) return String(part);
  try {
    return JSON.stringify(part);
  } catch (err) {
    // A circular value: logging must not throw into the app.
    return String(part);
  }
}
