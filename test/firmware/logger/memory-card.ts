// An SD card in memory with the engine's rules that matter to the logger
// (paths under 64 chars, a missing folder refuses writes, the engine's error
// texts), a switch to take the card out, and a record of every write and stat.
import type { FileReader, FileStat, FileSystem } from "../../../firmware/src/fs/file-system.js";

const MAX_PATH_LENGTH = 64;

export class MemoryCard implements FileSystem {
  readonly files = new Map<string, string>();
  readonly dirs = new Set<string>();
  /** Every append, in order: which file and how many bytes. */
  readonly appends: { path: string; bytes: number }[] = [];
  /** Every path stat was asked about, in order. */
  readonly stats: string[] = [];
  inserted = true;

  append(path: string, data: string): void {
    this.check(path, "Could not open file");
    if (!this.dirs.has(parentOf(path))) throw new Error("Could not open file : NO_PATH");
    this.files.set(path, (this.files.get(path) ?? "") + data);
    this.appends.push({ path, bytes: data.length });
  }

  list(dir: string): string[] {
    this.check(dir, "Unable to list files");
    if (!this.dirs.has(dir)) throw new Error("Unable to list files : NO_PATH");
    return [...this.files.keys(), ...this.dirs].filter((path) => parentOf(path) === dir).map((path) => path.slice(dir.length + 1));
  }

  stat(path: string): FileStat | undefined {
    this.stats.push(path);
    this.check(path, "Unable to stat file");
    if (this.dirs.has(path)) return { size: 0, dir: true };
    const content = this.files.get(path);
    return content === undefined ? undefined : { size: content.length, dir: false };
  }

  remove(path: string): void {
    this.check(path, "Unable to delete file");
    if (!this.files.delete(path)) throw new Error("Unable to delete file : NO_FILE");
  }

  makeDir(path: string): void {
    this.check(path, "Unable to create the directory");
    if (this.dirs.has(path) || this.files.has(path)) throw new Error("Unable to create the directory : EXIST");
    this.dirs.add(path);
  }

  openReader(path: string): FileReader {
    this.check(path, "Could not open file");
    const content = this.files.get(path);
    if (content === undefined) throw new Error("Could not open file : NO_FILE");
    let position = 0;
    return {
      read: (length) => {
        if (position >= content.length) return undefined;
        const chunk = content.slice(position, position + length);
        position += chunk.length;
        return chunk;
      },
      close: () => {},
    };
  }

  private check(path: string, operation: string): void {
    if (path.length >= MAX_PATH_LENGTH) throw new Error("File path too long");
    if (!this.inserted) throw new Error(`${operation} : NOT_READY`);
  }
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}

/** A clock the test moves by hand; timers run as it passes them. */
export class ManualClock {
  private time: number;
  private timers: { at: number; task: () => void }[] = [];

  constructor(start = Date.UTC(2026, 0, 2, 3, 4, 5)) {
    this.time = start;
  }

  now = (): number => this.time;

  after = (ms: number, task: () => void): (() => void) => {
    const timer = { at: this.time + ms, task };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((other) => other !== timer);
    };
  };

  /** A reboot: the timers of the boot that ended never run. */
  powerCut(): void {
    this.timers = [];
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.time = due.at;
      due.task();
    }
    this.time = until;
  }
}

/** Storage's record of the next file number, as StoredRecord keeps it. */
export class MemoryRecord<T> {
  value: T | undefined;
  writes = 0;

  read(): T | undefined {
    return this.value === undefined ? undefined : structuredClone(this.value);
  }

  write(value: T): void {
    this.value = structuredClone(value);
    this.writes++;
  }
}
