// The app's log: timestamped lines appended to numbered files in /logs on
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
import { logFileName, sequenceOf } from "./file-names.js";

export interface LogClock {
  /** Milliseconds; since 1970 once the device's clock is set, since boot before. */
  now(): number;
  /** Runs `task` once after `ms`; the returned function cancels it. */
  after(ms: number, task: () => void): () => void;
}

/** Where the numbers handed out so far survive reboots (a StoredRecord in Storage on the device). */
export interface SequenceRecord {
  read(): { next: number } | undefined;
  write(value: { next: number }): void;
}

export interface LoggerOptions {
  files: FileSystem;
  clock: LogClock;
  sequence: SequenceRecord;
  /** A file is closed before a line would take it past this size. Default 64 KB. */
  maxFileBytes?: number;
  /** A file is closed once its first line is this old. Default 1 hour. */
  maxFileAgeMs?: number;
  /** The longest a line waits in RAM. Default 5 s. */
  flushMs?: number;
  /** Also sends every line here (the console), without its newline. */
  console?: (line: string) => void;
}

/** A closed log file: complete, and never written again. */
export interface LogFile {
  path: string;
  size: number;
}

export interface ClosedFiles {
  /** The oldest closed files `skip` let through, oldest first; at most the `max` asked for. */
  files: LogFile[];
  /** Every closed file on the card, skipped and left-over ones included. */
  count: number;
}

export interface Logger {
  info(...parts: unknown[]): void;
  warn(...parts: unknown[]): void;
  /** Written to the card at once, with whatever is buffered. */
  error(...parts: unknown[]): void;
  /** Writes the buffered lines now (before a reboot, for instance). */
  flush(): void;
  /** Closes the current file now (before an upload round); the next line starts a new one. */
  rotate(): void;
  /**
   * The files that will not change again (all but the one being written).
   * Only the `max` oldest that `skip` does not refuse are stat'ed and
   * returned; the others are only counted, so the answer does not grow
   * with the files waiting on the card. The folder's listing does, for the
   * length of the call (docs/device-logger.md, "Memory").
   */
  closedFiles(max: number, skip?: (path: string) => boolean): ClosedFiles;
}

export const LOG_DIR = "/logs";
/** File numbers reserved in Storage at a time. */
export const NUMBER_BLOCK = 16;
/** Buffered bytes that trigger a write at once. */
const BUFFER_BYTES = 1024;

export function createLogger(options: LoggerOptions): Logger {
  const files = options.files;
  const clock = options.clock;
  const sequence = options.sequence;
  const toConsole = options.console;
  // 0 is no sensible value for any of these, so || picks the default.
  const maxFileBytes = options.maxFileBytes || 65536;
  const maxFileAgeMs = options.maxFileAgeMs || 3600000;
  const flushMs = options.flushMs || 5000;

  /** Lines waiting for the card; the flush timer runs exactly while there are some. */
  let pending = "";
  let cancelFlush: () => void;
  /** Lines lost since the last write that worked, and the card's error. */
  let lost = 0;
  let lastError: string;
  // The file this boot appends to ("" when there is none): its path, its
  // size, and (set as it opens) when it closes by age.
  let current = "";
  let currentSize = 0;
  let closesAt: number;
  // Why a number is never used twice: a file takes `next` only while it is
  // below `reserved`, and `reserved` is in Storage before that. The record
  // only grows, and a boot (or a card that comes back) starts at or past
  // it and past every file on the card, which also covers a Storage that
  // was erased while the files stayed. So files the uploader deletes never
  // let a number come back, whenever they are deleted. Numbers are reserved
  // a block at a time, so Storage is rewritten once a boot and once a block
  // rather than once a file: each rewrite uses flash, and a full Storage
  // compacts, which can move running code (docs/engine.md). A reboot skips
  // the rest of its block.
  let next = 1;
  /** 0 until the card's folder and Storage have been read (again after a failed write). */
  let reserved = 0;

  function line(level: string, text: string): string {
    // A line break in the text would split the entry in two.
    return new Date(clock.now()).toISOString() + " " + level + " " + text.split("\n").join(" ") + "\n";
  }

  function aged(): unknown {
    return current && clock.now() >= closesAt;
  }

  /**
   * Unless numbers are left in the block, moves `next` past Storage's record
   * and every file on the card (making the folder if missing), and reserves
   * a block from there. Should the write throw, `reserved` is already set:
   * the callers' catch zeroes it.
   */
  function reserveNumbers(): void {
    if (next >= reserved) {
      if (!files.stat(LOG_DIR)) files.makeDir(LOG_DIR);
      const stored = sequence.read();
      next = Math.max(next, (stored && stored.next) || 0);
      files.list(LOG_DIR).forEach((name) => {
        next = Math.max(next, sequenceOf(name) + 1);
      });
      sequence.write({ next: (reserved = next + NUMBER_BLOCK) });
    }
  }

  function flush(): void {
    if (!pending) return;
    cancelFlush();
    const data = pending;
    pending = "";
    try {
      if (!current) {
        reserveNumbers();
        // Taken before the first write: should that fail, the number is skipped, never used again.
        current = LOG_DIR + "/" + logFileName(next++);
        closesAt = clock.now() + maxFileAgeMs;
      }
      const text = (lost ? line("WARN", "log: " + lost + " lines lost: " + lastError) : "") + data;
      files.append(current, text);
      currentSize += text.length;
      lost = 0;
    } catch (err) {
      if (toConsole && !lost) toConsole("log: cannot write: " + err);
      lost += data.split("\n").length - 1;
      lastError = "" + err;
      // The card may come back as another card: read its folder again
      // first. The file that was open stays as it is, closed.
      reserved = 0;
      rotate();
    }
  }

  function rotate(): void {
    flush();
    current = "";
    currentSize = 0;
  }

  function writer(level: string, atOnce?: boolean): (...parts: unknown[]) => void {
    return function () {
      // The engine builds a new array at each read of `arguments` (jswrap_arguments): read it once.
      const entry = line(level, ([] as unknown[]).map.call(arguments as unknown as unknown[], describe).join(" "));
      if (toConsole) toConsole(entry.slice(0, -1));
      const used = currentSize + pending.length;
      if (used && (used + entry.length > maxFileBytes || aged())) rotate();
      if (!pending) cancelFlush = clock.after(flushMs, flush);
      pending += entry;
      if (atOnce || pending.length >= BUFFER_BYTES) flush();
    };
  }

  return {
    info: writer("INFO"),
    warn: writer("WARN"),
    error: writer("ERROR", true),
    flush: flush,
    rotate: rotate,
    closedFiles(max, skip) {
      if (aged()) rotate();
      // The oldest paths found so far. Sorting at most max + 1 at a time
      // keeps the engine's sort shallow: it recurses once per element on
      // names already in order, as a folder's often are (jswrap_array.c).
      const oldest: string[] = [];
      const found: LogFile[] = [];
      let count = 0;
      try {
        // Numbers are reserved before the caller uploads and deletes any file.
        reserveNumbers();
        files.list(LOG_DIR).forEach((name) => {
          const path = LOG_DIR + "/" + name;
          if (sequenceOf(name) < 0 || path === current) return;
          count++;
          if (!(skip && skip(path)) && oldest.push(path) > max) oldest.sort().pop();
        });
        oldest.sort().forEach((path) => {
          const stat = files.stat(path);
          if (stat && !stat.dir) found.push({ path: path, size: stat.size });
        });
      } catch (err) {
        // No card (no files, or fewer, this round), or no Storage record
        // written: reserve again before the next file.
        reserved = 0;
      }
      return { files: found, count: count };
    },
  };
}

/**
 * Strings as they are; errors as "TypeError: text", since their JSON is "{}"
 * (the engine's TypeError is not instanceof Error, docs/engine.md, so what
 * String() makes of a value decides); other objects, a socket's
 * {code, message} error among them, and arrays as JSON.
 */
function describe(part: unknown): string {
  const text = String(part);
  if (text === "[object Object]" || part instanceof Array) {
    try {
      return JSON.stringify(part);
    } catch (err) {
      // A circular value: logging must not throw into the app.
    }
  }
  return text;
}
