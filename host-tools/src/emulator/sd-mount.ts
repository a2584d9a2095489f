// The card as one boot sees it (libs/filesystem/jswrap_file.c and
// jswrap_fs.c): nothing works before `E.connectSDCard`, a missing card or a
// wrong chip-select pin fails the mount, and every write reaches the card
// before the call returns (the engine syncs after each write unless told
// not to), so a power cut keeps what completed calls wrote.
import {
  constants,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import type { BoardDefinition } from "../boards/types.js";
import { FatError, fatResultOf, type SdCard } from "./sdcard.js";

export type FileMode = "r" | "r+" | "w" | "w+" | "a";

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC } = constants;

/**
 * The engine's open modes as FatFs flags (jswrap_E_openFile): "w+" opens or
 * creates without truncating, and "a" only starts at the end, so later seeks
 * still move where writes go (no O_APPEND).
 */
const MODES: Record<FileMode, { flags: number; mustExist: boolean; read: boolean; write: boolean; atEnd: boolean }> = {
  r: { flags: O_RDONLY, mustExist: true, read: true, write: false, atEnd: false },
  "r+": { flags: O_RDWR, mustExist: true, read: true, write: true, atEnd: false },
  w: { flags: O_WRONLY | O_CREAT | O_TRUNC, mustExist: false, read: false, write: true, atEnd: false },
  "w+": { flags: O_RDWR | O_CREAT, mustExist: false, read: true, write: true, atEnd: false },
  a: { flags: O_WRONLY | O_CREAT, mustExist: false, read: false, write: true, atEnd: true },
};

export interface CardEntry {
  size: number;
  dir: boolean;
  mtimeMs: number;
}

export class OpenFile {
  private position: number;
  private closed = false;

  constructor(
    private readonly fd: number,
    readonly canRead: boolean,
    readonly canWrite: boolean,
    atEnd: boolean,
    private readonly onClose: (file: OpenFile) => void,
  ) {
    this.position = atEnd ? fstatSync(fd).size : 0;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Up to `length` bytes from the current position; undefined at the end of the file. */
  read(length: number): Buffer | undefined {
    if (this.closed || !this.canRead) return undefined;
    const remaining = fstatSync(this.fd).size - this.position;
    if (remaining <= 0) return undefined;
    const chunk = Buffer.alloc(Math.min(Math.max(length, 0), remaining));
    const count = readSync(this.fd, chunk, 0, chunk.length, this.position);
    this.position += count;
    return chunk.subarray(0, count);
  }

  write(bytes: Buffer): number {
    if (this.closed || !this.canWrite) return 0;
    const count = writeSync(this.fd, bytes, 0, bytes.length, this.position);
    this.position += count;
    return count;
  }

  seek(position: number): void {
    if (!this.closed) this.position = position;
  }

  skip(count: number): void {
    if (!this.closed) this.position += count;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    this.onClose(this);
  }
}

export class SdMount {
  private connected = false;
  private chipSelect: number | undefined;
  private readonly files = new Set<OpenFile>();

  constructor(
    private readonly card: SdCard,
    private readonly board: BoardDefinition,
  ) {}

  /** `E.connectSDCard`: unmounts first, as the engine does. */
  connect(chipSelect: number): void {
    this.unmount();
    this.connected = true;
    this.chipSelect = chipSelect;
  }

  /** `E.unmountSD`, and the end of a boot: open files are closed. */
  unmount(): void {
    for (const file of [...this.files]) file.close();
    this.connected = false;
  }

  open(cardPath: string, mode: string): OpenFile | undefined {
    this.mount();
    const host = this.card.resolve(cardPath, "Could not open file");
    if (!Object.hasOwn(MODES, mode)) return undefined;
    const spec = MODES[mode as FileMode];
    if (existsSync(host) && statSync(host).isDirectory()) throw new FatError("Could not open file", "NO_FILE");
    if (spec.mustExist && !existsSync(host)) {
      throw new FatError("Could not open file", existsSync(dirname(host)) ? "NO_FILE" : "NO_PATH");
    }
    let fd: number;
    try {
      fd = openSync(host, spec.flags);
    } catch (error) {
      throw new FatError("Could not open file", fatResultOf(error, existsSync(dirname(host))));
    }
    const file = new OpenFile(fd, spec.read, spec.write, spec.atEnd, (closed) => this.files.delete(closed));
    this.files.add(file);
    return file;
  }

  /**
   * Names in a directory. FatFs with relative paths enabled lists a
   * subdirectory's `.` and `..` entries too; the root has none. Entries come
   * in creation order, as a FAT directory table holds them.
   */
  readdir(cardPath: string): string[] {
    this.mount();
    const host = this.card.resolve(cardPath, "Unable to list files");
    let names: string[];
    try {
      names = readdirSync(host);
    } catch {
      throw new FatError("Unable to list files", "NO_PATH");
    }
    const byCreation = names
      .map((name) => ({ name, born: statSync(join(host, name)).birthtimeMs }))
      .sort((a, b) => a.born - b.born || (a.name < b.name ? -1 : 1))
      .map((entry) => entry.name);
    return host === this.card.root ? byCreation : [".", "..", ...byCreation];
  }

  /** undefined when nothing is there, as the engine answers. */
  stat(cardPath: string): CardEntry | undefined {
    this.mount();
    const host = this.card.resolve(cardPath, "Unable to stat file");
    if (!existsSync(host)) return undefined;
    const info = statSync(host);
    return { size: info.isDirectory() ? 0 : info.size, dir: info.isDirectory(), mtimeMs: info.mtimeMs };
  }

  /** FatFs deletes files and empty directories alike. */
  unlink(cardPath: string): void {
    this.mount();
    const host = this.card.resolve(cardPath, "Unable to delete file");
    const parentExists = existsSync(dirname(host));
    try {
      if (existsSync(host) && statSync(host).isDirectory()) rmdirSync(host);
      else unlinkSync(host);
    } catch (error) {
      throw new FatError("Unable to delete file", fatResultOf(error, parentExists));
    }
  }

  mkdir(cardPath: string): void {
    this.mount();
    const host = this.card.resolve(cardPath, "Unable to create the directory");
    try {
      mkdirSync(host);
    } catch (error) {
      throw new FatError("Unable to create the directory", fatResultOf(error, existsSync(dirname(host))));
    }
  }

  /** A whole file as bytes, or undefined when the card is not mounted or the file is absent. */
  readWhole(cardPath: string): Buffer | undefined {
    try {
      const file = this.open(cardPath, "r");
      if (!file) return undefined;
      const chunks: Buffer[] = [];
      for (let chunk = file.read(4096); chunk; chunk = file.read(4096)) chunks.push(chunk);
      file.close();
      return Buffer.concat(chunks);
    } catch {
      return undefined;
    }
  }

  /** What `jsfsInit` checks before every operation. */
  private mount(): void {
    if (!this.connected) throw new Error("SD card must be setup with E.connectSDCard first");
    const wiredTo = this.board.sdCard?.cs;
    if (!this.card.inserted || (wiredTo !== undefined && wiredTo !== this.chipSelect)) {
      throw new FatError("Unable to mount media", "NOT_READY");
    }
  }
}
