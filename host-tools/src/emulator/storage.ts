// The engine's Storage: a journaling file system in flash (src/jsflash.c),
// kept here in one host file of the board's Storage size with the same
// layout: each file is a 32-byte header (size word, 28-byte name) followed by
// its data padded to 4 bytes, and unwritten bytes read 0xFF. Erasing or
// replacing a file only zeroes the start of its name, leaving trash that
// takes space until compaction. Every call writes its bytes to the host file
// before it returns, so a power cut keeps exactly what completed calls wrote.
import { closeSync, existsSync, fstatSync, openSync, readSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { MAX_STORAGE_NAME_LENGTH } from "../engine/profile.js";
import { binaryToBuffer } from "./binary.js";

const HEADER_BYTES = 32;
const ALIGNMENT = 4;
const ERASED = 0xff;
const SIZE_MASK = 0x00ffffff;

/** An error the engine throws from Storage, with the engine's own text. */
export class StorageError extends Error {
  override name = "Error";
}

export interface StorageStats {
  totalBytes: number;
  freeBytes: number;
  fileBytes: number;
  fileCount: number;
  trashBytes: number;
  trashCount: number;
}

interface FlashEntry {
  /** Offset of the header in the area. */
  at: number;
  size: number;
  name: Buffer;
  trash: boolean;
}

function aligned(size: number): number {
  return (size + ALIGNMENT - 1) & ~(ALIGNMENT - 1);
}

function footprint(size: number): number {
  return HEADER_BYTES + aligned(size);
}

export class StorageArea {
  private constructor(
    readonly path: string,
    readonly capacity: number,
    private readonly image: Buffer,
    private fd: number,
  ) {}

  /** Opens the area kept in `path`, creating an erased one if the file is absent. */
  static open(path: string, capacity: number): StorageArea {
    if (!existsSync(path)) writeFileSync(path, Buffer.alloc(capacity, ERASED));
    const fd = openSync(path, "r+");
    const size = fstatSync(fd).size;
    if (size !== capacity) {
      closeSync(fd);
      throw new Error(
        `${path} holds ${size} bytes but this board's Storage is ${capacity} bytes: ` +
          "use the board it was made for, or a new storage file",
      );
    }
    const image = Buffer.alloc(capacity);
    readSync(fd, image, 0, capacity, 0);
    return new StorageArea(path, capacity, image, fd);
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  read(name: string, offset = 0, length = 0): string | undefined {
    const file = this.find(name);
    if (!file) return undefined;
    const start = Math.min(Math.max(offset, 0), file.size);
    const count = length <= 0 ? file.size - start : Math.min(length, file.size - start);
    const data = file.at + HEADER_BYTES + start;
    return this.image.toString("latin1", data, data + count);
  }

  /**
   * Writes like the engine's `jsfWriteFile`: at offset 0 a new file of `size`
   * bytes (the data's length if 0) replaces any older one, unless that one is
   * identical or still blank; at a later offset the bytes must land inside the
   * file on still-erased flash, since flash bits cannot be set back to 1.
   * Returns false for a negative offset or size, as the engine does.
   */
  write(name: string, data: string, offset = 0, size = 0): boolean {
    const key = this.nameKey(name);
    if (offset < 0 || size < 0) return false;
    const bytes = binaryToBuffer(data);
    const fileSize = size === 0 ? bytes.length : size;
    if (fileSize === 0) throw new StorageError("Can't create zero length file");
    let file = this.findKey(key);
    if (offset === 0 && (!file || file.size !== fileSize || !this.isErased(file.at + HEADER_BYTES, fileSize))) {
      if (file && file.size === fileSize && bytes.length === fileSize && this.holds(file, bytes)) return true;
      if (file) this.trash(file);
      file = this.create(key, fileSize);
    }
    if (!file) throw new StorageError("Unable to find or create file");
    if (offset + bytes.length > file.size) throw new StorageError("Too much data for file size");
    const at = file.at + HEADER_BYTES + offset;
    if (!this.isErased(at, bytes.length)) throw new StorageError("File already written with different data");
    bytes.copy(this.image, at);
    this.persist(at, bytes.length);
    return true;
  }

  erase(name: string): void {
    const file = this.find(name);
    if (file) this.trash(file);
  }

  eraseAll(): void {
    this.image.fill(ERASED);
    this.replaceHostFile();
  }

  /** File names in flash order, as `require("Storage").list()` gives them. */
  list(): string[] {
    return this.entries()
      .filter((entry) => !entry.trash)
      .map((entry) => nameText(entry.name));
  }

  /** Bytes left after the last file: the largest file that fits without compacting. */
  getFree(): number {
    return this.capacity - this.end();
  }

  getStats(): StorageStats {
    const stats: StorageStats = {
      totalBytes: this.capacity,
      freeBytes: this.getFree(),
      fileBytes: 0,
      fileCount: 0,
      trashBytes: 0,
      trashCount: 0,
    };
    for (const entry of this.entries()) {
      if (entry.trash) {
        stats.trashBytes += footprint(entry.size);
        stats.trashCount++;
      } else {
        stats.fileBytes += footprint(entry.size);
        stats.fileCount++;
      }
    }
    return stats;
  }

  /** Told when a compaction starts, so the console can show the engine's "Compacting... ". */
  onCompaction: (() => void) | undefined;

  /** Moves the live files to the start of the area and erases the rest; false when there was no trash. */
  compact(): boolean {
    const entries = this.entries();
    if (!entries.some((entry) => entry.trash)) return false;
    this.onCompaction?.();
    const live = entries.filter((entry) => !entry.trash);
    const packed = Buffer.alloc(this.capacity, ERASED);
    let at = 0;
    for (const entry of live) {
      const length = footprint(entry.size);
      this.image.copy(packed, at, entry.at, entry.at + length);
      at += length;
    }
    packed.copy(this.image);
    this.replaceHostFile();
    return true;
  }

  private find(name: string): FlashEntry | undefined {
    return this.findKey(this.nameKey(name));
  }

  private findKey(key: Buffer): FlashEntry | undefined {
    return this.entries().find((entry) => !entry.trash && entry.name.equals(key));
  }

  private nameKey(name: string): Buffer {
    if (name.length > MAX_STORAGE_NAME_LENGTH) {
      throw new Error(
        `Storage name "${name}" is ${name.length} chars; the engine keeps only the first ` +
          `${MAX_STORAGE_NAME_LENGTH}, so use a shorter name`,
      );
    }
    const key = Buffer.alloc(MAX_STORAGE_NAME_LENGTH);
    binaryToBuffer(name).copy(key);
    return key;
  }

  private entries(): FlashEntry[] {
    const found: FlashEntry[] = [];
    let at = 0;
    while (at + HEADER_BYTES <= this.capacity) {
      const word = this.image.readUInt32LE(at);
      if (word === 0xffffffff || word === 0) break;
      const size = word & SIZE_MASK;
      if (at + footprint(size) > this.capacity) break;
      const name = this.image.subarray(at + 4, at + HEADER_BYTES);
      found.push({ at, size, name, trash: name.readUInt32LE(0) === 0 });
      at += footprint(size);
    }
    return found;
  }

  private end(): number {
    const last = this.entries().at(-1);
    return last ? last.at + footprint(last.size) : 0;
  }

  /**
   * Places a new file after the last one. When it does not fit, the engine
   * compacts only if the free space plus the trash files' data would hold it
   * (headers not counted), and otherwise fails without compacting.
   */
  private create(key: Buffer, size: number): FlashEntry | undefined {
    const required = footprint(size);
    if (this.getFree() < required) {
      const trashData = this.entries()
        .filter((entry) => entry.trash)
        .reduce((sum, entry) => sum + entry.size, 0);
      if (required >= this.getFree() + trashData) return undefined;
      this.compact();
      if (this.getFree() < required) return undefined;
    }
    const at = this.end();
    this.image.writeUInt32LE(size, at);
    key.copy(this.image, at + 4);
    this.persist(at, HEADER_BYTES);
    return { at, size, name: Buffer.from(key), trash: false };
  }

  private trash(file: FlashEntry): void {
    this.image.writeUInt32LE(0, file.at + 4);
    this.persist(file.at + 4, 4);
  }

  private holds(file: FlashEntry, bytes: Buffer): boolean {
    const data = file.at + HEADER_BYTES;
    return this.image.subarray(data, data + file.size).equals(bytes);
  }

  private isErased(at: number, length: number): boolean {
    for (let i = at; i < at + length; i++) if (this.image[i] !== ERASED) return false;
    return true;
  }

  private persist(at: number, length: number): void {
    this.checkOpen();
    writeSync(this.fd, this.image, at, length, at);
  }

  /** Whole-area rewrites go through a temporary file so the host file is never half old, half new. */
  private replaceHostFile(): void {
    this.checkOpen();
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, this.image);
    closeSync(this.fd);
    renameSync(temporary, this.path);
    this.fd = openSync(this.path, "r+");
  }

  private checkOpen(): void {
    if (this.fd < 0) throw new Error(`Storage ${this.path} is closed: the device is powered off`);
  }
}

function nameText(name: Buffer): string {
  const end = name.indexOf(0);
  return name.toString("latin1", 0, end < 0 ? name.length : end);
}
